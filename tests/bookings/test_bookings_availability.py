"""Availability: week grids, month views and the free-slot search, from the calendar and the ledger."""

from datetime import time, timedelta

import pytest

from bookings.availability import (
    CLOSED,
    DESK_ONLY,
    FREE,
    HELD,
    NOT_OFFERED,
    NOT_YET_OPEN,
    PAST,
    Search,
    grid,
    search,
)
from bookings.fees import ensure_default_rules
from bookings.rules import BookingRequest, add_months
from bookings.service import approve, request_booking
from bookings.tables import BookingPolicy
from center.accounts.actors import ActorRef
from center.ledger.service import take_hold
from center.lib.dates import local_instant, today
from center.places.rooms import RoomFilters, room_by_id
from center.places.tables import ClosedDay
from tests.helpers import make_calendar, make_group, make_room, make_user
from tests.snapshots import snapshot_fixture

pytestmark = pytest.mark.anyio

FEES = {"morning": (600, 200), "afternoon": (800, 250), "evening": (800, 250)}
STAFF = ActorRef(None, "desk", staff=True)


@pytest.fixture
@snapshot_fixture
async def center(db):
    slots = await make_calendar()
    await ensure_default_rules()
    meeting = await make_room(fees=FEES, slot_ids=slots, equipment=["whiteboard"])
    hall = await make_room(
        code="hall",
        name_ja="多目的ホール",
        capacity=100,
        floor=2,
        fees=FEES,
        slot_ids=slots,
        equipment=["projector", "screen", "microphone"],
    )
    studio = await make_room(
        code="studio",
        name_ja="料理実習室",
        capacity=24,
        floor=1,
        fees={"morning": (500, 100)},
        slot_ids=slots,
        step_free=False,
    )
    user = await make_user("member1")
    group = await make_group("水彩画同好会", members=(user,))
    return {"meeting": meeting, "hall": hall, "studio": studio, "group": group}


async def test_week_grid_marks_free_taken_closed_past_and_not_offered_cells(center):
    day = today() + timedelta(days=10)
    booking = await request_booking(
        BookingRequest(
            room_id=center["hall"],
            day=day,
            slot_codes=["afternoon"],
            purpose="水彩画展示会",
            expected_head_count=40,
            public=True,
            public_title="水彩画展",
        ),
        center["group"],
        STAFF,
    )
    await approve(booking, STAFF)
    private = await request_booking(
        BookingRequest(
            room_id=center["meeting"],
            day=day,
            slot_codes=["morning"],
            purpose="役員会",
            expected_head_count=8,
        ),
        center["group"],
        STAFF,
    )
    await approve(private, STAFF)
    closed = day + timedelta(days=1)
    await ClosedDay.insert(ClosedDay(starts_on=closed, ends_on=closed, reason_ja="設備点検"))

    week = await grid(today() - timedelta(days=1), day + timedelta(days=1))
    assert week.cell(center["hall"], day, "afternoon").state == HELD
    assert week.cell(center["hall"], day, "afternoon").label == "水彩画展"  # public: the title is shown
    assert week.cell(center["meeting"], day, "morning").state == HELD
    assert week.cell(center["meeting"], day, "morning").label == ""  # private: no group details
    assert week.cell(center["hall"], day, "morning").state == FREE
    assert week.cell(center["hall"], closed, "morning").state == CLOSED
    assert week.cell(center["studio"], day, "evening").state == NOT_OFFERED
    assert week.cell(center["hall"], today() - timedelta(days=1), "morning").state == PAST


async def test_closures_and_screenings_show_in_the_grid(center):
    day = today() + timedelta(days=5)
    await take_hold(
        center["hall"],
        local_instant(day, time(13)),
        local_instant(day, time(14)),
        "screening",
        label="簡単体操の上映",
    )
    week = await grid(day, day)
    cell = week.cell(center["hall"], day, "afternoon")
    assert (cell.state, cell.label) == (HELD, "簡単体操の上映")


async def test_filters_narrow_the_rooms(center):
    day = today() + timedelta(days=3)
    assert [r["code"] for r in (await grid(day, day, RoomFilters(min_capacity=50))).rooms] == ["hall"]
    assert [r["code"] for r in (await grid(day, day, RoomFilters(equipment=["projector"]))).rooms] == ["hall"]
    assert [r["code"] for r in (await grid(day, day, RoomFilters(floor=1))).rooms] == ["studio"]
    assert "studio" not in [r["code"] for r in (await grid(day, day, RoomFilters(step_free=True))).rooms]


async def test_search_finds_a_room_for_30_with_a_projector_on_tuesday_evenings(center):
    start = today() + timedelta(days=7)
    end = start + timedelta(days=27)
    found = await search(
        Search(
            start=start,
            end=end,
            min_capacity=30,
            equipment=("projector",),
            weekdays=(1,),
            slot_codes=("evening",),
        )
    )
    assert found, "some Tuesday evening must be free"
    assert all(
        room["code"] == "hall" and cell.day.weekday() == 1 and cell.slot_code == "evening"
        for room, cell in found
    )
    first_room, first = found[0]
    await request_booking(
        BookingRequest(
            room_id=first_room["id"],
            day=first.day,
            slot_codes=["evening"],
            purpose="講演会",
            expected_head_count=30,
        ),
        center["group"],
        STAFF,
    )
    again = await search(
        Search(
            start=start,
            end=end,
            min_capacity=30,
            equipment=("projector",),
            weekdays=(1,),
            slot_codes=("evening",),
        )
    )
    assert first.day not in [cell.day for _, cell in again]


async def test_a_lottery_rooms_undrawn_month_shows_by_lottery_not_free(center):
    from datetime import date

    from bookings.availability import LOTTERY
    from bookings.tables import LotteryRoom, LotteryRound

    day = today() + timedelta(days=40)
    month = f"{day.year}-{day.month:02d}"
    await LotteryRoom.insert(LotteryRoom(room=center["hall"]))
    await LotteryRound.insert(
        LotteryRound(
            month=month,
            opens_on=today(),
            closes_on=today(),
            draw_on=today(),
            confirm_by=date(day.year, day.month, 1) - timedelta(days=1),
            status="open",
        )
    )
    week = await grid(day, day)
    assert week.cell(center["hall"], day, "morning").state == LOTTERY
    assert week.cell(center["meeting"], day, "morning").state == FREE
    await LotteryRound.update({LotteryRound.status: "drawn"}).where(LotteryRound.month == month)
    assert (await grid(day, day)).cell(center["hall"], day, "morning").state == FREE


async def test_free_slots_outside_the_online_request_window_are_not_shown_as_free(center):
    """Online, a free slot sooner than the policy's "from 3 days ahead" reads "ask at the front
    desk" and one beyond "up to 6 months ahead" reads "not yet open"; staff, who may override the
    policy, see both as free; the search offers neither online."""
    soon, in_window = today() + timedelta(days=1), today() + timedelta(days=3)
    far = add_months(today(), 6) + timedelta(days=1)
    for day, state in ((soon, DESK_ONLY), (in_window, FREE), (far, NOT_YET_OPEN)):
        online = await grid(day, day, rooms=[await room_by_id(center["hall"])])
        assert online.cell(center["hall"], day, "evening").state == state, day
        staff = await grid(day, day, rooms=[await room_by_id(center["hall"])], online=False)
        assert staff.cell(center["hall"], day, "evening").state == FREE, day

    query = Search(start=soon, end=in_window, min_capacity=50)
    assert {cell.day for _, cell in await search(query)} == {in_window}
    staff_query = Search(start=soon, end=in_window, min_capacity=50, online=False)
    assert {cell.day for _, cell in await search(staff_query)} == {soon + timedelta(days=n) for n in range(3)}

    # The window follows the manager's policy.
    await BookingPolicy.update({BookingPolicy.book_from_days: 1}, force=True)
    online = await grid(soon, soon, rooms=[await room_by_id(center["hall"])])
    assert online.cell(center["hall"], soon, "evening").state == FREE
