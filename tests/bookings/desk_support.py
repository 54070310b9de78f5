"""Shared set-up for the front desk tests (no tests here): a center with two rooms open all day,
groups, desk staff, and bookings today made straight in the database (the desk deals with
bookings made earlier; their times here do not depend on when the tests run)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from bookings.fees import ensure_default_rules
from bookings.service import ensure_default_refund_rules, permit_number
from bookings.tables import Booking
from center.accounts.actors import ActorRef
from center.ledger.service import take_hold
from center.lib.dates import local_instant, today
from tests.helpers import make_calendar, make_group, make_room, make_user
from tests.snapshots import snapshot

FEES = {"morning": (600, 200), "afternoon": (800, 250), "evening": (800, 250)}
DESK = ActorRef(None, "desk", staff=True)


async def make_booking(
    room: int,
    group: int,
    day: date,
    start: str,
    end: str,
    *,
    status: str = "approved",
    fee: int = 600,
    purpose: str = "定例会",
    slots: str = "morning",
    expected: int = 10,
) -> int:
    """An approved booking with its hold and permit number, as approval leaves it."""
    starts_at = local_instant(day, time.fromisoformat(start))
    ends_at = local_instant(day, time.fromisoformat(end))
    now = datetime.now(UTC)
    rows = await Booking.insert(
        Booking(
            group=group,
            room=room,
            starts_at=starts_at,
            ends_at=ends_at,
            slot_codes=slots,
            purpose=purpose,
            expected_head_count=expected,
            contact_name="代表 太郎",
            contact_phone="0144-00-0000",
            status=status,
            room_fee=fee,
            fee_total=fee,
            created_at=now,
            updated_at=now,
        )
    ).returning(Booking.id)
    booking_id = rows[0]["id"]
    hold = await take_hold(room, starts_at, ends_at, "booking", ref=booking_id, label=purpose)
    await Booking.update(
        {Booking.hold: hold.id, Booking.permit_number: permit_number(booking_id, starts_at)}
    ).where(Booking.id == booking_id)
    return booking_id


@pytest.fixture
async def desk_center(db):
    """A small center on a day of use, with the clock at 10:30 Japan time on that day (ticking on):
    the desk acts on "now" (walk-ins take the rest of the current slot), so its tests must not
    depend on the hour the suite happens to run at."""
    with time_machine.travel(local_instant(today(), time(10, 30)), tick=True):
        yield await snapshot(_desk_center)  # built once per worker and day, then restored


async def _desk_center() -> dict:
    slots = await make_calendar(opens="00:00", closes="23:59", heating=(1, 12))
    await ensure_default_rules()
    await ensure_default_refund_rules()
    hall = await make_room(
        code="hall", name_ja="多目的ホール", capacity=100, floor=2, fees=FEES, slot_ids=slots
    )
    meeting = await make_room(fees=FEES, slot_ids=slots)
    member = await make_user("member1")
    salon = await make_group(
        "いきいきシニアサロン若草", members=(member,), name_kana="イキイキシニアサロンワカクサ"
    )
    suisai = await make_group("苫小牧水彩画同好会", name_kana="トマコマイスイサイガドウコウカイ")
    desk_user = await make_user("desk1", ("front_desk",))
    await make_user("manager1", ("manager",))
    day = today()
    morning = await make_booking(hall, salon, day, "09:00", "12:00", purpose="健康体操")
    afternoon = await make_booking(meeting, suisai, day, "13:00", "17:00", fee=800, slots="afternoon")
    tomorrow = await make_booking(hall, salon, day + timedelta(days=1), "09:00", "12:00")
    return {
        "slots": slots,
        "hall": hall,
        "meeting": meeting,
        "salon": salon,
        "suisai": suisai,
        "desk_user": desk_user,
        "day": day,
        "morning": morning,
        "afternoon": afternoon,
        "tomorrow": tomorrow,
    }


async def booking(booking_id: int) -> dict:
    return await Booking.select().where(Booking.id == booking_id).first()
