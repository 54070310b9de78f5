"""Fees: slot fees, the heating fee in season, surcharges and reductions (減免)."""

from datetime import date

import pytest

from bookings.fees import Payer, ensure_default_rules, line_text, quote
from center.lib.i18n import current_locale
from center.places.tables import Room
from tests.helpers import make_calendar, make_room
from tests.snapshots import snapshot_fixture

pytestmark = pytest.mark.anyio

FEES = {"morning": (600, 200), "afternoon": (800, 250), "evening": (800, 250)}


@pytest.fixture
@snapshot_fixture
async def room(db):
    slots = await make_calendar()
    await ensure_default_rules()
    room_id = await make_room(fees=FEES, slot_ids=slots)
    return await Room.select().where(Room.id == room_id).first()


async def test_slot_fees_add_up_without_heating_in_summer(room):
    fee = await quote(room, date(2026, 7, 7), Payer(), slot_codes=["morning", "afternoon"])
    assert (fee.room_fee, fee.heating_fee, fee.surcharge_fee, fee.reduction_fee) == (1400, 0, 0, 0)
    assert fee.total == 1400


async def test_heating_fee_is_charged_from_october_to_april(room):
    for day in (date(2026, 10, 1), date(2026, 12, 24), date(2027, 4, 30)):
        assert (await quote(room, day, Payer(), slot_codes=["evening"])).heating_fee == 250
    assert (await quote(room, date(2027, 5, 1), Payer(), slot_codes=["evening"])).heating_fee == 0


async def test_commercial_use_doubles_the_room_fee_and_outside_city_adds_half(room):
    commercial = await quote(room, date(2026, 7, 7), Payer(commercial=True), slot_codes=["morning"])
    assert (commercial.room_fee, commercial.surcharge_fee, commercial.total) == (600, 600, 1200)
    outside = await quote(room, date(2026, 7, 7), Payer(in_city=False), slot_codes=["morning"])
    assert (outside.surcharge_fee, outside.total) == (300, 900)
    both = await quote(room, date(2026, 7, 7), Payer(commercial=True, in_city=False), slot_codes=["morning"])
    assert both.total == 1800


async def test_welfare_groups_pay_no_room_fee_but_pay_heating(room):
    fee = await quote(room, date(2026, 12, 1), Payer(reduction="welfare"), slot_codes=["morning"])
    assert (fee.room_fee, fee.heating_fee, fee.reduction_fee, fee.total) == (600, 200, 600, 200)
    assert fee.reduction_category == "welfare"


async def test_public_interest_groups_pay_half_the_room_fee(room):
    fee = await quote(room, date(2026, 7, 7), Payer(reduction="public_interest"), slot_codes=["afternoon"])
    assert (fee.reduction_fee, fee.total) == (400, 400)
    assert fee.reduction_category == "public_interest"


async def test_commercial_use_gets_no_reduction(room):
    fee = await quote(
        room, date(2026, 7, 7), Payer(reduction="welfare", commercial=True), slot_codes=["morning"]
    )
    assert fee.reduction_fee == 0
    assert fee.reduction_category == "none"  # nothing was granted


async def test_hourly_rooms_are_priced_by_the_minute_rounded_down(db):
    await make_calendar()
    room_id = await make_room(code="hall", booked_by="hour", hourly_fee=1000, hourly_heating_fee=300)
    hall = await Room.select().where(Room.id == room_id).first()
    fee = await quote(hall, date(2026, 11, 30), Payer(), minutes=90)
    assert (fee.room_fee, fee.heating_fee) == (1500, 450)


async def test_breakdown_lines_read_in_japanese_and_english(room):
    fee = await quote(room, date(2026, 12, 1), Payer(reduction="welfare"), slot_codes=["morning"])
    token = current_locale.set("ja")
    try:
        texts = [line_text(line) for line in fee.lines]
    finally:
        current_locale.reset(token)
    assert any("午前" in text for text in texts)
    assert any("減免" in text for text in texts)
    token = current_locale.set("en")
    try:
        assert any("Morning" in line_text(line) for line in fee.lines)
    finally:
        current_locale.reset(token)
