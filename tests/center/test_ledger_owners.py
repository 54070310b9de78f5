"""The hold owners the shell registers in the ledger (center.ledger.owners): bookings and
screenings describe, move and cancel their own holds for other domains; kinds without an owner
(closures, programmes) describe nothing and a closure refuses them."""

from __future__ import annotations

import pytest

from bookings.rules import BookingRequest
from bookings.service import get_booking, request_booking
from center.ledger import owners
from center.ledger.owners import MoveTaken
from center.lib.errors import ValidationFailed
from tests.maintenance.test_maintenance_closure_screenings import TITLE, screened
from tests.maintenance.test_maintenance_closures import STAFF, Facilities, center

pytestmark = pytest.mark.anyio
assert center and screened  # the fixtures, used by name below


async def test_bookings_and_screenings_have_owners_and_nothing_else_does():
    assert owners.owner_of("booking") is not None
    assert owners.owner_of("screening") is not None
    assert owners.owner_of("closure") is None and owners.owner_of("programme") is None
    assert await owners.describe("closure", [1]) == {}
    assert await owners.describe("booking", []) == {}


async def test_a_booking_is_described_by_its_group_with_whom_to_call(screened):
    held = (await owners.describe("booking", [screened["booking"]]))[screened["booking"]]
    booking = await get_booking(screened["booking"])
    assert held.kind == "booking" and held.ref == screened["booking"]
    assert held.title == "いきいきサロン" and held.purpose == "健康体操" and held.head_count == 15
    assert held.slot_codes == frozenset({"morning"})
    assert held.room_id == screened["meeting1"] and held.starts_at == booking["starts_at"]
    assert held.group_id == screened["group"] and held.link == f"/bookings/{screened['booking']}"
    assert held.active
    assert not owners.owner_of("booking").moves_in_time


async def test_a_screening_is_described_by_its_video_and_offers_a_later_time(screened):
    held = (await owners.describe("screening", [screened["screening"]]))[screened["screening"]]
    assert held.title == TITLE and held.slot_codes is None and held.group_id is None and held.active
    owner = owners.owner_of("screening")
    assert owner.moves_in_time
    later = await owner.later_time(screened["screening"], held.ends_at)
    assert later is not None and later >= held.ends_at
    assert await owner.later_time(10**9, held.ends_at) is None


async def test_a_booking_moved_onto_a_taken_room_is_refused_as_taken_and_left_alone(screened):
    await request_booking(
        BookingRequest(
            room_id=screened["meeting2"],
            day=screened["day"],
            slot_codes=["morning"],
            purpose="会議",
            expected_head_count=5,
        ),
        screened["group"],
        STAFF,
    )
    owner = owners.owner_of("booking")
    held = (await owner.describe([screened["booking"]]))[screened["booking"]]
    with pytest.raises(MoveTaken):
        await owner.move(screened["booking"], Facilities(), screened["meeting2"], held.starts_at, "工事")
    assert (await get_booking(screened["booking"]))["room"] == screened["meeting1"]


async def test_the_booking_owner_moves_and_cancels_as_staff_with_the_reason(screened):
    owner = owners.owner_of("booking")
    held = (await owner.describe([screened["booking"]]))[screened["booking"]]
    await owner.move(screened["booking"], Facilities(), screened["meeting2"], held.starts_at, "工事")
    moved = await get_booking(screened["booking"])
    assert moved["room"] == screened["meeting2"] and moved["starts_at"] == held.starts_at
    with pytest.raises(ValidationFailed):
        await owner.cancel(screened["booking"], Facilities(), "")  # staff must give the reason
    await owner.cancel(screened["booking"], Facilities(), "工事")
    cancelled = await get_booking(screened["booking"])
    assert cancelled["status"] == "cancelled" and cancelled["cancel_reason"] == "工事"
    assert not (await owner.describe([screened["booking"]]))[screened["booking"]].active
