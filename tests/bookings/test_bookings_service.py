"""Booking requests: the tentative hold, the rules, approval, decline, cancellation, lapse, moves."""

from datetime import UTC, datetime, timedelta

import pytest

from bookings.fees import ensure_default_rules
from bookings.rules import BookingRequest
from bookings.service import (
    BadTransition,
    BookingTaken,
    approve,
    cancel,
    decline,
    ensure_default_refund_rules,
    lapse_due,
    refund_due,
    request_booking,
)
from bookings.staff_moves import move
from bookings.tables import Booking, BookingPolicy
from center.accounts.actors import ActorRef
from center.ledger.tables import Hold
from center.lib.dates import today
from center.lib.errors import DomainError, NotFound, ValidationFailed
from center.places.tables import ClosedDay
from tests.helpers import make_calendar, make_group, make_room, make_user
from tests.snapshots import snapshot_fixture

pytestmark = pytest.mark.anyio

FEES = {"morning": (600, 200), "afternoon": (800, 250), "evening": (800, 250)}
MEMBER = ActorRef(None, "member")
STAFF = ActorRef(None, "desk", staff=True)


@pytest.fixture
@snapshot_fixture
async def center(db):
    slots = await make_calendar()
    await ensure_default_rules()
    await ensure_default_refund_rules()
    room = await make_room(fees=FEES, slot_ids=slots)
    other = await make_room(code="meeting2", name_ja="会議室2", capacity=30, fees=FEES, slot_ids=slots)
    small = await make_room(
        code="volunteer", name_ja="ボランティア活動室", capacity=8, fees=FEES, slot_ids=slots
    )
    user = await make_user("member1")
    group = await make_group("いきいきサロン", members=(user,), reduction="welfare")
    return {"room": room, "other": other, "small": small, "group": group, "user": user}


def ask(center, days_ahead=14, slots=("morning",), **fields) -> BookingRequest:
    return BookingRequest(
        room_id=fields.pop("room_id", center["room"]),
        day=today() + timedelta(days=days_ahead),
        slot_codes=list(slots),
        purpose=fields.pop("purpose", "健康体操教室"),
        expected_head_count=fields.pop("expected_head_count", 15),
        **fields,
    )


async def counts() -> tuple[int, int]:
    return await Booking.count(), await Hold.count()


async def test_a_request_takes_a_tentative_hold_at_once(center):
    booking_id = await request_booking(ask(center, slots=("morning", "afternoon")), center["group"], MEMBER)
    booking = await Booking.select().where(Booking.id == booking_id).first()
    assert booking["status"] == "requested"
    assert booking["lapses_at"] > datetime.now(UTC) + timedelta(days=9)
    hold = await Hold.select().where(Hold.id == booking["hold"]).first()
    assert hold["active"] and hold["kind"] == "booking" and hold["ref"] == booking_id
    # morning + afternoon hold 9:00-17:00 Tokyo = 0:00-8:00 UTC, the lunch hour included
    assert (hold["ends_at"] - hold["starts_at"]) == timedelta(hours=8)
    assert booking["room_fee"] == 1400 and booking["reduction_fee"] == 1400
    # The category the reduction was granted under is kept with the booking, for the income report.
    assert booking["reduction_category"] == "welfare"


async def test_a_taken_slot_is_refused_with_free_alternatives(center):
    await request_booking(ask(center), center["group"], MEMBER)
    with pytest.raises(BookingTaken) as refused:
        await request_booking(ask(center, purpose="別の会議"), center["group"], MEMBER)
    assert [c.room_id for c in refused.value.conflicts] == [center["room"]]
    assert [room["id"] for room in refused.value.alternatives] == [
        center["other"]
    ]  # the 8-seat room is too small
    assert await counts() == (1, 1)


async def test_the_next_slot_is_free_because_ranges_are_half_open(center):
    await request_booking(ask(center, slots=("morning",)), center["group"], MEMBER)
    await request_booking(ask(center, slots=("afternoon",)), center["group"], MEMBER)
    assert await counts() == (2, 2)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"days_ahead": -1}, "day"),
        ({"days_ahead": 1}, "day"),  # online requests close 3 days before
        ({"days_ahead": 400}, "day"),  # opens 6 months ahead
        ({"expected_head_count": 25}, "expected_head_count"),
        ({"expected_head_count": 0}, "expected_head_count"),
        ({"purpose": ""}, "purpose"),
        ({"purpose": "あ" * 201}, "purpose"),
        ({"slots": ("morning", "evening")}, "slots"),
        ({"slots": ()}, "slots"),
        ({"slots": ("midnight",)}, "slots"),
        ({"public": True}, "public_title"),
        ({"contact_phone": "0" * 41}, "contact_phone"),
    ],
)
async def test_bad_requests_are_refused_and_change_nothing(center, change, field):
    with pytest.raises(ValidationFailed) as refused:
        await request_booking(ask(center, **change), center["group"], MEMBER)
    assert field in refused.value.errors
    assert await counts() == (0, 0)


async def test_a_closed_day_cannot_be_booked(center):
    day = today() + timedelta(days=14)
    await ClosedDay.insert(ClosedDay(starts_on=day, ends_on=day, reason_ja="設備点検"))
    with pytest.raises(ValidationFailed) as refused:
        await request_booking(ask(center), center["group"], MEMBER)
    assert refused.value.errors == {"day": "The center is closed on that day."}


async def test_a_group_that_is_not_approved_cannot_book(center):
    pending = await make_group("申請中の団体", status="pending")
    with pytest.raises(ValidationFailed) as refused:
        await request_booking(ask(center), pending, MEMBER)
    assert "group" in refused.value.errors


async def test_a_group_may_hold_only_so_many_future_bookings(center):
    await BookingPolicy.insert(BookingPolicy(max_future_bookings=2))
    await request_booking(ask(center, days_ahead=10), center["group"], MEMBER)
    await request_booking(ask(center, days_ahead=11), center["group"], MEMBER)
    with pytest.raises(ValidationFailed) as refused:
        await request_booking(ask(center, days_ahead=12), center["group"], MEMBER)
    assert "group" in refused.value.errors


async def test_staff_may_override_the_policy_with_a_recorded_reason(center):
    booking_id = await request_booking(
        ask(center, days_ahead=1), center["group"], STAFF, override_reason="電話予約・急な会議"
    )
    booking = await Booking.select().where(Booking.id == booking_id).first()
    assert booking["override_reason"] == "電話予約・急な会議"
    with pytest.raises(ValidationFailed):  # a member's reason is not an override
        await request_booking(
            ask(center, days_ahead=1, slots=("evening",)), center["group"], MEMBER, override_reason="please"
        )


async def test_approval_gives_a_permit_number_and_keeps_the_hold(center):
    booking_id = await request_booking(ask(center), center["group"], MEMBER)
    approved = await approve(booking_id, STAFF)
    assert approved["status"] == "approved" and approved["permit_number"].endswith(f"-{booking_id:06d}")
    assert approved["lapses_at"] is None
    with pytest.raises(BadTransition):
        await approve(booking_id, STAFF)


async def test_decline_needs_a_reason_and_frees_the_slot(center):
    booking_id = await request_booking(ask(center), center["group"], MEMBER)
    with pytest.raises(ValidationFailed):
        await decline(booking_id, STAFF, "  ")
    declined = await decline(booking_id, STAFF, "同じ日に館の行事があるため")
    assert declined["decision_reason"] == "同じ日に館の行事があるため"
    assert await Hold.count().where(Hold.active == True) == 0
    await request_booking(ask(center), center["group"], MEMBER)  # the slot is free again


async def test_unapproved_requests_lapse_and_free_the_slot(center):
    booking_id = await request_booking(ask(center), center["group"], MEMBER)
    assert await lapse_due() == []
    assert await lapse_due(datetime.now(UTC) + timedelta(days=11)) == [booking_id]
    assert (await Booking.select(Booking.status).where(Booking.id == booking_id).first())[
        "status"
    ] == "lapsed"
    assert await Hold.count().where(Hold.active == True) == 0
    assert await lapse_due(datetime.now(UTC) + timedelta(days=11)) == []  # idempotent


async def test_members_cancel_their_own_booking_and_the_refund_is_recorded(center):
    booking_id = await request_booking(
        ask(center, days_ahead=25, slots=("evening",)), center["group"], MEMBER
    )
    await approve(booking_id, STAFF)
    with pytest.raises(NotFound):
        await cancel(booking_id, MEMBER, group_ids=(center["group"] + 100,))
    cancelled = await cancel(booking_id, MEMBER, group_ids=(center["group"],))
    assert cancelled["status"] == "cancelled"
    assert await Hold.count().where(Hold.active == True) == 0


async def test_members_cannot_cancel_online_after_the_deadline(center):
    await BookingPolicy.insert(BookingPolicy(cancel_online_until_days=3))
    booking_id = await request_booking(
        ask(center, days_ahead=2), center["group"], STAFF, override_reason="電話"
    )
    with pytest.raises(DomainError):
        await cancel(booking_id, MEMBER, group_ids=(center["group"],))
    with pytest.raises(ValidationFailed):
        await cancel(booking_id, STAFF, "")
    assert (await cancel(booking_id, STAFF, "団体から電話で取消"))["status"] == "cancelled"


async def test_refunds_follow_the_days_before_use(center):
    booking = {
        "status": "approved",
        "room_fee": 800,
        "surcharge_fee": 0,
        "reduction_fee": 0,
        "heating_fee": 250,
        "starts_at": datetime(2026, 12, 31, 9, tzinfo=UTC),
    }
    assert await refund_due(booking, datetime(2026, 12, 1, tzinfo=UTC)) == 1050  # 30 days: all
    assert await refund_due(booking, datetime(2026, 12, 18, tzinfo=UTC)) == 650  # 13 days: half + heating
    assert await refund_due(booking, datetime(2026, 12, 28, tzinfo=UTC)) == 250  # 3 days: heating only
    assert await refund_due({**booking, "status": "requested"}, datetime(2026, 12, 1, tzinfo=UTC)) == 0


async def test_staff_move_a_booking_and_cannot_move_it_onto_another(center):
    first = await request_booking(ask(center), center["group"], MEMBER)
    await request_booking(ask(center, room_id=center["other"]), center["group"], MEMBER)
    with pytest.raises(BookingTaken):
        await move(first, STAFF, center["other"], ask(center), "部屋の変更")
    moved = await move(first, STAFF, center["room"], ask(center, slots=("evening",)), "時間の変更")
    assert moved["slot_codes"] == "evening"
    with pytest.raises(DomainError):
        await move(first, MEMBER, center["room"], ask(center), "x")


@pytest.fixture
async def hourly(center):
    from tests.helpers import make_room as _make_room

    hall = await _make_room(
        code="hall", name_ja="多目的ホール", capacity=100, booked_by="hour", hourly_fee=1000
    )
    return {**center, "hall": hall}


def ask_hours(center, start: str, end: str, days_ahead: int = 14) -> BookingRequest:
    from datetime import time

    def clock(text: str) -> time:
        hour, minute = text.split(":")
        return time(int(hour), int(minute))

    return BookingRequest(
        room_id=center["hall"],
        day=today() + timedelta(days=days_ahead),
        start=clock(start),
        end=clock(end),
        purpose="講演会",
        expected_head_count=50,
    )


async def test_rooms_booked_by_the_hour_take_exactly_the_hours_asked(hourly):
    booking_id = await request_booking(ask_hours(hourly, "10:00", "11:30"), hourly["group"], MEMBER)
    booking = await Booking.select().where(Booking.id == booking_id).first()
    assert booking["ends_at"] - booking["starts_at"] == timedelta(minutes=90)
    assert booking["room_fee"] == 1500
    with pytest.raises(BookingTaken):
        await request_booking(ask_hours(hourly, "11:00", "12:00"), hourly["group"], MEMBER)
    await request_booking(ask_hours(hourly, "11:30", "12:30"), hourly["group"], MEMBER)  # half-open


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("13:00", "12:00", "end"),
        ("12:00", "12:00", "end"),
        ("20:00", "22:00", "start"),
        ("07:00", "09:30", "start"),
    ],
)
async def test_hourly_requests_ending_before_they_start_or_outside_opening_hours_are_refused(
    hourly, start, end, field
):
    with pytest.raises(ValidationFailed) as refused:
        await request_booking(ask_hours(hourly, start, end), hourly["group"], MEMBER)
    assert field in refused.value.errors
    assert await counts() == (0, 0)
