"""Payment you can see: a booking's payment state (未納 → 一部納付 → 納付済; cancelled with a
refund → 還付待ち → 還付済) on the member's page and list and at the desk, the deadline rule and
instructions, the approval notice, the desk's unpaid list, and refusals that change nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bookings import payment_settings, payment_status
from bookings.desk_payments import pay_refund, record_payment
from bookings.service import approve, cancel
from bookings.tables import Booking, Payment, PaymentSettings
from center.accounts.tables import AuditEntry
from center.lib.dates import to_local, wareki
from center.notices.tables import Notice
from tests.bookings import desk_support as support
from tests.bookings.desk_support import DESK, make_booking
from tests.helpers import login, post_form, text_of

pytestmark = pytest.mark.anyio
desk_center = support.desk_center


async def pages(client, booking_id: int) -> dict[str, str]:
    """The member's booking page and list, then the desk's booking page and board, as text."""
    await login(client, "member1")
    seen = {
        "detail": text_of((await client.get(f"/bookings/{booking_id}")).text),
        "mine": text_of((await client.get("/bookings/mine")).text),
    }
    client.cookies.clear()  # log out
    await login(client, "desk1")
    day = to_local((await support.booking(booking_id))["starts_at"]).date()
    seen["desk"] = text_of((await client.get(f"/desk/bookings/{booking_id}")).text)
    seen["board"] = text_of((await client.get(f"/desk?date={day.isoformat()}")).text)
    client.cookies.clear()
    return seen


def shows(seen: dict[str, str], label: str) -> dict[str, bool]:
    return {page: label in text for page, text in seen.items()}


EVERYWHERE = {"detail": True, "mine": True, "desk": True, "board": True}


async def test_a_fee_goes_from_unpaid_to_partly_paid_to_paid_on_every_page(client, desk_center):
    booking_id = desk_center["tomorrow"]
    assert shows(await pages(client, booking_id), "⚠ 未納") == EVERYWHERE
    await record_payment(booking_id, DESK, 200)
    assert shows(await pages(client, booking_id), "◐ 一部納付") == EVERYWHERE
    await record_payment(booking_id, DESK, 400, receipt_number="R-TEST-9")
    seen = await pages(client, booking_id)
    assert shows(seen, "✓ 納付済") == EVERYWHERE
    assert not any(shows(seen, "◐ 一部納付").values())
    assert "R-TEST-9" in seen["detail"] and "R-TEST-9" in seen["desk"]


async def test_a_cancelled_booking_goes_from_refund_due_to_refunded_on_every_page(client, desk_center):
    later = desk_center["day"] + timedelta(days=30)
    booking_id = await make_booking(desk_center["hall"], desk_center["salon"], later, "09:00", "12:00")
    await record_payment(booking_id, DESK, 600)
    cancelled = await cancel(booking_id, DESK, "団体の都合")
    assert cancelled["refund_due"] == 600
    assert shows(await pages(client, booking_id), "↩ 還付待ち") == EVERYWHERE
    await pay_refund(booking_id, DESK, 600)
    assert shows(await pages(client, booking_id), "✓ 還付済") == EVERYWHERE


async def test_a_free_booking_says_no_payment_is_needed(client, desk_center):
    free = await make_booking(
        desk_center["meeting"],
        desk_center["salon"],
        desk_center["day"] + timedelta(days=2),
        "09:00",
        "12:00",
        fee=0,
    )
    seen = await pages(client, free)
    assert "お支払いはありません" in seen["detail"] and "お支払いはありません" in seen["mine"]
    assert "⚠ 未納" not in seen["detail"]


async def test_statuses_for_a_list_come_from_one_batch(desk_center):
    rows = await Booking.select().order_by(Booking.id)
    await record_payment(desk_center["morning"], DESK, 600)
    found = await payment_status.statuses(rows)
    assert {row["id"]: found[row["id"]].state for row in rows} == {
        desk_center["morning"]: "paid",
        desk_center["afternoon"]: "unpaid",
        desk_center["tomorrow"]: "unpaid",
    }
    assert await payment_status.statuses([]) == {}


async def test_the_deadline_follows_the_managers_rule(desk_center):
    row = await support.booking(desk_center["tomorrow"])
    on_the_day = await payment_status.status_of(row)
    assert on_the_day.deadline == desk_center["day"] + timedelta(days=1)
    assert on_the_day.deadline_at == row["starts_at"] and on_the_day.before_use
    await payment_settings.save_payment_rules({"pay_days_before": 1, "payment_instructions": ""}, DESK)
    day_before = await payment_status.status_of(row)
    assert day_before.deadline == desk_center["day"] and not day_before.before_use
    assert not day_before.overdue  # until the end of that day


async def test_a_payment_above_the_amount_due_is_refused_and_nothing_is_written(client, desk_center):
    await record_payment(desk_center["morning"], DESK, 500)
    payments, audits = await Payment.count(), await AuditEntry.count()
    await login(client, "desk1")
    refused = await post_form(
        client,
        f"/desk/bookings/{desk_center['morning']}/payments",
        {"amount": "101", "method": "cash", "receipt_number": ""},
    )
    assert refused.status_code == 400
    assert "¥100" in text_of(refused.text)  # what is still due
    assert 'role="alert"' in refused.text
    assert (await Payment.count(), await AuditEntry.count()) == (payments, audits)


async def test_the_approval_notice_says_how_where_and_by_when_to_pay(desk_center):
    await payment_settings.save_payment_rules(
        {
            "pay_days_before": 3,
            "payment_instructions": "1階受付（9時〜21時）で現金またはカードでお支払いください。",
        },
        DESK,
    )
    day = desk_center["day"] + timedelta(days=12)
    booking_id = await make_booking(
        desk_center["hall"], desk_center["salon"], day, "09:00", "12:00", status="requested"
    )
    await Booking.update({Booking.permit_number: None}).where(Booking.id == booking_id)
    await approve(booking_id, DESK)
    notice = await Notice.select().where(Notice.kind == "booking.approve").first()
    assert wareki(day - timedelta(days=3)) in notice["body_ja"]
    assert "¥600" in notice["body_ja"]
    assert "1階受付（9時〜21時）" in notice["body_ja"]


async def test_the_desk_lists_unpaid_bookings_by_deadline(client, desk_center):
    later = await make_booking(
        desk_center["meeting"],
        desk_center["suisai"],
        desk_center["day"] + timedelta(days=5),
        "09:00",
        "12:00",
    )
    await record_payment(desk_center["morning"], DESK, 600)
    await login(client, "desk1")
    board = await client.get("/desk")
    assert 'href="/desk/unpaid"' in board.text
    page = await client.get("/desk/unpaid")
    assert page.status_code == 200
    table = page.text.split('id="unpaid-caption"', 1)[1]
    order = [
        f'/desk/bookings/{booking_id}"'
        for booking_id in (desk_center["afternoon"], desk_center["tomorrow"], later)
    ]
    positions = [table.index(link) for link in order]
    assert positions == sorted(positions)
    assert f'/desk/bookings/{desk_center["morning"]}"' not in table  # paid in full


async def test_a_member_cannot_open_the_unpaid_list(client, desk_center):
    await login(client, "member1")
    assert (await client.get("/desk/unpaid")).status_code == 403


async def test_the_rules_page_saves_the_deadline_and_the_instructions(client, desk_center):
    await login(client, "manager1")
    form = (await client.get("/manage/booking-rules")).text
    assert 'name="pay_days_before"' in form and 'name="payment_instructions"' in form
    values = await _rules_form_values(client)
    saved = await post_form(
        client,
        "/manage/booking-rules",
        {**values, "pay_days_before": "7", "payment_instructions": "1階受付でお支払いください。"},
    )
    assert saved.status_code == 303, saved.text[:2000]
    row = await PaymentSettings.select().first()
    assert (row["pay_days_before"], row["payment_instructions"]) == (7, "1階受付でお支払いください。")


async def test_a_bad_deadline_is_refused_and_changes_nothing(client, desk_center):
    await login(client, "manager1")
    values = await _rules_form_values(client)
    refused = await post_form(client, "/manage/booking-rules", {**values, "pay_days_before": "-2"})
    assert refused.status_code == 400
    assert 'id="pay_days_before-error"' in refused.text
    assert (await payment_settings.load_settings())["pay_days_before"] == 0


async def _rules_form_values(client) -> dict[str, str]:
    """Every number field of the booking rules form with the value the page shows."""
    form = (await client.get("/manage/booking-rules")).text
    return dict(re.findall(r'name="([a-z_]+(?:-[a-z]+)*-?\d*)" type="number" value="(\d+)"', form))


async def test_the_staff_booking_page_and_the_manager_queue_show_the_payment_state(client, desk_center):
    await record_payment(desk_center["tomorrow"], DESK, 100)
    await login(client, "manager1")
    staff_page = text_of((await client.get(f"/manage/bookings/{desk_center['tomorrow']}")).text)
    assert "◐ 一部納付" in staff_page and "未納額：¥500" in staff_page
    queue = await client.get(f"/manage/bookings?status=approved&from={desk_center['day'].isoformat()}")
    assert "納付状況" in queue.text
    assert "◐ 一部納付" in text_of(queue.text) and "⚠ 未納" in text_of(queue.text)
