"""Booking requests and their life: request (takes a tentative hold at once), approve, decline,
cancel with the refund due (bookings.refunds), lapse when nobody approves in time; staff moves are
in bookings.staff_moves. Each change is one transaction with its audit line; the ledger refuses
any double hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bookings.booking_notices import notify_group
from bookings.deadlines import load_rule
from bookings.fees import FeeQuote, Payer, quote
from bookings.listing import find_booking
from bookings.refunds import ensure_default_refund_rules as ensure_default_refund_rules
from bookings.refunds import refund_due
from bookings.request_numbers import request_number
from bookings.rules import BookingRequest, Period, check_request, load_policy
from bookings.tables import Booking
from center.accounts import audit
from center.accounts.actors import SYSTEM, Actor
from center.accounts.tables import Group
from center.ledger.service import HoldConflict, holds_between, release_hold, take_hold
from center.lib.dates import TOKYO
from center.lib.db import write_transaction
from center.lib.errors import Conflict, DomainError, NotFound, ValidationFailed
from center.lib.i18n import N_
from center.lib.prepared import Prepared, PreparedInsert
from center.lib.versions import reference_cached, reference_pinned
from center.places.equipment import known_codes
from center.places.tables import Room

# status -> statuses it may move to
TRANSITIONS = {
    "requested": {"approved", "declined", "cancelled", "lapsed"},
    "approved": {"cancelled"},
    "declined": set(),
    "cancelled": set(),
    "lapsed": set(),
}


class BookingTaken(HoldConflict):
    """The slot was taken (perhaps a moment ago); `alternatives` lists free rooms at that time."""

    message = N_("Sorry, that time was just taken. Please choose another time or room.")

    def __init__(self, conflict: HoldConflict, alternatives: list[dict]) -> None:
        super().__init__(conflict.conflicts)
        self.alternatives = alternatives


class BadTransition(Conflict):
    message = N_("This booking cannot be changed that way in its current state.")


_ROOM = Prepared(lambda room_id: Room.select().where(Room.id == room_id).first())
_GROUP = Prepared(lambda group_id: Group.select().where(Group.id == group_id).first())
_INSERT_BOOKING = PreparedInsert(Booking, returning=(Booking.id,))


async def _room(room_id: int) -> dict:
    room = await reference_cached(f"room:{room_id}", lambda: _ROOM.run(room_id=room_id))
    if room is None:
        raise ValidationFailed({"room": N_("Choose a room.")})
    return room


async def _group(group_id: int) -> dict:
    group = await _GROUP.run(group_id=group_id)
    if group is None:
        raise ValidationFailed({"group": N_("Choose a group.")})
    return group


def payer_of(group: dict, commercial: bool = False) -> Payer:
    return Payer(
        reduction=group["reduction"],
        in_city=group["in_city"],
        commercial=commercial or group["commercial"],
    )


async def price(request: BookingRequest, group: dict, room: dict, period: Period) -> FeeQuote:
    return await quote(
        room,
        request.day,
        payer_of(group, request.commercial),
        slot_codes=list(period.slot_codes),
        minutes=period.minutes,
        equipment=request.equipment,
    )


async def preview(
    request: BookingRequest, group_id: int, *, override: bool = False
) -> tuple[Period, FeeQuote]:
    """Check a request and price it without writing anything (the fee shown before submitting)."""
    room, group = await _room(request.room_id), await _group(group_id)
    period = await check_request(request, room, group, override=override)
    return period, await price(request, group, room, period)


async def alternatives(
    starts_at: datetime, ends_at: datetime, head_count: int, exclude_room: int
) -> list[dict]:
    """Bookable rooms free for the whole period, large enough, smallest first."""
    rooms = await (
        Room.select(Room.id, Room.code, Room.name_ja, Room.name_en, Room.capacity, Room.floor)
        .where((Room.bookable == True) & (Room.capacity >= max(head_count, 1)) & (Room.id != exclude_room))
        .order_by(Room.capacity)
    )
    busy = {hold.room_id for hold in await holds_between(starts_at, ends_at, [room["id"] for room in rooms])}
    return [room for room in rooms if room["id"] not in busy][:5]


async def request_booking(
    request: BookingRequest,
    group_id: int,
    actor: Actor,
    *,
    override_reason: str = "",
    terms_agreed: bool = False,
    terms_version: int | None = None,
    approve_now: bool = False,
) -> int:
    """Create a booking request and take its tentative hold, in one transaction. Staff booking
    on a group's behalf may override the policy with a reason, and a manager may approve it at
    once (approve_now, in the same transaction). A member's agreement to the terms of use (checked
    by the caller, bookings.terms.check_agreement) is recorded with its version."""
    override = bool(override_reason.strip()) and actor.staff
    now = datetime.now(UTC)
    try:
        async with write_transaction(), reference_pinned():
            # Every read inside the transaction: the checks see what the insert will see, and on
            # SQLite the queries share one connection instead of opening one each. It changes no
            # reference table, so the rooms, calendar, policy and fees come from this process's
            # cache when the reference version read here is the one cached (center.lib.versions).
            room, group = await _room(request.room_id), await _group(group_id)
            period = await check_request(request, room, group, override=override)
            fee = await price(request, group, room, period)
            rule = await load_rule()
            booking_id = await insert_booking(
                request,
                group,
                room,
                period.starts_at,
                period.ends_at,
                period.slot_codes,
                fee,
                actor,
                now=now,
                lapses_at=rule.for_request(period.starts_at, now),
                override_reason=override_reason.strip() if override else "",
                terms_version=terms_version if terms_agreed else None,
                terms_agreed_at=now if terms_agreed else None,
            )
            after = await find_booking(booking_id)
            await notify_group(after, "request")
            await audit.record(
                "request",
                "booking",
                booking_id,
                actor=actor,
                after=after,
                note=override_reason.strip() if override else "",
            )
            if approve_now:
                await approve(booking_id, actor)
    except HoldConflict as conflict:
        raise BookingTaken(
            conflict,
            await alternatives(period.starts_at, period.ends_at, request.expected_head_count, room["id"]),
        ) from conflict
    return booking_id


async def insert_booking(
    request: BookingRequest,
    group: dict,
    room: dict,
    starts_at: datetime,
    ends_at: datetime,
    slot_codes: tuple[str, ...] | list[str],
    fee: FeeQuote,
    actor: Actor,
    *,
    now: datetime,
    **fields: Any,
) -> int:
    """Write a booking row for a checked and priced request, with its request number, and take
    its hold in the ledger, inside the caller's transaction. `fields` override the row's defaults
    (status, series, walk-in details ...). Raises HoldConflict when the room is held meanwhile."""
    values: dict[str, Any] = {
        "group": group["id"],
        "room": room["id"],
        "starts_at": starts_at,
        "ends_at": ends_at,
        "slot_codes": ",".join(slot_codes),
        "purpose": request.purpose.strip(),
        "public": request.public,
        "public_title": request.public_title.strip() if request.public else "",
        "expected_head_count": request.expected_head_count,
        "contact_name": request.contact_name.strip(),
        "contact_phone": request.contact_phone.strip(),
        "equipment": known_codes(request.equipment),
        "commercial": request.commercial or group["commercial"],
        "outside_city": not group["in_city"],
        "status": "requested",
        "room_fee": fee.room_fee,
        "heating_fee": fee.heating_fee,
        "equipment_fee": fee.equipment_fee,
        "surcharge_fee": fee.surcharge_fee,
        "reduction_fee": fee.reduction_fee,
        "reduction_category": fee.reduction_category,
        "fee_total": fee.total,
        "requested_by": actor.id,
        "created_at": now,
        "updated_at": now,
        **fields,
    }
    rows = await _INSERT_BOOKING.run(values)
    booking_id = rows[0]["id"]
    hold = await take_hold(
        room["id"],
        starts_at,
        ends_at,
        "booking",
        ref=booking_id,
        label=values["purpose"][:200],
        actor_id=actor.id,
    )
    await Booking.update(
        {Booking.hold: hold.id, Booking.request_number: request_number(booking_id, now)}
    ).where(Booking.id == booking_id)
    return booking_id


async def get_booking(booking_id: int) -> dict:
    booking = await find_booking(booking_id)
    if booking is None:
        raise NotFound(N_("That booking does not exist."))
    return booking


async def _transition(
    booking_id: int,
    to: str,
    actor: Actor,
    changes: dict,
    *,
    action: str,
    note: str = "",
    release: bool = False,
) -> dict:
    async with write_transaction():
        before = await get_booking(booking_id)
        if to not in TRANSITIONS[before["status"]]:
            raise BadTransition()
        values = {
            Booking.status: to,
            Booking.updated_at: datetime.now(UTC),
            Booking.ical_sequence: Booking.ical_sequence + 1,
            **changes,
        }
        await Booking.update(values).where((Booking.id == booking_id) & (Booking.status == before["status"]))
        if release and before["hold"]:
            await release_hold(before["hold"], reason=f"{action}: {note}"[:500])
        after = await get_booking(booking_id)
        await audit.record(action, "booking", booking_id, actor=actor, before=before, after=after, note=note)
        await notify_group(after, action, note)
        return after


def permit_number(booking_id: int, starts_at: datetime) -> str:
    """使用許可書 number: fiscal year of use (April–March) and the booking id, e.g. 2026-000123."""
    local = starts_at.astimezone(TOKYO)
    fiscal_year = local.year if local.month >= 4 else local.year - 1
    return f"{fiscal_year}-{booking_id:06d}"


async def approve(booking_id: int, actor: Actor) -> dict:
    booking = await get_booking(booking_id)
    return await _transition(
        booking_id,
        "approved",
        actor,
        {
            Booking.decided_by: actor.id,
            Booking.decided_at: datetime.now(UTC),
            Booking.lapses_at: None,
            Booking.permit_number: permit_number(booking_id, booking["starts_at"]),
        },
        action="approve",
    )


async def decline(booking_id: int, actor: Actor, reason: str) -> dict:
    await get_booking(booking_id)  # a missing booking is "not found" before the reason is checked
    if not reason.strip():
        raise ValidationFailed({"reason": N_("Enter the reason.")})
    return await _transition(
        booking_id,
        "declined",
        actor,
        {
            Booking.decided_by: actor.id,
            Booking.decided_at: datetime.now(UTC),
            Booking.decision_reason: reason.strip(),
        },
        action="decline",
        note=reason.strip(),
        release=True,
    )


async def cancel(booking_id: int, actor: Actor, reason: str = "", *, group_ids: tuple[int, ...] = ()) -> dict:
    """Cancel a booking: the group within the online deadline, staff any time with a reason.
    The hold is released at once and the refund due recorded."""
    booking = await get_booking(booking_id)
    if not actor.staff:
        if booking["group"] not in group_ids:
            raise NotFound(N_("That booking does not exist."))
        policy = await load_policy()
        deadline = booking["starts_at"].astimezone(TOKYO).date() - timedelta(
            days=policy["cancel_online_until_days"]
        )
        if datetime.now(TOKYO).date() > deadline:
            raise DomainError(N_("It is too late to cancel online. Please call the center."))
    elif not reason.strip():
        raise ValidationFailed({"reason": N_("Enter the reason.")})
    refund = await refund_due(booking)
    return await _transition(
        booking_id,
        "cancelled",
        actor,
        {
            Booking.cancelled_at: datetime.now(UTC),
            Booking.cancel_reason: reason.strip(),
            Booking.refund_due: refund,
        },
        action="cancel",
        note=reason.strip(),
        release=True,
    )


async def lapse_due(now: datetime | None = None) -> list[int]:
    """Requests nobody approved in time lapse and free their slot. Idempotent; returns the ids.
    Lottery wins are left to the lottery's forfeit job, which tells the group in its own words."""
    now = now or datetime.now(UTC)
    due = await Booking.select(Booking.id).where(
        (Booking.status == "requested") & (Booking.lapses_at <= now) & Booking.lottery_entry.is_null()
    )
    lapsed = []
    for row in due:
        try:
            await _transition(row["id"], "lapsed", SYSTEM, {}, action="lapse", release=True)
        except BadTransition:
            continue  # approved or cancelled meanwhile
        lapsed.append(row["id"])
    return lapsed
