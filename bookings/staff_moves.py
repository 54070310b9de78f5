"""Staff move a booking to another room or time (the member's own date moves are bookings.moves):
the hold moves atomically with the booking, the fees are priced again, the group is told."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bookings.rules import ACTIVE_STATUSES, BookingRequest, check_request
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
from center.lib.db import write_transaction
from center.lib.errors import DomainError, ValidationFailed
from center.lib.i18n import N_
from center.places.equipment import decode_codes, known_codes


async def move(booking_id: int, actor: Actor, room_id: int, request: BookingRequest, reason: str) -> dict:
    """Staff move a booking to another room or time: the hold moves atomically, fees are re-priced."""
    if not actor.staff:
        raise DomainError(N_("Only staff can move bookings."))
    if not reason.strip():
        raise ValidationFailed({"reason": N_("Enter the reason.")})
    booking = await get_booking(booking_id)
    if booking["status"] not in ACTIVE_STATUSES:
        raise BadTransition()
    room, group = await _room(room_id), await _group(booking["group"])
    request.room_id = room_id
    # The booking keeps the equipment the new room also has; the rest stays behind.
    request.equipment = [code for code in request.equipment if code in decode_codes(room["equipment"])]
    period = await check_request(request, room, group, override=True, exclude_booking_id=booking_id)
    fee = await price(request, group, room, period)
    try:
        async with write_transaction():
            await move_hold(booking["hold"], room_id, period.starts_at, period.ends_at)
            await Booking.update(
                {
                    Booking.room: room_id,
                    Booking.starts_at: period.starts_at,
                    Booking.ends_at: period.ends_at,
                    Booking.slot_codes: ",".join(period.slot_codes),
                    Booking.room_fee: fee.room_fee,
                    Booking.heating_fee: fee.heating_fee,
                    Booking.equipment_fee: fee.equipment_fee,
                    Booking.equipment: json.dumps(known_codes(request.equipment)),
                    Booking.surcharge_fee: fee.surcharge_fee,
                    Booking.reduction_fee: fee.reduction_fee,
                    Booking.reduction_category: fee.reduction_category,
                    Booking.fee_total: fee.total,
                    Booking.ical_sequence: Booking.ical_sequence + 1,
                    Booking.updated_at: datetime.now(UTC),
                }
            ).where(Booking.id == booking_id)
            after = await get_booking(booking_id)
            await audit.record(
                "move", "booking", booking_id, actor=actor, before=booking, after=after, note=reason
            )
            await notify_group(after, "move", reason)
    except HoldConflict as conflict:
        raise BookingTaken(
            conflict,
            await alternatives(period.starts_at, period.ends_at, booking["expected_head_count"], room_id),
        ) from conflict
    return after
