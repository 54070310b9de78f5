"""The front desk's board, finding a booking by scan, permit number or name, check-in and
check-out with head counts and keys, and no-shows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bookings import desk, desk_checkin
from bookings.permits import permit_code
from bookings.service import cancel
from center.accounts.actors import ActorRef
from center.accounts.tables import AuditEntry
from center.ledger.service import take_hold
from center.lib.dates import local_day_bounds
from tests.bookings import desk_support as support
from tests.bookings.desk_support import DESK, booking
from tests.helpers import login, post_form, text_of

pytestmark = pytest.mark.anyio
desk_center = support.desk_center


async def test_the_board_lists_every_hold_of_the_day_in_time_order(desk_center):
    start, _ = local_day_bounds(desk_center["day"])
    await take_hold(
        desk_center["meeting"],
        start + timedelta(hours=10),
        start + timedelta(hours=11),
        "screening",
        label="簡単体操",
    )
    rows = (await desk.board(desk_center["day"])).rows
    assert [row.kind for row in rows] == ["booking", "screening", "booking"]
    assert rows[0].title == "いきいきシニアサロン若草" and rows[0].state == "upcoming"
    assert rows[0].money.due == 600


async def test_a_scanned_permit_code_finds_todays_booking(desk_center):
    number = (await booking(desk_center["morning"]))["permit_number"]
    found = await desk.find(permit_code(number))
    assert found.booking_id == desk_center["morning"]


async def test_a_typed_permit_number_in_full_width_digits_finds_the_booking(desk_center):
    number = (await booking(desk_center["morning"]))["permit_number"]
    year, serial = number.split("-")
    typed = (year + "-" + str(int(serial))).translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
    assert (await desk.find(typed)).booking_id == desk_center["morning"]


async def test_a_forged_code_is_refused(desk_center):
    number = (await booking(desk_center["morning"]))["permit_number"]
    with pytest.raises(desk.LookupRefused) as refused:
        await desk.find(f"CAC1:{number}:000000000000")
    assert "not issued by the center" in refused.value.errors["q"]


async def test_another_days_permit_is_refused(desk_center):
    number = (await booking(desk_center["tomorrow"]))["permit_number"]
    with pytest.raises(desk.LookupRefused) as refused:
        await desk.find(number)
    assert "not for this day" in refused.value.errors["q"]


async def test_an_unknown_permit_number_is_refused(desk_center):
    with pytest.raises(desk.LookupRefused):
        await desk.find("2026-999999")


async def test_a_cancelled_bookings_permit_is_refused(desk_center):
    await cancel(desk_center["morning"], DESK, "団体の都合")
    number = (await booking(desk_center["morning"]))["permit_number"]
    with pytest.raises(desk.LookupRefused) as refused:
        await desk.find(number)
    assert "cancelled" in refused.value.errors["q"]


async def test_a_group_name_in_hiragana_finds_the_groups_bookings_today(desk_center):
    found = await desk.find("いきいきしにあ")
    assert found.matches == (desk_center["morning"],)
    assert (await desk.find("水彩")).matches == (desk_center["afternoon"],)


async def test_check_in_records_time_head_count_key_and_who(desk_center):
    actor = ActorRef(desk_center["desk_user"], "desk", staff=True)
    after = await desk_checkin.check_in(desk_center["morning"], actor, head_count=18, key_number="H-2")
    assert after["checked_in_at"] and after["key_out_at"]
    assert (after["actual_head_count"], after["key_number"], after["checked_in_by"]) == (18, "H-2", actor.id)
    assert await AuditEntry.count().where(AuditEntry.action == "check_in") == 1


async def test_a_double_check_in_is_refused_and_changes_nothing(desk_center):
    first = await desk_checkin.check_in(desk_center["morning"], DESK, head_count=18, key_number="H-2")
    with pytest.raises(desk_checkin.DeskRefused):
        await desk_checkin.check_in(desk_center["morning"], DESK, head_count=3, key_number="X")
    assert await booking(desk_center["morning"]) == first


async def test_a_negative_head_count_is_refused(desk_center):
    with pytest.raises(desk_checkin.ValidationFailed):
        await desk_checkin.check_in(desk_center["morning"], DESK, head_count=-1)
    assert (await booking(desk_center["morning"]))["checked_in_at"] is None


async def test_another_days_booking_cannot_be_checked_in(desk_center):
    with pytest.raises(desk_checkin.DeskRefused):
        await desk_checkin.check_in(desk_center["tomorrow"], DESK)


async def test_check_out_before_check_in_is_refused(desk_center):
    with pytest.raises(desk_checkin.DeskRefused):
        await desk_checkin.check_out(desk_center["morning"], DESK)
    assert (await booking(desk_center["morning"]))["checked_out_at"] is None


async def test_check_out_records_the_key_back_the_final_count_and_a_note(desk_center):
    await desk_checkin.check_in(desk_center["morning"], DESK, head_count=18, key_number="H-2")
    after = await desk_checkin.check_out(desk_center["morning"], DESK, head_count=20, note="椅子1脚破損")
    assert after["checked_out_at"] and after["key_returned_at"]
    assert (after["actual_head_count"], after["desk_note"]) == (20, "椅子1脚破損")
    assert (await desk.board(desk_center["day"])).rows[0].state == "checked_out"


async def test_no_show_waits_for_the_grace_period(desk_center):
    starts = (await booking(desk_center["morning"]))["starts_at"]
    with pytest.raises(desk_checkin.DeskRefused):
        await desk_checkin.mark_no_show(desk_center["morning"], DESK, now=starts + timedelta(minutes=10))
    after = await desk_checkin.mark_no_show(desk_center["morning"], DESK, now=starts + timedelta(minutes=31))
    assert after["no_show_at"]


async def test_a_late_group_marked_no_show_can_still_check_in(desk_center):
    starts = (await booking(desk_center["morning"]))["starts_at"]
    await desk_checkin.mark_no_show(desk_center["morning"], DESK, now=starts + timedelta(minutes=40))
    after = await desk_checkin.check_in(
        desk_center["morning"], DESK, head_count=5, now=starts + timedelta(minutes=50)
    )
    assert after["no_show_at"] is None and after["checked_in_at"]


async def test_the_no_show_job_marks_ended_bookings_nobody_checked_in_once(desk_center):
    await desk_checkin.check_in(desk_center["afternoon"], DESK)
    ends = (await booking(desk_center["afternoon"]))["ends_at"]
    later = ends + timedelta(minutes=1)
    assert await desk_checkin.mark_no_shows_due(later) == [desk_center["morning"]]
    assert await desk_checkin.mark_no_shows_due(later) == []
    assert [row["id"] for row in await desk_checkin.group_no_shows(desk_center["salon"])] == [
        desk_center["morning"]
    ]


# --- Over HTTP ---


async def test_the_desk_checks_in_with_a_head_count_and_key_and_sees_it_on_the_board(client, desk_center):
    await login(client, "desk1")
    url = f"/desk/bookings/{desk_center['morning']}"
    page = await client.get(url)
    assert 'id="head_count"' in page.text and "autofocus" in page.text
    done = await post_form(client, url + "/check-in", {"head_count": "１８", "key_number": "H-2"})
    assert done.status_code == 303 and done.headers["location"] == "/desk"
    board = await client.get("/desk", headers={"HX-Request": "true"})
    # Only the board's contents: the page's #board keeps listening for polls and scans.
    assert 'id="board"' not in board.text and "<html" not in board.text and 'class="desk-board"' in board.text
    assert "H-2" in board.text and "チェックイン済み" in text_of(board.text)


async def test_bad_input_at_the_desk_gets_a_clear_message_and_changes_nothing(client, desk_center):
    await login(client, "desk1")
    url = f"/desk/bookings/{desk_center['morning']}/check-in"
    negative = await post_form(client, url, {"head_count": "-3"})
    assert negative.status_code == 400 and 'aria-invalid="true"' in negative.text
    assert (await booking(desk_center["morning"]))["checked_in_at"] is None
    early = await post_form(client, f"/desk/bookings/{desk_center['morning']}/check-out", {})
    assert early.status_code == 409 and 'role="alert"' in early.text
    tomorrow = await post_form(client, f"/desk/bookings/{desk_center['tomorrow']}/check-in", {})
    assert tomorrow.status_code == 409


async def test_members_cannot_use_the_desk(client, desk_center):
    await login(client, "member1")
    assert (await client.get("/desk")).status_code == 403


async def test_the_managers_group_page_shows_the_groups_no_shows(client, desk_center):
    starts = (await booking(desk_center["morning"]))["starts_at"]
    await desk_checkin.mark_no_show(desk_center["morning"], DESK, now=starts + timedelta(hours=1))
    await login(client, "manager1")
    page = await client.get(f"/manage/groups/{desk_center['salon']}")
    assert "過去1年の無断キャンセル" in page.text and "来館のなかった予約 1件" in page.text
    other = await client.get(f"/manage/groups/{desk_center['suisai']}")
    assert "無断キャンセルはありません。" in other.text


async def test_a_damage_note_opens_a_repair_ticket_in_one_click(client, desk_center):
    from maintenance.tables import Ticket
    from tests.maintenance_support import make_location

    place = await make_location("hall", "多目的ホール", floor=2, room=desk_center["hall"])
    await desk_checkin.check_in(desk_center["morning"], DESK, head_count=18)
    await login(client, "desk1")
    url = f"/desk/bookings/{desk_center['morning']}/check-out"
    empty = await post_form(client, url, {"note": "", "action": "repair_ticket"})
    assert empty.status_code == 400 and 'id="note-error"' in empty.text
    assert (await booking(desk_center["morning"]))["checked_out_at"] is None and await Ticket.count() == 0

    note = "舞台の床板が割れている（下手側）\n利用者がけがをしないよう養生済み"
    response = await post_form(client, url, {"note": note, "head_count": "18", "action": "repair_ticket"})
    assert response.status_code == 303
    ticket = await Ticket.select().first()
    row = await booking(desk_center["morning"])
    assert row["checked_out_at"] is not None and "舞台の床板" in row["desk_note"]
    assert (ticket["category"], ticket["priority"], ticket["location"], ticket["status"]) == (
        "repair",
        "normal",
        place,
        "new",
    )
    assert ticket["title"] == "舞台の床板が割れている（下手側）" and ticket["due_on"] is not None
    assert row["permit_number"] in ticket["description"] and "養生済み" in ticket["description"]
    page = await client.get(response.headers["location"])
    assert f"修繕チケット No. {ticket['id']} を作成" in text_of(page.text)
    assert await AuditEntry.count().where(AuditEntry.action == "repair_ticket") == 1
    assert await AuditEntry.count().where(AuditEntry.entity == "maintenance_ticket") == 1

    # after check-out, the booking page's button opens another from its own note
    again = await post_form(
        client,
        f"/desk/bookings/{desk_center['morning']}/repair-ticket",
        {"repair_note": "窓の鍵が閉まらない"},
    )
    assert again.status_code == 303 and await Ticket.count() == 2
    blank = await post_form(client, f"/desk/bookings/{desk_center['morning']}/repair-ticket", {})
    assert blank.status_code == 400 and 'id="repair_note-error"' in blank.text and await Ticket.count() == 2


async def test_a_room_without_a_maintenance_location_refuses_the_ticket_and_the_check_out(desk_center):
    from center.lib.errors import ValidationFailed
    from maintenance.tables import Ticket

    await desk_checkin.check_in(desk_center["morning"], DESK)
    with pytest.raises(ValidationFailed) as refused:
        await desk_checkin.check_out_with_repair_ticket(desk_center["morning"], DESK, note="椅子が壊れた")
    assert "note" in refused.value.errors
    assert (await booking(desk_center["morning"]))["checked_out_at"] is None and await Ticket.count() == 0
