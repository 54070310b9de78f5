"""The reference cache inside a write transaction (center.lib.versions): unpinned, the loader always
runs; pinned (reference_pinned, for a transaction that changes no reference table), what the
process keeps for the version the transaction reads is served, and a change committed before it
is read afresh. A booking request, which pins, checks against the rules as they stand."""

from datetime import timedelta

import pytest

from bookings.fees import ensure_default_rules
from bookings.rules import BookingRequest, load_policy
from bookings.service import request_booking
from bookings.tables import Booking, BookingPolicy
from center.accounts.actors import ActorRef
from center.lib.dates import today
from center.lib.db import write_transaction
from center.lib.errors import ValidationFailed
from center.lib.versions import clear_reference_cache, reference_cached, reference_pinned
from tests.helpers import make_calendar, make_group, make_room, make_user

pytestmark = pytest.mark.anyio


class CountingLoader:
    """Reads the policy's tentative days, counting the reads."""

    def __init__(self) -> None:
        self.reads = 0

    async def __call__(self) -> int:
        self.reads += 1
        row = await BookingPolicy.select(BookingPolicy.tentative_days).first()
        return row["tentative_days"]


@pytest.fixture
async def policy(db):
    clear_reference_cache()
    await BookingPolicy.insert(BookingPolicy(tentative_days=10))
    yield
    clear_reference_cache()


async def test_a_write_transaction_without_a_pin_always_reads(policy):
    loader = CountingLoader()
    assert await reference_cached("pin-test", loader) == 10
    async with write_transaction():
        assert await reference_cached("pin-test", loader) == 10
    assert loader.reads == 2


async def test_a_pinned_transaction_is_served_what_the_process_keeps(policy):
    loader = CountingLoader()
    assert await reference_cached("pin-test", loader) == 10
    async with write_transaction(), reference_pinned():
        assert await reference_cached("pin-test", loader) == 10
        assert await reference_cached("pin-test", loader) == 10
    assert loader.reads == 1


async def test_a_pinned_transaction_reads_a_change_committed_before_it(policy):
    loader = CountingLoader()
    assert await reference_cached("pin-test", loader) == 10
    await BookingPolicy.update({BookingPolicy.tentative_days: 5}, force=True)  # bumps the version
    async with write_transaction(), reference_pinned():
        assert await reference_cached("pin-test", loader) == 5
    assert loader.reads == 2
    # What the pinned transaction read (committed data at its version) is kept for the next reader.
    assert await reference_cached("pin-test", loader) == 5
    assert loader.reads == 2


async def test_the_pin_ends_with_its_block(policy):
    loader = CountingLoader()
    await reference_cached("pin-test", loader)
    async with write_transaction():
        async with reference_pinned():
            await reference_cached("pin-test", loader)
        await reference_cached("pin-test", loader)  # unpinned again: the loader runs
    assert loader.reads == 2


async def test_a_booking_request_checks_the_policy_as_it_stands(db):
    clear_reference_cache()
    slots = await make_calendar()
    await ensure_default_rules()
    room = await make_room(fees={"morning": (600, 200)}, slot_ids=slots)
    user = await make_user("member1")
    group = await make_group("いきいきサロン", members=(user,))
    await load_policy()  # the policy is now kept by this process

    def ask(days_ahead: int) -> BookingRequest:
        return BookingRequest(
            room_id=room,
            day=today() + timedelta(days=days_ahead),
            slot_codes=["morning"],
            purpose="健康体操教室",
            expected_head_count=5,
        )

    booking_id = await request_booking(ask(14), group, ActorRef(None, "member"))
    assert (await Booking.select(Booking.status).where(Booking.id == booking_id).first())["status"] == (
        "requested"
    )
    # The manager now allows one future booking per group: the next request is refused at once.
    await BookingPolicy.update({BookingPolicy.max_future_bookings: 1}, force=True)
    with pytest.raises(ValidationFailed) as refused:
        await request_booking(ask(15), group, ActorRef(None, "member"))
    assert "group" in refused.value.errors
    assert await Booking.count() == 1
    clear_reference_cache()


async def test_what_the_cache_gives_is_a_copy_the_caller_may_change_at_any_depth(policy):
    kept = {"rows": [{"code": "hall", "slots": ["morning"], "opens": today()}], "pair": (1, [2])}

    async def loader() -> dict:
        return kept

    first = await reference_cached("copy-check", loader)
    first["rows"][0]["slots"].append("evening")
    first["rows"].append({})
    first["pair"][1].append(3)
    again = await reference_cached("copy-check", loader)
    assert again == {"rows": [{"code": "hall", "slots": ["morning"], "opens": today()}], "pair": (1, [2])}
    assert again is not first and again["rows"][0] is not first["rows"][0]
