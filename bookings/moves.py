"""A member moves one date of their group's series to another date or time in the same room,
within the same online rules as a new request: the new time must be free and requestable online,
the old date still changeable online (the cancellation deadline), and the fee is priced again,
with the difference shown before the member confirms. A moved date is a request again: the hold
moves at once and the center decides anew (an approved date loses its permit until then)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from bookings.fees import FeeQuote
from bookings.rules import BookingRequest, Period, check_request, details_of, load_policy
from bookings.service import (
    BadTransition,
    BookingTaken,
    _group,
    _room,
    alternatives,
    get_booking,
    notify_group,
    price,
)
from bookings.tables import Booking
from center.accounts import audit
from center.accounts.actors import Actor
from center.ledger.service import HoldConflict, move_hold
from center.lib.dates import TOKYO
from center.lib.db import write_transaction
from center.lib.errors import DomainError, NotFound
from center.lib.i18n import N_


class TooLateToMove(DomainError):
    message = N_("It is too late to change this date online. Please call the center.")


@dataclass(frozen=True)
class MovePlan:
    """What a move would do, shown before confirming."""

    booking: dict
    request: BookingRequest
    period: Period
    fee: FeeQuote

    @property
    def old_total(self) -> int:
        return self.booking["fee_total"]

    @property
    def difference(self) -> int:
        """New fee minus old: above zero the group pays more, below zero it is refunded."""
        return self.fee.total - self.old_total


async def _movable(booking_id: int, group_ids: tuple[int, ...]) -> dict:
    booking = await get_booking(booking_id)
    if booking["group"] not in group_ids:
        raise NotFound(N_("That booking does not exist."))
    if booking["series"] is None:
        raise DomainError(N_("Only a date of a recurring series can be moved online."))
    if booking["status"] not in ("requested", "approved"):
        raise BadTransition()
    policy = await load_policy()
    deadline = booking["starts_at"].astimezone(TOKYO).date() - timedelta(
        days=policy["cancel_online_until_days"]
    )
    if datetime.now(TOKYO).date() > deadline:
        raise TooLateToMove()
    return booking


async def plan_move_allowed(booking_id: int, group_ids: tuple[int, ...]) -> dict:
    """The booking, if its group may still move it online (raises otherwise)."""
    return await _movable(booking_id, group_ids)


def moved_request(booking: dict, request: BookingRequest) -> BookingRequest:
    """The booking's own details at the new date and time (only when and which slots change)."""
    return replace(request, room_id=booking["room"], **details_of(booking))


async def plan_move(booking_id: int, request: BookingRequest, group_ids: tuple[int, ...]) -> MovePlan:
    """Check a member's move like a new online request and price it; writes nothing."""
    booking = await _movable(booking_id, group_ids)
    request = moved_request(booking, request)
    room, group = await _room(booking["room"]), await _group(booking["group"])
    period = await check_request(request, room, group, exclude_booking_id=booking_id)
    return MovePlan(booking, request, period, await price(request, group, room, period))


async def move_occurrence(
    booking_id: int, request: BookingRequest, actor: Actor, group_ids: tuple[int, ...]
) -> dict:
    """Move one date of a series for its group, in one transaction; the date becomes a request
    again, held until the center decides."""
    plan = await plan_move(booking_id, request, group_ids)
    booking, period, fee = plan.booking, plan.period, plan.fee
    policy = await load_policy()
    now = datetime.now(UTC)
    try:
        async with write_transaction():
            await move_hold(booking["hold"], booking["room"], period.starts_at, period.ends_at)
            await Booking.update(
                {
                    Booking.starts_at: period.starts_at,
                    Booking.ends_at: period.ends_at,
                    Booking.slot_codes: ",".join(period.slot_codes),
                    Booking.occurrence_on: plan.request.day,
                    Booking.room_fee: fee.room_fee,
                    Booking.heating_fee: fee.heating_fee,
                    Booking.surcharge_fee: fee.surcharge_fee,
                    Booking.reduction_fee: fee.reduction_fee,
                    Booking.reduction_category: fee.reduction_category,
                    Booking.fee_total: fee.total,
                    Booking.status: "requested",
                    Booking.permit_number: None,
                    Booking.decided_at: None,
                    Booking.decided_by: None,
                    Booking.lapses_at: min(now + timedelta(days=policy["tentative_days"]), period.starts_at),
                    Booking.ical_sequence: Booking.ical_sequence + 1,
                    Booking.updated_at: now,
                }
            ).where(Booking.id == booking_id)
            after = await get_booking(booking_id)
            await audit.record(
                "move", "booking", booking_id, actor=actor, before=booking, after=after, note="member move"
            )
            await notify_group(after, "request")
    except HoldConflict as conflict:
        raise BookingTaken(
            conflict,
            await alternatives(
                period.starts_at, period.ends_at, booking["expected_head_count"], booking["room"]
            ),
        ) from conflict
    return after
