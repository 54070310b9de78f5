"""A series' preview: every date of the rule checked with the same rules, fees and ledger as a
single request, writing nothing; each date with its status in symbol and words."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from bookings import service
from bookings.availability import _hold_label, _labels
from bookings.fees import FeeQuote
from bookings.rules import ACTIVE_STATUSES, BookingRequest, check_request, load_policy
from bookings.series.recurrence import Recurrence, generate
from bookings.tables import Booking
from center.accounts.tables import Group
from center.ledger.service import HoldInfo, holds_between
from center.lib.dates import TOKYO
from center.lib.db import read_transaction
from center.lib.errors import Conflict, ValidationFailed
from center.lib.i18n import N_, gettext
from center.places.calendar import closed_reason_text, days_info
from center.places.tables import Room

# Occurrence statuses in a preview; each shown with a symbol and words, never colour alone.
FREE, TAKEN, CLOSED, REFUSED = "free", "taken", "closed", "refused"
STATUS_LABELS = {
    FREE: N_("Free"),
    TAKEN: N_("Taken"),
    CLOSED: N_("Closed"),
    REFUSED: N_("Cannot be booked"),
}
STATUS_SYMBOLS = {FREE: "○", TAKEN: "×", CLOSED: "休", REFUSED: "－"}
NOT_CHOSEN = N_("Not chosen")


# ---- the preview: every date with its status ---------------------------------------------------


@dataclass
class SeriesSpec:
    """What a member (or staff on a group's behalf) asks for: the rule and what each date books.
    `request.day` is ignored; each date gets its own copy."""

    recurrence: Recurrence
    request: BookingRequest


@dataclass(frozen=True)
class Occurrence:
    day: date
    status: str
    reason: str = ""  # in the current language: what holds it, why closed, why refused
    holiday: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    fee: int | None = None
    quote: FeeQuote | None = field(default=None, compare=False, repr=False)
    slot_codes: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return gettext(STATUS_LABELS[self.status])

    @property
    def symbol(self) -> str:
        return STATUS_SYMBOLS[self.status]


@dataclass
class SeriesPreview:
    occurrences: list[Occurrence]
    skipped: tuple[date, ...] = ()
    room: dict = field(default_factory=dict)
    group: dict = field(default_factory=dict)

    @property
    def free(self) -> list[Occurrence]:
        return [occurrence for occurrence in self.occurrences if occurrence.status == FREE]

    @property
    def free_fee_total(self) -> int:
        return sum(occurrence.fee or 0 for occurrence in self.free)


class SeriesClash(Conflict):
    """Some chosen dates were no longer free when the series was booked; nothing was booked."""

    message = N_(
        "Some of the dates you chose were taken or can no longer be booked. Nothing was booked: "
        "check the list and book again."
    )

    def __init__(self, clashes: list[Occurrence], preview: SeriesPreview | None = None) -> None:
        self.clashes = clashes
        self.preview = preview
        super().__init__()


async def _room_and_group(room_id: int, group_id: int) -> tuple[dict, dict]:
    room = await Room.select().where(Room.id == room_id).first()
    group = await Group.select().where(Group.id == group_id).first()
    errors = {}
    if room is None:
        errors["room"] = N_("Choose a room.")
    if group is None:
        errors["group"] = N_("Choose a group.")
    if errors:
        raise ValidationFailed(errors)
    return room, group


async def future_count(group_id: int) -> int:
    return await Booking.count().where(
        (Booking.group == group_id)
        & (Booking.status.is_in(list(ACTIVE_STATUSES)))
        & (Booking.ends_at > datetime.now(UTC))
    )


async def taken_text(holds: list[HoldInfo], group_id: int, *, staff: bool = False) -> str:
    """What holds the time, named as the grid names it. To staff: the group, the request number
    and purpose of a booking, a closure with its reason. To members: their own group's booking,
    a public event's title, or "another group's booking", never its private details. Screenings
    and programmes by their titles."""
    titles = await _labels(holds)
    bookings: dict[int, dict] = {}
    booking_refs = [hold.ref for hold in holds if hold.kind == "booking" and hold.ref]
    if booking_refs:
        rows = await Booking.select(
            Booking.id, Booking.group, Booking.purpose, Booking.group.name.as_alias("group_name")
        ).where(Booking.id.is_in(booking_refs))
        bookings = {row["id"]: row for row in rows}
    parts = []
    for hold in holds:
        booking = bookings.get(hold.ref) if hold.kind == "booking" else None
        if booking is not None and staff:
            key = N_("This group's booking: %(purpose)s") if booking["group"] == group_id else None
            text = (
                gettext(key, purpose=booking["purpose"])
                if key
                else gettext(
                    N_("%(group)s (booking No. %(number)s: %(purpose)s)"),
                    group=booking["group_name"],
                    number=booking["id"],
                    purpose=booking["purpose"],
                )
            )
        elif booking is not None and booking["group"] == group_id:
            text = gettext("Your group's booking: %(purpose)s", purpose=booking["purpose"])
        elif hold.kind == "booking":
            text = titles.get(hold.id) or gettext(N_("Another group's booking"))
        elif hold.kind == "closure" and staff and hold.label:
            text = f"{gettext(N_('Closed for works'))}: {hold.label}"
        else:
            text = _hold_label(hold, titles)
        if text not in parts:
            parts.append(text)
    return ", ".join(parts)


async def preview_series(
    spec: SeriesSpec, group_id: int, *, override: bool = False, staff: bool = False
) -> SeriesPreview:
    """Every date of the series with its status and fee, checked like a single request; writes
    nothing. Dates past the group's allowance of future bookings are refused (unless overridden)."""
    rule = spec.recurrence
    schedule = generate(rule)
    async with read_transaction():
        room, group = await _room_and_group(spec.request.room_id, group_id)
        infos = (
            {info.day: info for info in await days_info(rule.starts_on, rule.ends_on)}
            if schedule.days
            else {}
        )
        holds: list[HoldInfo] = []
        if schedule.days:
            first = datetime.combine(schedule.days[0], datetime.min.time(), tzinfo=TOKYO)
            last = datetime.combine(schedule.days[-1] + timedelta(days=1), datetime.min.time(), tzinfo=TOKYO)
            holds = await holds_between(first, last, [room["id"]])
        occurrences = []
        for day in schedule.days:
            info = infos[day]
            if not info.open:
                occurrences.append(Occurrence(day, CLOSED, closed_reason_text(info) or "", info.holiday))
                continue
            request = replace(spec.request, day=day)
            try:
                period = await check_request(request, room, group, override=override)
            except ValidationFailed as refused:
                reasons = " ".join(dict.fromkeys(refused.translated().values()))
                occurrences.append(Occurrence(day, REFUSED, reasons, info.holiday))
                continue
            clashes = [h for h in holds if h.starts_at < period.ends_at and period.starts_at < h.ends_at]
            if clashes:
                occurrences.append(
                    Occurrence(
                        day,
                        TAKEN,
                        await taken_text(clashes, group_id, staff=staff),
                        info.holiday,
                        period.starts_at,
                        period.ends_at,
                    )
                )
                continue
            fee = await service.price(request, group, room, period)
            occurrences.append(
                Occurrence(
                    day,
                    FREE,
                    "",
                    info.holiday,
                    period.starts_at,
                    period.ends_at,
                    fee.total,
                    fee,
                    period.slot_codes,
                )
            )
        if not override:
            policy = await load_policy()
            allowed = policy["max_future_bookings"] - await future_count(group_id)
            cap_text = gettext(
                "Your group already holds the most future bookings allowed (%(count)s).",
                count=policy["max_future_bookings"],
            )
            for index, occurrence in enumerate(occurrences):
                if occurrence.status == FREE:
                    if allowed <= 0:
                        occurrences[index] = replace(
                            occurrence, status=REFUSED, reason=cap_text, fee=None, quote=None
                        )
                    allowed -= 1
    return SeriesPreview(occurrences, schedule.skipped, room, group)


# ---- booking the chosen dates -------------------------------------------------------------------
