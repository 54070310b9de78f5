"""A real center's first day without code: `center init` from its own center file, `center
create-user`, `center import groups` and `center import bookings` from Excel's CSVs (one in
Shift_JIS), then the availability grid shows the imported bookings; files with mistakes are
refused row by row and nothing is written. The samples are the ones docs/setup.md shows."""

from __future__ import annotations

import asyncio
from datetime import datetime, time

import httpx
import pytest
import time_machine
from click.testing import CliRunner, Result

from bookings.tables import Booking
from center import cli
from center.accounts.service import authenticate
from center.accounts.tables import Group, User
from center.ledger.tables import Hold
from center.lib.dates import TOKYO, to_local
from center.lib.i18n import current_locale
from center.lib.settings import BASE_DIR
from center.places.tables import CenterProfile, ClosedDay, OpeningHours, Room, RoomSlotFee, Slot
from center.shell.setup.csv_read import read_csv
from maintenance.tables import Location

SAMPLES = BASE_DIR / "docs" / "samples"
ERRORS = SAMPLES / "errors"
# The samples book April 2027 (令和9年度): the center adopts the system in March.
ADOPTION_DAY = datetime(2027, 3, 15, 10, 0, tzinfo=TOKYO)
PASSWORD = "a long enough password"


def center(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    """Run a `center` command in this process. Its --lang sets the language of this context, so it
    is put back afterwards: a later test in the same worker must not find English left behind."""
    language = current_locale.get()
    try:
        return CliRunner().invoke(cli.main, [str(arg) for arg in args], input=input, env=env)
    finally:
        current_locale.set(language)


def counts() -> dict[str, int]:
    tables = (
        Room,
        RoomSlotFee,
        Slot,
        OpeningHours,
        ClosedDay,
        CenterProfile,
        Location,
        User,
        Group,
        Booking,
        Hold,
    )
    return {table._meta.tablename: table.count().run_sync() for table in tables}


async def week_page(app, week: str) -> str:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get("/availability", params={"week": week})
    assert response.status_code == 200
    return response.text


def create_manager() -> Result:
    """The first manager, the password from an environment variable (for automation)."""
    args = ("create-user", "kanri", "--name", "樽前 管理者", "--role", "manager", "--password-env", "NEW_PW")
    return center(*args, env={"NEW_PW": PASSWORD})


def set_up_sample_center() -> None:
    """init, create-user, then both imports applied, as docs/setup.md lists the commands."""
    init = center("init", SAMPLES / "center.toml")
    assert init.exit_code == 0, init.output
    assert "部屋4室" in init.output
    user = create_manager()
    assert user.exit_code == 0, user.output
    for kind in ("groups", "bookings"):
        applied = center("import", kind, SAMPLES / f"{kind}.csv", "--apply")
        assert applied.exit_code == 0, applied.output
        assert "1つのトランザクションで書き込んだ行" in applied.output


def test_from_an_empty_database_to_the_imported_week_on_the_grid(db, app):
    with time_machine.travel(ADOPTION_DAY, tick=True):
        check = center("config", "check", SAMPLES / "center.toml")
        assert check.exit_code == 0, check.output
        assert "部屋4室、区分3個、休館期間2件" in check.output
        assert counts()["center_room"] == 0  # checking writes nothing

        init = center("init", SAMPLES / "center.toml")
        assert init.exit_code == 0, init.output
        rooms = {room["code"]: room for room in Room.select().run_sync()}
        assert set(rooms) == {"large", "small", "tatami", "kitchen"}
        assert rooms["kitchen"]["booked_by"] == "hour" and rooms["kitchen"]["hourly_fee"] == 250
        tatami_fees = (
            RoomSlotFee.select(RoomSlotFee.slot.code, RoomSlotFee.fee)
            .where(RoomSlotFee.room == rooms["tatami"]["id"])
            .run_sync()
        )
        assert sorted((row["slot.code"], row["fee"]) for row in tatami_fees) == [("am", 400), ("pm", 500)]
        monday = OpeningHours.select().where(OpeningHours.weekday == 0).first().run_sync()
        assert monday["closed"]
        assert Location.exists().where(Location.code == "room-kitchen").run_sync()

        user = create_manager()
        assert user.exit_code == 0, user.output
        assert asyncio.run(authenticate("kanri", PASSWORD)).roles == {"manager"}

        dry = center("import", "groups", SAMPLES / "groups.csv")
        assert dry.exit_code == 0, dry.output
        assert "UTF-8 (BOM)" in dry.output and dry.output.count("[新規]") == 3
        assert "試行のみ" in dry.output and Group.count().run_sync() == 0
        groups = center("import", "groups", SAMPLES / "groups.csv", "--apply")
        assert groups.exit_code == 0, groups.output
        kana = (
            Group.select(Group.name_kana).where(Group.name == "錦岡子ども食堂ネットワーク").first().run_sync()
        )
        assert kana["name_kana"] == "ニシキオカコドモショクドウネットワーク"  # hiragana became katakana
        assert Group.count().where(Group.status == "approved").run_sync() == 3

        dry = center("import", "bookings", SAMPLES / "bookings.csv")
        assert dry.exit_code == 0, dry.output
        assert "Shift_JIS (CP932)" in dry.output and dry.output.count("[新規]") == 5
        assert Booking.count().run_sync() == 0 and Hold.count().run_sync() == 0  # the dry run rolled back
        bookings = center("import", "bookings", SAMPLES / "bookings.csv", "--apply")
        assert bookings.exit_code == 0, bookings.output

        rows = Booking.select().order_by(Booking.starts_at).run_sync()
        assert len(rows) == 5 and {row["status"] for row in rows} == {"approved"}
        assert all(row["permit_number"] and row["hold"] for row in rows)
        kitchen = next(row for row in rows if row["room"] == rooms["kitchen"]["id"])
        assert (to_local(kitchen["starts_at"]).hour, to_local(kitchen["ends_at"]).hour) == (10, 13)
        assert kitchen["room_fee"] == 3 * 250 and kitchen["heating_fee"] == 3 * 80  # April heats
        show = rows[3]
        assert show["public"] and show["public_title"] == "樽前太鼓 春の発表会"
        assert show["equipment_fee"] == 2 * 400  # the projector, two slots
        holds = {hold["id"]: hold for hold in Hold.select().run_sync()}
        assert all(holds[row["hold"]]["active"] and holds[row["hold"]]["ref"] == row["id"] for row in rows)

        page = asyncio.run(week_page(app, "2027-04-12"))
        # large 4/13 am, kitchen 4/14 10–13 (the morning slot), tatami 4/15 am+pm, large 4/17 am+pm,
        # small 4/18 am: seven taken cells, and the public event's title.
        assert page.count('class="slot-cell slot-cell--held"') == 7
        assert "樽前太鼓 春の発表会" in page
        other_week = asyncio.run(week_page(app, "2027-04-19"))
        assert other_week.count('class="slot-cell slot-cell--held"') == 0


def test_files_with_mistakes_are_refused_row_by_row_and_nothing_is_written(db):
    with time_machine.travel(ADOPTION_DAY, tick=True):
        set_up_sample_center()
        before = counts()

        groups = center("import", "groups", ERRORS / "groups.csv", "--apply")
        assert groups.exit_code == 1
        assert "代表者 (Representative)" in groups.output and "この列がありません" in groups.output
        assert "何も書き込んでいません" in groups.output

        bookings = center("import", "bookings", ERRORS / "bookings.csv", "--apply")
        assert bookings.exit_code == 1, bookings.output
        report = bookings.output
        line = {number: report.split(f"{number}行目：")[1].split("\n")[0] for number in range(2, 8)}
        assert line[2].startswith("[新規]")
        assert line[3].startswith("[受付不可]")
        assert "「体育館」という部屋はありません" in report
        assert line[4].startswith("[重複]") and "樽前太鼓保存会の予約「太鼓の練習」と重なります" in report
        assert line[5].startswith("[受付不可]") and "「2027-04-31」は日付として読めません" in report
        assert line[6].startswith("[重複]") and "このファイルの2行目と重なります" in report
        assert line[7].startswith("[受付不可]")
        assert "新規：1件、重複：2件、受付不可：3件" in report and "何も書き込んでいません" in report
        assert counts() == before

        english = center("import", "bookings", ERRORS / "bookings.csv", "--lang", "en")
        assert english.exit_code == 1
        assert "line 3: [refused]" in english.output and "There is no room 体育館" in english.output
        assert "The center is closed on that day." in english.output
        assert counts() == before


def test_init_is_refused_on_a_database_that_has_a_center(db):
    assert center("init", BASE_DIR / "center" / "shell" / "demo_data" / "center.toml").exit_code == 0
    before = counts()
    again = center("init", SAMPLES / "center.toml", "--lang", "en")
    assert again.exit_code == 1
    assert "already has a center" in again.output and "nothing was changed" in again.output
    assert "既にセンターの設定" in center("init", SAMPLES / "center.toml").output
    assert counts() == before


def test_a_center_file_with_mistakes_names_each_line_and_key_and_changes_nothing(db):
    check = center("config", "check", ERRORS / "center.toml", "--lang", "en")
    assert check.exit_code == 1
    lines = check.output.splitlines()
    assert "line 3, profile.name_ja: This key is required." in lines
    assert "line 14, slots[1].ends: The end must be after the start." in lines
    assert any(text.startswith("line 27, rooms[1].equipment: Unknown equipment: beamer.") for text in lines)
    assert "line 28, rooms[1].fees: Expected 2 fees in yen, one per slot, in slot order." in lines
    assert "line 29, rooms[1].colour: Unknown key: check its spelling against docs/setup.md." in lines
    init = center("init", ERRORS / "center.toml")
    assert init.exit_code == 1 and "3行目、profile.name_ja：このキーは必須です。" in init.output
    assert counts()["center_room"] == 0 and counts()["center_profile"] == 0


HOURS = "[profile]\nname_ja = 'x'\n[hours]\nopens = '09:00'\ncloses = '21:00'\n"


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ("[profile]\nname_ja = 'x'\n[hours]\nopens = '9:00'\ncloses = 2100\n", 5, "hours.closes"),
        (HOURS + "[hours.sat]\nopens = '10:00'\n", 6, "hours.sat.closes"),
        ("[profile]\nname_ja = 'x'\nname_ja = 'y'\n", 3, ""),
    ],
)
def test_problems_in_any_table_name_their_line(tmp_path, text, line, key):
    path = tmp_path / "center.toml"
    path.write_text(text, encoding="utf-8")
    result = center("config", "check", path, "--lang", "en")
    assert result.exit_code == 1
    expected = f"line {line}, {key}:" if key else f"line {line}: This is not valid TOML"
    assert expected in result.output, result.output


@pytest.mark.parametrize(
    ("encoding", "label"), [("utf-8-sig", "UTF-8 (BOM)"), ("utf-8", "UTF-8"), ("cp932", "Shift_JIS (CP932)")]
)
def test_csv_in_any_of_excels_encodings_with_english_or_japanese_headers(tmp_path, encoding, label):
    from center.shell.setup.bookings_import import COLUMNS

    path = tmp_path / "bookings.csv"
    path.write_bytes(
        "Group name,部屋,DATE,slots,Purpose,人数\r\n樽前会,和室,2027/4/13,午前,練習,5\r\n\r\n".encode(
            encoding
        )
    )
    table, problems = read_csv(path, COLUMNS)
    assert problems == [] and table is not None
    assert table.encoding == label
    assert [(row.line, row.values["group"], row.values["room"], row.values["day"]) for row in table.rows] == [
        (2, "樽前会", "和室", "2027/4/13")
    ]
    path.write_bytes("団体名,部屋,備考\r\n".encode(encoding))
    table, problems = read_csv(path, COLUMNS)
    assert table is None
    assert [(problem.line, problem.key) for problem in problems] == [
        (1, "備考"),
        (1, "利用日 (Date)"),
        (1, "利用目的 (Purpose)"),
        (1, "人数 (People)"),
    ]


def test_groups_already_registered_or_twice_in_the_file_clash(db, tmp_path):
    assert create_manager().exit_code == 0  # an account before init is no center: init goes ahead
    assert center("init", SAMPLES / "center.toml").exit_code == 0
    assert center("import", "groups", SAMPLES / "groups.csv", "--apply").exit_code == 0
    path = tmp_path / "more.csv"
    header = "Group name,Name in kana,Representative,Phone,Address,Activity,Members,Fee reduction\r\n"
    rows = [
        "樽前太鼓保存会,タルマエタイコ,樽前 二郎,0144-00-5555,苫小牧市,太鼓,5,なし",
        "樽前写真クラブ,タルマエシャシンクラブ,樽前 三郎,0144-00-6666,苫小牧市,写真,8,公益",
        "樽前写真クラブ,タルマエシャシンクラブ,樽前 三郎,0144-00-6666,苫小牧市,写真,8,公益",
        "樽前将棋の会,たるまえしょうぎのかい,樽前 四郎,0144-00-7777,苫小牧市,将棋,0,割引",
    ]
    path.write_bytes((header + "\r\n".join(rows) + "\r\n").encode("utf-8"))
    before = counts()
    result = center("import", "groups", path, "--apply", "--lang", "en")
    assert result.exit_code == 1
    output = result.output
    assert "line 2: [clash] 樽前太鼓保存会" in output and "already registered (G-000001)" in output
    assert "line 3: [new] 樽前写真クラブ" in output
    assert "line 4: [clash]" in output and "The same group is on line 3 of this file." in output
    assert "line 5: [refused]" in output
    assert "Members: Enter a whole number from 1 to 9999." in output
    assert "Fee reduction: Choose one of the options." in output
    assert counts() == before


def test_bookings_clashing_with_a_closure_or_a_screening_are_named(db, tmp_path):
    from center.ledger.service import take_hold
    from center.lib.dates import local_instant

    with time_machine.travel(ADOPTION_DAY, tick=True):
        set_up_sample_center()
        rooms = {row["code"]: row["id"] for row in Room.select(Room.id, Room.code).run_sync()}
        day = datetime(2027, 4, 21).date()

        async def hold_rooms() -> None:
            morning = (local_instant(day, time(9)), local_instant(day, time(12)))
            await take_hold(rooms["small"], *morning, "closure", label="床の張り替え")
            await take_hold(rooms["large"], *morning, "screening", label="体操動画")

        asyncio.run(hold_rooms())
        path = tmp_path / "bookings.csv"
        path.write_bytes(
            "団体名,部屋,利用日,区分,利用目的,人数\r\n"
            "樽前ヨガサークル,小会議室,2027-04-21,午前,ヨガ教室,8\r\n"
            "樽前太鼓保存会,大会議室,2027-04-21,午前,太鼓の練習,20\r\n".encode("cp932")
        )
        before = counts()
        result = center("import", "bookings", path, "--apply")
        assert result.exit_code == 1
        assert "工事等による使用中止と重なります：床の張り替え（2027-04-21 09:00–12:00）" in result.output
        assert "体操動画の上映と重なります（2027-04-21 09:00–12:00）" in result.output
        assert counts() == before


def test_the_demo_center_is_one_example_of_the_center_file():
    result = center(
        "config", "check", BASE_DIR / "center" / "shell" / "demo_data" / "center.toml", "--lang", "en"
    )
    assert result.exit_code == 0, result.output
    assert "center.toml is correct. Rooms: 9, slots: 3, closed periods: 1." in result.output
