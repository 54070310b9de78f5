"""The rules a booking request must meet, checked before anything is written. Each failure is a
per-field English msgid; staff may override the manager's policy rules (how far ahead, length, how
many bookings a group may hold) with a recorded reason, never the calendar or the room's size."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bookings.fees import room_slot_fees
from bookings.tables import Booking, BookingPolicy
from center.lib.dates import local_instant, today
from center.lib.i18n import N_
from center.lib.months import add_months
from center.lib.prepared import Prepared
from center.lib.versions import reference_cached
from center.places.calendar import DayInfo, day_info
from center.places.equipment import decode_codes, equipment_text

MAX_PURPOSE = 200
MAX_TITLE = 200
MAX_CONTACT = 120
MAX_PHONE = 40
ACTIVE_STATUSES = ("requested", "approved")
EQUIPMENT_MISSING = N_("This room does not have: %(missing)s. Choose from the room's equipment.")


@dataclass
class BookingRequest:
    """What a member (or staff on a group's behalf) asks for."""

    room_id: int
    day: date
    slot_codes: list[str] = field(default_factory=list)  # for rooms booked by slot
    start: time | None = None  # for rooms booked by the hour
    end: time | None = None
    purpose: str = ""
    expected_head_count: int = 0
    public: bool = False
    public_title: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    equipment: list[str] = field(default_factory=list)
    commercial: bool = False


def details_of(booking: dict) -> dict[str, Any]:
    """A stored booking's details as BookingRequest fields (all but the room and when): what a
    move keeps, whether the member, the staff or a closure moves it."""
    return {
        "purpose": booking["purpose"],
        "expected_head_count": booking["expected_head_count"],
        "public": booking["public"],
        "public_title": booking["public_title"],
        "contact_name": booking["contact_name"],
        "contact_phone": booking["contact_phone"],
        "equipment": decode_codes(booking["equipment"]),
        "commercial": booking["commercial"],
    }


# The group's active bookings still to end (but `exclude_id`: no booking has id -1): checked on
# every request, so compiled once (center.lib.prepared). A booking lies within one day: the bound on
# starts_at lets the (group, status, starts_at) index skip the group's whole history.
_FUTURE_COUNT = Prepared(
    lambda group_id, now, since, exclude_id: Booking.count().where(
        (Booking.group == group_id)
        & (Booking.status.is_in(list(ACTIVE_STATUSES)))
        & (Booking.ends_at > now)
        & (Booking.starts_at > since)
        & (Booking.id != exclude_id)
    )
)


@dataclass(frozen=True)
class Period:
    starts_at: datetime
    ends_at: datetime
    slot_codes: tuple[str, ...]
    minutes: int


async def load_policy() -> dict:
    """The booking policy row (created with the defaults if missing), kept per process until it
    changes (center.lib.versions)."""
    row = await reference_cached("booking_policy", lambda: BookingPolicy.select().first().run())
    if row is None:
        await BookingPolicy.insert(BookingPolicy())
        row = await BookingPolicy.select().first()
    return row


async def request_window(on: date | None = None) -> tuple[date, date]:
    """The first and last day one may request online on `on` (Japan's today): from the policy's
    "book from N days ahead" to "up to M months ahead"."""
    policy = await load_policy()
    on = on or today()
    return on + timedelta(days=policy["book_from_days"]), add_months(on, policy["book_until_months"])


def resolve_period(
    request: BookingRequest, room: dict, info: DayInfo, room_slot_codes: set[str], errors: dict[str, str]
) -> Period | None:
    """The continuous period the request covers, or None with errors filled in."""
    if not info.open:
        errors["day"] = N_("The center is closed on that day.")
        return None
    if room["booked_by"] == "hour":
        if request.start is None or request.end is None:
            errors["start"] = N_("Enter the start and end times.")
            return None
        if request.end <= request.start:
            errors["end"] = N_("The end must be after the start.")
            return None
        if request.start < info.opens or request.end > info.closes:
            errors["start"] = N_("The center is open from %(opens)s to %(closes)s on that day.")
            return None
        starts_at, ends_at = (
            local_instant(request.day, request.start),
            local_instant(request.day, request.end),
        )
        minutes = int((ends_at - starts_at).total_seconds() // 60)
        return Period(starts_at, ends_at, (), minutes)

    if not request.slot_codes:
        errors["slots"] = N_("Choose at least one time slot.")
        return None
    day_slots = [slot for slot in info.slots if slot.code in room_slot_codes]
    order = [slot.code for slot in day_slots]
    if any(code not in order for code in request.slot_codes):
        errors["slots"] = N_("That time slot cannot be booked in this room on that day.")
        return None
    chosen = sorted(set(request.slot_codes), key=order.index)
    positions = [order.index(code) for code in chosen]
    if positions != list(range(positions[0], positions[0] + len(positions))):
        errors["slots"] = N_("Choose slots next to each other, or make separate requests.")
        return None
    first, last = day_slots[positions[0]], day_slots[positions[-1]]
    minutes = sum(
        int((slot.ends_at - slot.starts_at).total_seconds() // 60)
        for slot in day_slots
        if slot.code in chosen
    )
    return Period(first.starts_at, last.ends_at, tuple(chosen), minutes)


async def check_request(
    request: BookingRequest,
    room: dict,
    group: dict,
    *,
    override: bool = False,
    exclude_booking_id: int | None = None,
    lottery_win: bool = False,
) -> Period:
    """Validate a request against the room, the calendar and the policy. Raises ValidationFailed
    with every problem found; returns the period to hold. A lottery room's month is refused until
    its lottery is drawn, except for the lottery's own bookings and staff overrides."""
    from center.lib.errors import ValidationFailed

    errors: dict[str, str] = {}
    policy = await load_policy()
    now_day = today()

    if not room["bookable"]:
        errors["room"] = N_("This room cannot be booked.")
    if group["status"] != "approved":
        errors["group"] = N_("Only approved groups can book rooms.")
    purpose = request.purpose.strip()
    if not purpose:
        errors["purpose"] = N_("Enter the purpose of use.")
    elif len(purpose) > MAX_PURPOSE:
        errors["purpose"] = N_("Use at most 200 characters.")
    if request.public and not request.public_title.strip():
        errors["public_title"] = N_("Enter a title for the public calendar.")
    elif len(request.public_title) > MAX_TITLE:
        errors["public_title"] = N_("Use at most 200 characters.")
    if len(request.contact_name) > MAX_CONTACT:
        errors["contact_name"] = N_("Use at most 120 characters.")
    if len(request.contact_phone) > MAX_PHONE:
        errors["contact_phone"] = N_("Use at most 40 characters.")
    if request.expected_head_count < 1:
        errors["expected_head_count"] = N_("Enter how many people will attend (1 or more).")
    elif request.expected_head_count > room["capacity"]:
        errors["expected_head_count"] = N_("This room holds at most %(capacity)s people.")

    missing = [code for code in request.equipment if code not in decode_codes(room["equipment"])]
    if missing:
        errors["equipment"] = EQUIPMENT_MISSING

    if request.day < now_day:
        errors["day"] = N_("That date has already passed.")
    elif not override:
        earliest, latest = await request_window(now_day)
        if request.day < earliest:
            errors["day"] = N_("Online requests close %(days)s days before the date of use.")
        elif request.day > latest:
            errors["day"] = N_("Requests open %(months)s months ahead.")

    if "day" not in errors and not (override or lottery_win):
        from bookings.lottery import first_come_refusal

        if refusal := await first_come_refusal(room["id"], request.day):
            errors["day"] = refusal

    info = await day_info(request.day)
    room_slots = {row["code"] for row in await room_slot_fees(room["id"])}
    period = None
    if "day" not in errors:
        period = resolve_period(request, room, info, room_slots, errors)
    if period and not override:
        if period.minutes < policy["min_minutes"]:
            errors["slots" if room["booked_by"] == "slot" else "end"] = N_(
                "Book at least %(minutes)s minutes."
            )
        elif period.minutes > policy["max_minutes"]:
            errors["slots" if room["booked_by"] == "slot" else "end"] = N_(
                "Book at most %(minutes)s minutes at a time."
            )
    if period and period.starts_at <= datetime.now(UTC):
        errors["day"] = N_("That time has already passed.")

    if not override and group.get("id") is not None:
        now = datetime.now(UTC)
        count = await _FUTURE_COUNT.run(
            group_id=group["id"],
            now=now,
            since=now - timedelta(days=1),
            exclude_id=-1 if exclude_booking_id is None else exclude_booking_id,
        )
        if count >= policy["max_future_bookings"]:
            errors["group"] = N_("Your group already holds the most future bookings allowed (%(count)s).")

    if errors:
        raise ValidationFailed(
            errors,
            params={
                "capacity": room["capacity"],
                "missing": equipment_text(missing),
                "days": policy["book_from_days"],
                "months": policy["book_until_months"],
                "count": policy["max_future_bookings"],
                "opens": _hm(info.opens),
                "closes": _hm(info.closes),
                "minutes": policy["min_minutes"]
                if period and period.minutes < policy["min_minutes"]
                else policy["max_minutes"],
            },
        )
    assert period is not None
    return period


def _hm(value: time | None) -> str:
    return f"{value.hour}:{value.minute:02d}" if value else ""
