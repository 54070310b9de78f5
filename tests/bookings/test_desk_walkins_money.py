"""Walk-ins (rooms free now, booked and approved on the spot at the usual fees), payments with
numbered receipts, refunds for cancellations, the day's cash summary, and the printouts."""

from __future__ import annotations

import io
from datetime import datetime, time

import pytest
from pypdf import PdfReader

from bookings import desk_payments, desk_printouts, desk_walkins
from bookings.service import BookingTaken, cancel
from bookings.tables import Booking, Payment
from center.accounts.tables import AuditEntry, Group
from center.lib.dates import local_instant
from center.lib.errors import ValidationFailed
from tests.bookings import desk_support as support
from tests.bookings.desk_support import DESK, booking
from tests.helpers import login, post_form

pytestmark = pytest.mark.anyio
desk_center = support.desk_center


def at(day, clock: str) -> datetime:
    return local_instant(day, time.fromisoformat(clock))


async def test_free_now_offers_the_rest_of_the_current_slot_and_later_free_slots(desk_center):
    pieces = await desk_walkins.free_now(at(desk_center["day"], "10:30"))
    offered = {(piece.room["code"], piece.slot_code) for piece in pieces}
    assert offered == {
        ("meeting1", "morning"),
        ("hall", "afternoon"),
        ("hall", "evening"),
        ("meeting1", "evening"),
    }
    current = next(piece for piece in pieces if piece.current)
    assert current.starts_at == at(desk_center["day"], "10:30")


async def test_an_individual_walk_in_is_booked_approved_and_priced_by_the_fee_rules(desk_center):
    now = at(desk_center["day"], "10:30")
    walk_in = desk_walkins.WalkIn(
        room_id=desk_center["meeting"],
        slot_codes=["morning"],
        purpose="自習",
        head_count=2,
        name="山田 花子",
        phone="090-0000-0000",
    )
    booking_id = await desk_walkins.book_walk_in(walk_in, DESK, now)
    row = await booking(booking_id)
    assert (row["status"], row["walk_in"], row["walk_in_name"], row["override_reason"]) == (
        "approved",
        True,
        "山田 花子",
        "walk-in",
    )
    assert row["starts_at"] == now and row["fee_total"] == 600 + 200 and row["permit_number"]
    group = await Group.select().where(Group.id == row["group"]).first()
    assert group["activity"] == desk_walkins.WALK_IN_GROUP_MARKER
    assert await AuditEntry.count().where(AuditEntry.action == "walk_in") == 1
    # the system group is made once
    again = desk_walkins.WalkIn(desk_center["meeting"], ["evening"], "自習", 1, name="鈴木", phone="0144")
    await desk_walkins.book_walk_in(again, DESK, now)
    assert await Group.count().where(Group.activity == desk_walkins.WALK_IN_GROUP_MARKER) == 1


async def test_a_registered_groups_walk_in_gets_its_fee_reduction(desk_center):
    await Group.update({Group.reduction: "welfare"}).where(Group.id == desk_center["salon"])
    walk_in = desk_walkins.WalkIn(
        desk_center["hall"], ["afternoon"], "打ち合わせ", 5, group_id=desk_center["salon"]
    )
    row = await booking(await desk_walkins.book_walk_in(walk_in, DESK, at(desk_center["day"], "12:30")))
    assert row["walk_in_name"] == "" and row["reduction_fee"] == 800 and row["fee_total"] == 250


async def test_a_walk_in_into_a_taken_room_or_without_a_name_changes_nothing(desk_center):
    now = at(desk_center["day"], "10:30")
    with pytest.raises(BookingTaken):
        await desk_walkins.book_walk_in(
            desk_walkins.WalkIn(desk_center["hall"], ["morning"], "会議", 3, name="山田", phone="1"),
            DESK,
            now,
        )
    with pytest.raises(ValidationFailed) as invalid:
        await desk_walkins.book_walk_in(
            desk_walkins.WalkIn(desk_center["meeting"], ["morning"], "会議", 3), DESK, now
        )
    assert set(invalid.value.errors) == {"name", "phone"}
    with pytest.raises(ValidationFailed):
        await desk_walkins.book_walk_in(
            desk_walkins.WalkIn(desk_center["meeting"], ["morning"], "会議", 3, name="山田", phone="1"),
            DESK,
            at(desk_center["day"], "12:30"),
        )
    assert await Booking.count() == 3


async def test_payments_take_numbered_receipts_and_never_more_than_is_due(desk_center):
    first = await desk_payments.record_payment(desk_center["morning"], DESK, 400)
    receipt = (await Payment.select().where(Payment.id == first).first())["receipt_number"]
    assert receipt.startswith("R") and receipt.endswith("00001")
    with pytest.raises(ValidationFailed) as over:
        await desk_payments.record_payment(desk_center["morning"], DESK, 201)
    assert "amount" in over.value.errors
    with pytest.raises(ValidationFailed) as duplicate:
        await desk_payments.record_payment(desk_center["morning"], DESK, 200, receipt_number=receipt)
    assert "receipt_number" in duplicate.value.errors
    await desk_payments.record_payment(desk_center["morning"], DESK, 200, method="other")
    assert await Payment.count() == 2
    assert await AuditEntry.count().where(AuditEntry.entity == "payment") == 2


async def test_a_cancelled_bookings_refund_is_paid_out_once_and_the_day_balances(desk_center):
    await desk_payments.record_payment(desk_center["tomorrow"], DESK, 600)
    await desk_payments.record_payment(desk_center["afternoon"], DESK, 800, method="other")
    with pytest.raises(ValidationFailed):
        await desk_payments.pay_refund(desk_center["tomorrow"], DESK, 600)  # not cancelled
    cancelled = await cancel(desk_center["tomorrow"], DESK, "団体の都合")
    refund = cancelled["refund_due"]
    with pytest.raises(ValidationFailed):
        await desk_payments.pay_refund(desk_center["tomorrow"], DESK, refund + 1)
    if refund:
        await desk_payments.pay_refund(desk_center["tomorrow"], DESK, refund)
    summary = await desk_payments.cash_summary(desk_center["day"])
    assert summary.balances
    assert (summary.payments, summary.refunds, summary.net) == (1400, refund, 1400 - refund)
    cash = next(total for total in summary.methods if total.method == "cash")
    assert cash.net == 600 - refund


async def test_the_desk_books_a_walk_in_and_takes_the_fee_over_http(client, desk_center):
    await login(client, "desk1")
    page = await client.get("/desk/walk-in")
    assert page.status_code == 200
    refused = await post_form(
        client,
        "/desk/walk-in",
        {"room": str(desk_center["meeting"]), "slots": "evening", "purpose": "", "head_count": "-1"},
    )
    assert refused.status_code == 400 and 'role="alert"' in refused.text
    made = await post_form(
        client,
        "/desk/walk-in",
        {
            "room": str(desk_center["meeting"]),
            "slots": "evening",
            "purpose": "自習",
            "head_count": "2",
            "name": "山田",
            "phone": "090",
        },
    )
    assert made.status_code == 303, made.text[:2000]
    booking_id = int(made.headers["location"].rsplit("/", 1)[1])
    fee = (await booking(booking_id))["fee_total"]
    assert fee == 800 + 250  # the evening slot and its heating fee, as an online request would cost
    paid = await post_form(
        client,
        f"/desk/bookings/{booking_id}/payments",
        {"amount": str(fee), "method": "cash", "receipt_number": ""},
    )
    assert paid.status_code == 303
    too_much = await post_form(
        client, f"/desk/bookings/{booking_id}/payments", {"amount": "1", "method": "cash"}
    )
    assert too_much.status_code in (400, 409)
    cash = await client.get("/desk/cash")
    assert "¥1,050" in cash.text and "✓" in cash.text
    payment = await Payment.select().first()
    pdf = await client.get(f"/desk/payments/{payment['id']}/receipt.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert payment["receipt_number"] in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()


async def test_the_day_sheet_lists_every_room_and_hold_and_the_key_log_the_keys(client, desk_center):
    from bookings.desk_checkin import check_in

    await check_in(desk_center["morning"], DESK, head_count=12, key_number="K-7")
    await login(client, "desk1")
    sheet = await client.get("/desk/day-sheet.pdf")
    assert sheet.status_code == 200 and sheet.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(sheet.content))
    box = reader.pages[0].mediabox
    assert box.width > box.height  # landscape
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    for expected in (
        "利用日誌",
        "多目的ホール",
        "会議室1",
        "いきいきシニアサロン若草",
        "苫小牧水彩画同好会",
        "K-7",
    ):
        assert expected in text
    keys = await client.get("/desk/key-log.pdf")
    key_text = PdfReader(io.BytesIO(keys.content)).pages[0].extract_text().replace("\n", "")
    assert "K-7" in key_text and "鍵の貸出簿" in key_text
    context = await desk_printouts.day_sheet_context(desk_center["day"])
    assert [entry["name"] for entry in context["rooms"]] == ["多目的ホール", "会議室1"]


async def test_an_individual_from_outside_the_city_for_commercial_use_pays_the_surcharges(desk_center):
    from bookings.fees import Payer, quote
    from center.places.tables import Room

    now = at(desk_center["day"], "10:30")
    room = await Room.select().where(Room.id == desk_center["meeting"]).first()
    plain = await quote(room, desk_center["day"], Payer(), slot_codes=["morning"])
    outside = desk_walkins.WalkIn(
        desk_center["meeting"], ["morning"], "販売会", 3, name="佐藤", phone="011", outside_city=True
    )
    _, fee = await desk_walkins.preview_walk_in(outside, now)
    expected = await quote(room, desk_center["day"], Payer(in_city=False), slot_codes=["morning"])
    assert fee.total == expected.total and fee.surcharge_fee > 0 and fee.total > plain.total
    both = desk_walkins.WalkIn(
        desk_center["meeting"],
        ["morning"],
        "販売会",
        3,
        name="佐藤",
        phone="011",
        outside_city=True,
        commercial=True,
    )
    row = await booking(await desk_walkins.book_walk_in(both, DESK, now))
    expected = await quote(
        room, desk_center["day"], Payer(in_city=False, commercial=True), slot_codes=["morning"]
    )
    assert (row["fee_total"], row["surcharge_fee"]) == (expected.total, expected.surcharge_fee)
    assert row["outside_city"] and row["commercial"] and expected.surcharge_fee > fee.surcharge_fee


async def test_the_desk_marks_a_walk_in_commercial_over_http(client, desk_center):
    from bookings.fees import Payer, quote
    from center.places.tables import Room

    await login(client, "desk1")
    form = {
        "room": str(desk_center["meeting"]),
        "slots": "evening",
        "name": "佐藤",
        "phone": "011",
        "purpose": "販売会",
        "head_count": "3",
        "commercial": "on",
    }
    preview = await post_form(client, "/desk/walk-in", {**form, "action": "preview"})
    assert (
        preview.status_code == 200 and 'id="commercial" name="commercial" value="on" checked' in preview.text
    )
    assert (await post_form(client, "/desk/walk-in", form)).status_code == 303
    row = await Booking.select().where(Booking.walk_in == True).first()
    room = await Room.select().where(Room.id == desk_center["meeting"]).first()
    expected = await quote(room, desk_center["day"], Payer(commercial=True), slot_codes=["evening"])
    assert row["commercial"] and not row["outside_city"] and row["fee_total"] == expected.total
