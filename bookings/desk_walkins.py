"""Walk-ins: rooms free now (the rest of the current slot, or later today) booked on the spot for
a registered group or an unregistered person, priced by the same fee rules as online requests
and approved at once.

bookings.service.request_booking refuses a period that has already started (rules.check_request:
"That time has already passed"), which is exactly what a walk-in into the current slot is. So the
walk-in runs the same checks (check_request with the staff override, tolerating only that one
refusal), prices with the same `price`, and writes the approved booking and its hold in one
transaction here, with the permit number, notice and audit line the service would write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from bookings.fees import FeeQuote, Payer, quote
from bookings.rules import BookingRequest, Period, check_request, resolve_period
from bookings.service import BookingTaken, alternatives, insert_booking, notify_group, permit_number
from bookings.tables import Booking
from center.accounts import audit
from center.accounts.actors import Actor
from center.accounts.tables import Group
from center.ledger.service import HoldConflict, holds_between
from center.lib.dates import local_day_bounds, to_local
from center.lib.db import is_postgres, write_transaction
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_, pick
from center.places.calendar import day_info
from center.places.tables import Room, RoomSlotFee

WALK_IN_GROUP_MARKER = "system:walk-in"  # Group.activity of the group individual walk-ins book under
WALK_IN_GROUP_NAME = "窓口での個人利用"
WALK_IN_OVERRIDE = "walk-in"
PASSED = N_("That time has already passed.")  # the one refusal of check_request a walk-in may meet
_LOCK_KEY = 7_302_0001


@dataclass(frozen=True)
class FreePiece:
    """A room free from `starts_at` (now, or the slot's start) to the end of a slot today."""

    room: dict
    slot_code: str
    slot_name: str
    starts_at: datetime
    ends_at: datetime
    current: bool  # the slot under way now

    @property
    def room_name(self) -> str:
        return pick(self.room["name_ja"], self.room["name_en"])


def _floor_minute(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


async def free_now(now: datetime | None = None, *, room_id: int | None = None) -> list[FreePiece]:
    """Every bookable room's free slots for the rest of today: the current slot from now, and the
    later slots whole. In time order, then smallest room first."""
    now = now or datetime.now(UTC)
    day = to_local(now).date()
    info = await day_info(day)
    if not info.open:
        return []
    query = Room.select().where(Room.bookable == True)
    if room_id is not None:
        query = query.where(Room.id == room_id)
    rooms = await query.order_by(Room.capacity)
    offered: dict[int, set[str]] = {}
    for row in await RoomSlotFee.select(RoomSlotFee.room, RoomSlotFee.slot.code.as_alias("code")):
        offered.setdefault(row["room"], set()).add(row["code"])
    start, end = local_day_bounds(day)
    holds = await holds_between(start, end, [room["id"] for room in rooms])
    pieces = []
    for slot in info.slots:
        if slot.ends_at <= now:
            continue
        piece_start = max(slot.starts_at, _floor_minute(now))
        for room in rooms:
            if room["booked_by"] == "slot" and slot.code not in offered.get(room["id"], set()):
                continue
            if any(
                h.room_id == room["id"] and h.starts_at < slot.ends_at and piece_start < h.ends_at
                for h in holds
            ):
                continue
            pieces.append(
                FreePiece(room, slot.code, slot.name, piece_start, slot.ends_at, slot.starts_at <= now)
            )
    pieces.sort(key=lambda piece: (piece.starts_at, piece.room["capacity"], piece.room["id"]))
    return pieces


@dataclass
class WalkIn:
    """What the desk types for a walk-in: a room and today's slots, and either a registered
    group or a person's name and phone."""

    room_id: int
    slot_codes: list[str]
    purpose: str
    head_count: int
    group_id: int | None = None
    name: str = ""
    phone: str = ""
    outside_city: bool = False  # an unregistered person from outside the city (surcharge)
    commercial: bool = False  # an unregistered person's commercial use (surcharge, no reduction)


async def walk_in_group(create: bool = True) -> dict | None:
    """The system group individual walk-ins book under, created on first use."""
    group = await Group.select().where(Group.activity == WALK_IN_GROUP_MARKER).first()
    if group is None and create:
        async with write_transaction():
            if is_postgres():
                await Group.raw("SELECT pg_advisory_xact_lock({})", _LOCK_KEY)
            group = await Group.select().where(Group.activity == WALK_IN_GROUP_MARKER).first()
            if group is None:
                now = datetime.now(UTC)
                await Group.insert(
                    Group(
                        name=WALK_IN_GROUP_NAME,
                        name_kana="マドグチデノコジンリヨウ",
                        representative="受付",
                        activity=WALK_IN_GROUP_MARKER,
                        status="approved",
                        applied_at=now,
                        decided_at=now,
                        updated_at=now,
                    )
                )
                group = await Group.select().where(Group.activity == WALK_IN_GROUP_MARKER).first()
                await audit.record("create", "group", group["id"], after=group, note="walk-in system group")
    return group


def _validate(walk_in: WalkIn, errors: dict[str, str]) -> None:
    if walk_in.group_id is None:
        if not walk_in.name.strip():
            errors["name"] = N_("Enter the name of the person booking.")
        elif len(walk_in.name) > 120:
            errors["name"] = N_("Use at most 120 characters.")
        if not walk_in.phone.strip():
            errors["phone"] = N_("Enter a phone number we can call.")
        elif len(walk_in.phone) > 40:
            errors["phone"] = N_("Use at most 40 characters.")
    if not walk_in.slot_codes:
        errors["slots"] = N_("Choose at least one time slot.")


async def _period(request: BookingRequest, room: dict, group: dict, now: datetime) -> Period:
    """The rules' period for today's slots, clipped to start now if the first slot is under way."""
    try:
        period = await check_request(request, room, group, override=True)
    except ValidationFailed as invalid:
        if invalid.errors != {"day": PASSED}:
            raise
        errors: dict[str, str] = {}
        room_slots = {
            row["code"]
            for row in await RoomSlotFee.select(RoomSlotFee.slot.code.as_alias("code")).where(
                RoomSlotFee.room == room["id"]
            )
        }
        resolved = resolve_period(request, room, await day_info(request.day), room_slots, errors)
        if resolved is None or errors:
            raise ValidationFailed(errors or {"slots": PASSED}) from invalid
        period = resolved
    if period.ends_at <= now:
        raise ValidationFailed({"slots": PASSED})
    starts_at = max(period.starts_at, _floor_minute(now))
    minutes = int((period.ends_at - starts_at).total_seconds() // 60)
    return Period(starts_at, period.ends_at, period.slot_codes, minutes)


async def _request_for(walk_in: WalkIn, room: dict, day: date) -> BookingRequest:
    request = BookingRequest(
        room_id=room["id"],
        day=day,
        purpose=walk_in.purpose,
        expected_head_count=walk_in.head_count,
        contact_name=walk_in.name.strip(),
        contact_phone=walk_in.phone.strip(),
    )
    if room["booked_by"] == "hour":
        info = await day_info(day)
        chosen = [slot for slot in info.slots if slot.code in walk_in.slot_codes]
        if chosen:
            request.start = min(slot.starts for slot in chosen)
            request.end = max(slot.ends for slot in chosen)
    else:
        request.slot_codes = list(walk_in.slot_codes)
    return request


async def preview_walk_in(walk_in: WalkIn, now: datetime | None = None) -> tuple[Period, FeeQuote]:
    """Check a walk-in and price it without writing anything."""
    now = now or datetime.now(UTC)
    room, group, request = await _prepare(walk_in, now, create_group=False)
    period = await _period(request, room, group, now)
    return period, await _price(room, group, request, period)


async def _prepare(
    walk_in: WalkIn, now: datetime, *, create_group: bool
) -> tuple[dict, dict, BookingRequest]:
    errors: dict[str, str] = {}
    _validate(walk_in, errors)
    room = await Room.select().where(Room.id == walk_in.room_id).first()
    if room is None:
        errors["room"] = N_("Choose a room.")
    group = None
    if walk_in.group_id is not None:
        group = await Group.select().where(Group.id == walk_in.group_id).first()
        if group is None or group["status"] != "approved":
            errors["group"] = N_("Choose a group.")
    else:
        group = await walk_in_group(create=create_group) or {
            "id": None,
            "status": "approved",
            "reduction": "none",
            "in_city": True,
            "commercial": False,
        }
    if errors:
        raise ValidationFailed(errors)
    assert room is not None and group is not None
    if walk_in.group_id is None:  # the person's own terms, not the system group's
        group = {**group, "in_city": not walk_in.outside_city, "commercial": walk_in.commercial}
    return room, group, await _request_for(walk_in, room, to_local(now).date())


async def _price(room: dict, group: dict, request: BookingRequest, period: Period) -> FeeQuote:
    return await quote(
        room,
        request.day,
        Payer(reduction=group["reduction"], in_city=group["in_city"], commercial=group["commercial"]),
        slot_codes=list(period.slot_codes),
        minutes=period.minutes,
    )


async def book_walk_in(walk_in: WalkIn, actor: Actor, now: datetime | None = None) -> int:
    """Book a walk-in and approve it at once, in one transaction: the booking, its hold, the
    permit number, the group's notice and the audit line. Returns the booking id."""
    now = now or datetime.now(UTC)
    room, group, request = await _prepare(walk_in, now, create_group=True)
    period = await _period(request, room, group, now)
    fee = await _price(room, group, request, period)
    individual = walk_in.group_id is None
    try:
        async with write_transaction():
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
                public=False,
                public_title="",
                equipment=[],
                contact_name=request.contact_name if individual else group["representative"],
                contact_phone=request.contact_phone if individual else group["contact_phone"],
                commercial=group["commercial"],
                status="approved",
                decided_by=actor.id,
                decided_at=now,
                override_reason=WALK_IN_OVERRIDE,
                walk_in=True,
                walk_in_name=request.contact_name if individual else "",
                walk_in_phone=request.contact_phone if individual else "",
            )
            await Booking.update({Booking.permit_number: permit_number(booking_id, period.starts_at)}).where(
                Booking.id == booking_id
            )
            after = await Booking.select().where(Booking.id == booking_id).first()
            if not individual:
                await notify_group(after, "approve")
            await audit.record(
                "walk_in", "booking", booking_id, actor=actor, after=after, note=WALK_IN_OVERRIDE
            )
    except HoldConflict as conflict:
        raise BookingTaken(
            conflict,
            await alternatives(period.starts_at, period.ends_at, request.expected_head_count, room["id"]),
        ) from conflict
    return booking_id


async def group_choices() -> list[dict]:
    """The registered groups a walk-in can be booked for (approved; not the walk-in group itself),
    by reading then name."""
    return await (
        Group.select(Group.id, Group.name, Group.name_kana)
        .where((Group.status == "approved") & (Group.activity != WALK_IN_GROUP_MARKER))
        .order_by(Group.name_kana)
        .order_by(Group.name)
    )
