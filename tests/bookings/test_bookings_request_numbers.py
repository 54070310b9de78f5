"""Every way a booking is made gives it a request number at once: series occurrences, walk-ins
at the desk and lottery wins, like plain requests (tests/bookings/test_bookings_urgent.py)."""

import re
from datetime import date, datetime, time, timedelta

import pytest
import time_machine

from bookings import desk_walkins, lottery, series
from bookings.fees import ensure_default_rules
from bookings.rules import BookingRequest
from bookings.tables import Booking, LotteryRoom
from center.accounts.actors import ActorRef
from center.lib.dates import TOKYO, local_instant
from tests.helpers import make_calendar, make_group, make_room, make_user
from tests.snapshots import snapshot

pytestmark = pytest.mark.anyio

FEES = {"morning": (600, 200), "afternoon": (800, 250), "evening": (800, 250)}
NUMBER = re.compile(r"R-2026-\d{5,}")


@pytest.fixture
async def center(db):
    with time_machine.travel(datetime(2026, 12, 4, 10, 30, tzinfo=TOKYO), tick=True):
        yield await snapshot(_center)  # built once per worker, then restored


async def _center():
    slots = await make_calendar(closes="21:00", heating=(1, 12))
    await ensure_default_rules()
    room = await make_room(code="hall", name_ja="多目的ホール", capacity=100, fees=FEES, slot_ids=slots)
    member = await make_user("member1")
    group = await make_group("子育てサークルひまわり", members=(member,))
    return {"room": room, "group": group, "member": member}


async def _numbers(where) -> list[str | None]:
    return [row["request_number"] for row in await Booking.select(Booking.request_number).where(where)]


async def test_each_occurrence_of_a_series_gets_its_own_number_and_deadline(center):
    start = date(2026, 12, 15)
    request = BookingRequest(center["room"], start, ["morning"], purpose="体操", expected_head_count=8)
    rule = series.Recurrence("weekly", start.weekday(), start, start + timedelta(weeks=2))
    spec = series.SeriesSpec(rule, request)
    days = [start + timedelta(weeks=n) for n in range(3)]
    result = await series.book_series(spec, center["group"], ActorRef(center["member"], "m"), days)
    rows = await Booking.select().where(Booking.series == result.series_id).order_by(Booking.starts_at)
    assert len({row["request_number"] for row in rows}) == 3
    assert all(NUMBER.fullmatch(row["request_number"]) for row in rows)
    # the first use (12/15) is decided by 12/12 21:00, before the ten days run out
    assert rows[0]["lapses_at"] == local_instant(date(2026, 12, 12), time(21))
    assert all(row["lapses_at"] <= row["starts_at"] for row in rows)


async def test_a_walk_in_gets_a_number_as_well_as_its_permit_number(center):
    walk_in = desk_walkins.WalkIn(center["room"], ["morning"], "自習", 2, name="山田 花子", phone="090")
    booking_id = await desk_walkins.book_walk_in(walk_in, ActorRef(None, "desk", staff=True))
    (number,) = await _numbers(Booking.id == booking_id)
    assert number == f"R-2026-{booking_id:05d}"


async def test_a_lottery_win_gets_a_number_when_the_draw_makes_its_booking(center):
    await LotteryRoom.insert(LotteryRoom(room=center["room"], active=True))
    today = date(2026, 12, 4)
    manager = ActorRef(None, "manager", staff=True)
    round_id = await lottery.open_round(
        "2027-02", lottery.Window(today, today, today, today + timedelta(days=3)), manager
    )
    application = lottery.Application(
        round_id=round_id,
        room_id=center["room"],
        day=date(2027, 2, 10),
        slot_code="morning",
        purpose="ダンス発表会",
        expected_head_count=40,
    )
    await lottery.apply(application, center["group"], ActorRef(center["member"], "m"))
    await lottery.draw(round_id, manager)
    (number,) = await _numbers(Booking.lottery_entry.is_not_null())
    assert NUMBER.fullmatch(number)
