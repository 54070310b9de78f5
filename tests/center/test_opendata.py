"""Open data for the city: /opendata/events.csv (イベント一覧) and /opendata/facilities.csv
(公共施設一覧) in the 自治体標準オープンデータセット formats, UTF-8 with a BOM, and the page that
states their licence. The demo's public events are checked against the tables themselves."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from bookings.tables import Booking
from center.lib.dates import local_day_bounds, to_local, today
from center.places.tables import CenterProfile, Room
from center.programmes.tables import FlowerbedDay, Screening
from center.shell.opendata.events import FUTURE_DAYS, PAST_DAYS
from center.shell.opendata.standard import EVENT_COLUMNS, FACILITY_COLUMNS, local_government_code
from tests.snapshots import demo_center

pytestmark = pytest.mark.anyio

BOM = b"\xef\xbb\xbf"


def parse(body: bytes, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """Read a dataset as a consumer would: the BOM first, then the standard's header exactly."""
    assert body.startswith(BOM), "no UTF-8 byte order mark"
    text = body[len(BOM) :].decode("utf-8")
    assert "\r\n" in text
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    assert tuple(header) == columns
    rows = [dict(zip(columns, row, strict=True)) for row in reader]
    for row in rows:
        assert row["都道府県コード又は市区町村コード"] == "012131"
        assert row["都道府県名"] == "北海道" and row["市区町村名"] == "苫小牧市"
    return rows


def test_the_local_government_code_has_its_check_digit():
    assert local_government_code() == "012131"  # Tomakomai
    assert local_government_code("01100") == "011002"  # Sapporo
    assert local_government_code("13101") == "131016"  # Chiyoda, Tokyo


def test_the_column_lists_are_the_standards():
    assert len(EVENT_COLUMNS) == 32 and len(set(EVENT_COLUMNS)) == 32
    assert len(FACILITY_COLUMNS) == 24 and len(set(FACILITY_COLUMNS)) == 24
    assert EVENT_COLUMNS[:8] == ("都道府県コード又は市区町村コード", "NO", "都道府県名", "市区町村名",
                                 "イベント名", "イベント名_カナ", "イベント名_英語", "開始日")  # fmt: skip
    assert FACILITY_COLUMNS[-4:] == ("説明", "バリアフリー情報", "URL", "備考")


async def test_empty_center_gives_headers_and_the_building(client):
    events = await client.get("/opendata/events.csv")
    assert events.status_code == 200
    assert events.headers["content-type"] == "text/csv; charset=utf-8"
    assert parse(events.content, EVENT_COLUMNS) == []
    facilities = parse((await client.get("/opendata/facilities.csv")).content, FACILITY_COLUMNS)
    assert [row["NO"] for row in facilities] == ["center"]
    assert facilities[0]["名称"] == "苫小牧市市民活動センター"


async def test_demo_public_events_round_trip(client):
    await demo_center()
    response = await client.get("/opendata/events.csv", headers={"Cookie": "lang=en"})
    assert response.status_code == 200
    assert 'filename="012131_event.csv"' in response.headers["content-disposition"]
    rows = {row["NO"]: row for row in parse(response.content, EVENT_COLUMNS)}

    start, _ = local_day_bounds(today() - timedelta(days=PAST_DAYS))
    _, end = local_day_bounds(today() + timedelta(days=FUTURE_DAYS))
    bookings = await Booking.select(
        Booking.id, Booking.public_title, Booking.purpose, Booking.starts_at, Booking.ends_at,
        Booking.room.name_ja.as_alias("room"), Booking.group.name.as_alias("group"),
    ).where(
        (Booking.status == "approved") & (Booking.public == True)
        & (Booking.starts_at < end) & (Booking.ends_at > start)
    )  # fmt: skip
    screenings = await Screening.select(
        Screening.id, Screening.starts_at, Screening.ends_at, Screening.status,
        Screening.video.title.as_alias("title"), Screening.room.name_ja.as_alias("room"),
    ).where((Screening.starts_at >= start) & (Screening.starts_at < end))  # fmt: skip
    days = await FlowerbedDay.select().where(
        (FlowerbedDay.starts_at >= start) & (FlowerbedDay.starts_at < end)
    )
    assert bookings and screenings and days, "the demo has public bookings, screenings and flower-bed days"
    private = await Booking.count().where((Booking.public == False) & (Booking.status == "approved"))
    assert len(rows) == len(bookings) + len(screenings) + len(days)

    def check(row: dict[str, str], starts_at, ends_at, place: str) -> None:
        starts, ends = to_local(starts_at), to_local(ends_at)
        assert row["開始日"] == starts.date().isoformat()
        assert row["終了日"] == ends.date().isoformat()
        assert row["開始時間"] == starts.strftime("%H:%M")
        assert row["終了時間"] == ends.strftime("%H:%M")
        assert row["方書"] == place
        assert row["場所名称"] == "苫小牧市市民活動センター"
        assert row["住所"] == "北海道苫小牧市若草町3丁目3番8号"
        assert row["URL"].startswith("http")

    for booking in bookings:
        row = rows[f"B{booking['id']}"]
        check(row, booking["starts_at"], booking["ends_at"], booking["room"])
        assert row["イベント名"] == (booking["public_title"] or booking["purpose"])
        assert row["主催者"] == (booking["group"] or "")
    for screening in screenings:
        row = rows[f"S{screening['id']}"]
        check(row, screening["starts_at"], screening["ends_at"], screening["room"])
        assert row["イベント名"] == screening["title"]
        assert row["開始日時特記事項"] == ("中止" if screening["status"] == "cancelled" else "")
    for day in days:
        row = rows[f"F{day['id']}"]
        check(row, day["starts_at"], day["ends_at"], day["meeting_point"])
        assert row["イベント名"] == day["title_ja"]
    # Nothing private: only the rows counted above, none for the private bookings.
    assert private > 0
    assert not [number for number in rows if number[0] not in "BSF"]
    # In time order.
    order = [(row["開始日"], row["開始時間"]) for row in rows.values()]
    assert order == sorted(order)


async def test_events_follow_changes_and_answer_not_modified(client):
    await demo_center()
    first = await client.get("/opendata/events.csv")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=300"
    again = await client.get("/opendata/events.csv", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    booking = await (
        Booking.select(Booking.id)
        .where((Booking.status == "approved") & (Booking.public == True))
        .where(Booking.starts_at > datetime.now(UTC))
        .first()
    )
    await Booking.update({Booking.public_title: "オープンデータ確認の会"}).where(Booking.id == booking["id"])
    changed = await client.get("/opendata/events.csv", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    row = next(row for row in parse(changed.content, EVENT_COLUMNS) if row["NO"] == f"B{booking['id']}")
    assert row["イベント名"] == "オープンデータ確認の会"


async def test_demo_facilities(client):
    await demo_center()
    rows = parse((await client.get("/opendata/facilities.csv")).content, FACILITY_COLUMNS)
    profile = await CenterProfile.select().first()
    rooms = await Room.select().order_by(Room.sort_order, Room.floor, Room.code)
    assert [row["NO"] for row in rows] == ["center", *(f"room-{room['code']}" for room in rooms)]
    for row in rows:
        assert row["住所"] == profile["address_ja"]
        assert row["電話番号"] == profile["phone"]
        assert row["利用可能曜日"] and row["開始時間"] and row["終了時間"]
        assert "休館" in row["利用可能日時特記事項"]
    by_no = {row["NO"]: row for row in rows}
    for room in rooms:
        row = by_no[f"room-{room['code']}"]
        assert room["name_ja"] in row["名称"] and room["name_ja"] in row["方書"]
        assert f"定員{room['capacity']}人" in row["説明"]
        assert row["バリアフリー情報"].startswith("段差なしで利用可" if room["step_free"] else "段差あり")
        assert row["URL"].endswith(f"/rooms/{room['code']}")


async def test_the_page_states_the_licence_and_is_linked_from_the_footer(client):
    home = await client.get("/")
    assert 'href="/opendata"' in home.text
    page = await client.get("/opendata")
    assert page.status_code == 200
    assert "CC BY 4.0" in page.text
    assert "https://creativecommons.org/licenses/by/4.0/deed.ja" in page.text
    assert "出典：苫小牧市市民活動センター" in page.text  # the credit line in Japanese
    assert "Source: " in page.text  # and in English
    assert 'href="/opendata/events.csv"' in page.text and 'href="/opendata/facilities.csv"' in page.text
    assert "オープンデータ" in page.text  # the page itself is Japanese first
