"""Recurring series: weekly, every other week, or monthly by weekday (the 2nd Tuesday, the last
Friday). The dates are pure functions of the rule; the preview checks every date with the same
rules, fees and ledger as a single request, writing nothing; booking takes the chosen dates all
or nothing in one transaction (one BookingSeries row, one Booking and one hold per date); dates
can be cancelled one at a time or all from a date on."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bookings import service
from bookings.availability import _hold_label, _labels
from bookings.deadlines import load_rule
from bookings.fees import FeeQuote
from bookings.rules import ACTIVE_STATUSES, BookingRequest, check_request, load_policy
from bookings.tables import Booking, BookingSeries
from center.accounts import audit
from center.accounts.tables import Group
from center.ledger.service import HoldConflict, HoldInfo, holds_between, lock_rooms, release_hold
from center.lib.dates import TOKYO, english_date, wareki
from center.lib.db import read_transaction, write_transaction
from center.lib.errors import Conflict, NotFound, ValidationFailed
from center.lib.i18n import N_, current_locale, gettext
from center.notices.service import notify
from center.places.calendar import closed_reason_text, days_info
from center.places.tables import Room

PATTERNS = ("weekly", "biweekly", "monthly")
NTH_CHOICES = (1, 2, 3, 4, 5, -1)  # -1: the last such weekday of the month
MAX_OCCURRENCES = 60
MAX_SPAN_DAYS = 366  # about a year

PATTERN_LABELS = {
    "weekly": N_("Every week"),
    "biweekly": N_("Every other week"),
    "monthly": N_("Once a month on a weekday (e.g. the 2nd Tuesday)"),
}
WEEKDAY_NAMES = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
NTH_LABELS = {
    1: N_("1st"),
    2: N_("2nd"),
    3: N_("3rd"),
    4: N_("4th"),
    5: N_("5th"),
    -1: N_("Last"),
}

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


# ---- the dates: pure functions ---------------------------------------------------------------


@dataclass(frozen=True)
class Recurrence:
    """Which days a series falls on, between starts_on and ends_on inclusive."""

    pattern: str  # weekly | biweekly | monthly
    weekday: int  # 0 = Monday
    starts_on: date
    ends_on: date
    nth: int | None = None  # monthly: 1..5, or -1 for the last


@dataclass(frozen=True)
class Schedule:
    days: tuple[date, ...]
    skipped: tuple[date, ...] = ()  # the first day of each month that lacks the nth weekday


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> date | None:
    """The nth (1..5) or last (-1) given weekday of a month; None when the month has no such day
    (e.g. a 5th Tuesday)."""
    days_in_month = calendar.monthrange(year, month)[1]
    if nth == -1:
        last = date(year, month, days_in_month)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    day = 1 + (weekday - first.weekday()) % 7 + 7 * (nth - 1)
    return date(year, month, day) if day <= days_in_month else None


def generate(rule: Recurrence) -> Schedule:
    """Every date of the rule in [starts_on, ends_on]. A weekly series starts on the first chosen
    weekday on or after starts_on; every other week counts from that day."""
    if rule.ends_on < rule.starts_on:
        return Schedule(())
    if rule.pattern in ("weekly", "biweekly"):
        step = timedelta(days=7 if rule.pattern == "weekly" else 14)
        day = rule.starts_on + timedelta(days=(rule.weekday - rule.starts_on.weekday()) % 7)
        days = []
        while day <= rule.ends_on:
            days.append(day)
            day += step
        return Schedule(tuple(days))
    if rule.pattern == "monthly":
        assert rule.nth is not None
        days, skipped = [], []
        year, month = rule.starts_on.year, rule.starts_on.month
        while date(year, month, 1) <= rule.ends_on:
            found = nth_weekday(year, month, rule.weekday, rule.nth)
            if found is None:
                skipped.append(date(year, month, 1))
            elif rule.starts_on <= found <= rule.ends_on:
                days.append(found)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return Schedule(tuple(days), tuple(skipped))
    raise ValueError(f"unknown pattern {rule.pattern!r}")


def recurrence_errors(rule: Recurrence) -> dict[str, str]:
    """Field -> msgid for a rule that cannot make a series (order, length, count)."""
    errors: dict[str, str] = {}
    if rule.pattern not in PATTERNS:
        errors["pattern"] = N_("Choose how often the series repeats.")
    if not 0 <= rule.weekday <= 6:
        errors["weekday"] = N_("Choose a day of the week.")
    if rule.pattern == "monthly" and rule.nth not in NTH_CHOICES:
        errors["nth"] = N_("Choose which week of the month.")
    if rule.ends_on < rule.starts_on:
        errors["ends_on"] = N_("The last date must be on or after the first date.")
    elif (rule.ends_on - rule.starts_on).days > MAX_SPAN_DAYS:
        errors["ends_on"] = N_("A series can cover at most one year.")
    if errors:
        return errors
    count = len(generate(rule).days)
    if count == 0:
        errors["ends_on"] = N_("No date in that period matches the chosen day of the week.")
    elif count > MAX_OCCURRENCES:
        errors["ends_on"] = N_("A series can have at most %(max)s dates. Choose a shorter period.")
    return errors


def describe(pattern: str, weekday: int, nth: int | None) -> str:
    """ "Every week on Tuesday", "Every month on the 2nd Tuesday", in the current language."""
    name = gettext(WEEKDAY_NAMES[weekday])
    if pattern == "weekly":
        return gettext("Every week on %(weekday)s", weekday=name)
    if pattern == "biweekly":
        return gettext("Every other week on %(weekday)s", weekday=name)
    if nth == -1:
        return gettext("Every month on the last %(weekday)s", weekday=name)
    return gettext(
        "Every month on the %(nth)s %(weekday)s", nth=gettext(NTH_LABELS.get(nth or 1)), weekday=name
    )


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


async def _future_count(group_id: int) -> int:
    return await Booking.count().where(
        (Booking.group == group_id)
        & (Booking.status.is_in(list(ACTIVE_STATUSES)))
        & (Booking.ends_at > datetime.now(UTC))
    )


async def _taken_text(holds: list[HoldInfo], group_id: int, *, staff: bool = False) -> str:
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
                        await _taken_text(clashes, group_id, staff=staff),
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
            allowed = policy["max_future_bookings"] - await _future_count(group_id)
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


@dataclass(frozen=True)
class SeriesBooked:
    series_id: int
    booked: list[Occurrence]
    not_booked: list[Occurrence]


def _in_both(render) -> dict[str, str]:
    """A text rendered in Japanese and in English (for notices, which store both)."""
    texts = {}
    for locale in ("ja", "en"):
        token = current_locale.set(locale)
        try:
            texts[locale] = render()
        finally:
            current_locale.reset(token)
    return texts


def _date_text(day: date) -> str:
    return english_date(day) if current_locale.get() == "en" else wareki(day)


def _listing(occurrences: list[Occurrence], *, with_status: bool, chosen: set[date] | None = None) -> str:
    if not occurrences:
        return "-"
    items = []
    for occurrence in occurrences:
        if not with_status:
            items.append(_date_text(occurrence.day))
            continue
        word = (
            gettext(NOT_CHOSEN)
            if occurrence.status == FREE and chosen is not None and occurrence.day not in chosen
            else occurrence.label
        )
        items.append(f"{_date_text(occurrence.day)} ({word})")
    return ", ".join(items)


async def book_series(
    spec: SeriesSpec,
    group_id: int,
    actor: service.Actor,
    chosen: list[date],
    *,
    override_reason: str = "",
) -> SeriesBooked:
    """Book the chosen free dates of a series: one BookingSeries row, and for each date a booking
    request with its tentative hold, all in one transaction. If any chosen date is no longer free
    (taken a moment ago, or refused by the rules), nothing is booked and SeriesClash lists them."""
    override = bool(override_reason.strip()) and actor.staff
    chosen_set = set(chosen)
    if not chosen_set:
        raise ValidationFailed({"occurrences": N_("Choose at least one date to book.")})
    preview = await preview_series(spec, group_id, override=override, staff=actor.staff)
    by_day = {occurrence.day: occurrence for occurrence in preview.occurrences}
    if not chosen_set <= set(by_day):
        raise ValidationFailed({"occurrences": N_("Choose dates from the list.")})
    unavailable = [by_day[day] for day in sorted(chosen_set) if by_day[day].status != FREE]
    if unavailable:
        raise SeriesClash(unavailable, preview)

    room, group, rule, template = preview.room, preview.group, spec.recurrence, spec.request
    policy = await load_policy()
    now = datetime.now(UTC)
    booked = [by_day[day] for day in sorted(chosen_set)]
    not_booked = [occurrence for occurrence in preview.occurrences if occurrence.day not in chosen_set]
    async with write_transaction():
        await lock_rooms(room["id"])
        deadlines = await load_rule(policy)
        rows = await BookingSeries.insert(
            BookingSeries(
                group=group_id,
                room=room["id"],
                pattern=rule.pattern,
                weekday=rule.weekday,
                nth=rule.nth if rule.pattern == "monthly" else None,
                starts_on=rule.starts_on,
                ends_on=rule.ends_on,
                slot_codes=",".join(template.slot_codes),
                start_time=template.start,
                end_time=template.end,
                purpose=template.purpose.strip(),
                expected_head_count=template.expected_head_count,
                public=template.public,
                public_title=template.public_title.strip() if template.public else "",
                contact_name=template.contact_name.strip(),
                contact_phone=template.contact_phone.strip(),
                status="active",
                created_by=actor.id,
                created_at=now,
                updated_at=now,
            )
        ).returning(BookingSeries.id)
        series_id = rows[0]["id"]
        clashes: list[Occurrence] = []
        booking_ids = []
        for occurrence in booked:
            # The period and fee were checked and priced by the preview a moment ago; the ledger
            # below is what guards against anything that changed since.
            request, fee = replace(template, day=occurrence.day), occurrence.quote
            assert fee is not None and occurrence.starts_at and occurrence.ends_at
            try:
                booking_id = await service.insert_booking(
                    request,
                    group,
                    room,
                    occurrence.starts_at,
                    occurrence.ends_at,
                    occurrence.slot_codes,
                    fee,
                    actor,
                    now=now,
                    lapses_at=deadlines.for_request(occurrence.starts_at, now),
                    override_reason=override_reason.strip() if override else "",
                    series=series_id,
                    occurrence_on=occurrence.day,
                )
            except HoldConflict as conflict:
                text = await _taken_text(conflict.conflicts, group_id, staff=actor.staff)
                clashes.append(replace(occurrence, status=TAKEN, reason=text, fee=None))
                continue
            booking_ids.append(booking_id)
        if clashes:
            raise SeriesClash(clashes)  # rolls the whole series back
        if not override and await _future_count(group_id) > policy["max_future_bookings"]:
            raise ValidationFailed(
                {"group": N_("Your group already holds the most future bookings allowed (%(count)s).")},
                params={"count": policy["max_future_bookings"]},
            )
        after = await BookingSeries.select().where(BookingSeries.id == series_id).first()
        await audit.record(
            "request",
            "booking_series",
            series_id,
            actor=actor,
            after={
                **after,
                "bookings": booking_ids,
                "booked_dates": [o.day for o in booked],
                "not_booked": [{"date": o.day, "status": o.status, "reason": o.reason} for o in not_booked],
            },
            note=override_reason.strip() if override else "",
        )
        await notify(
            kind="series.request",
            subject=N_("Recurring booking requested: %(room)s, %(count)s dates"),
            body=N_(
                "We received your request for a recurring booking of %(room)s (%(rule)s, %(time)s). "
                "Booked and held for you until the center decides: %(booked)s. Not booked: %(not_booked)s."
            ),
            params={
                "room": {"ja": room["name_ja"], "en": room["name_en"] or room["name_ja"]},
                "count": len(booked),
                "rule": _in_both(lambda: describe(rule.pattern, rule.weekday, rule.nth)),
                "time": _time_text(booked[0]),
                "booked": _in_both(lambda: _listing(booked, with_status=False)),
                "not_booked": _in_both(lambda: _listing(not_booked, with_status=True, chosen=chosen_set)),
            },
            group_id=group_id,
            link=f"/bookings/series/{series_id}",
            entity="booking_series",
            entity_id=series_id,
        )
    return SeriesBooked(series_id, booked, not_booked)


def _time_text(occurrence: Occurrence) -> str:
    if occurrence.starts_at is None or occurrence.ends_at is None:
        return ""
    starts, ends = occurrence.starts_at.astimezone(TOKYO), occurrence.ends_at.astimezone(TOKYO)
    return f"{starts:%H:%M}–{ends:%H:%M}"


# ---- managing a series ----------------------------------------------------------------------------


async def get_series(series_id: int, *, staff: bool, group_ids: tuple[int, ...] = ()) -> dict:
    """The series with its room and group names, if the user may see it (staff, or its group)."""
    row = await (
        BookingSeries.select(
            *BookingSeries.all_columns(),
            BookingSeries.room.name_ja.as_alias("room_name_ja"),
            BookingSeries.room.name_en.as_alias("room_name_en"),
            BookingSeries.room.code.as_alias("room_code"),
            BookingSeries.group.name.as_alias("group_name"),
        )
        .where(BookingSeries.id == series_id)
        .first()
    )
    if row is None or not (staff or row["group"] in group_ids):
        raise NotFound(N_("That series does not exist."))
    return row


async def series_bookings(series_id: int) -> list[dict]:
    return await Booking.select().where(Booking.series == series_id).order_by(Booking.starts_at)


def rule_of(series: dict) -> Recurrence:
    return Recurrence(
        series["pattern"], series["weekday"], series["starts_on"], series["ends_on"], series["nth"]
    )


async def cancellable_from(actor: service.Actor) -> date:
    """The first day of use a member may still cancel online (staff: today)."""
    today = datetime.now(TOKYO).date()
    if actor.staff:
        return today
    policy = await load_policy()
    return today + timedelta(days=policy["cancel_online_until_days"])


async def cancel_occurrences(
    series_id: int,
    actor: service.Actor,
    *,
    from_day: date | None = None,
    booking_id: int | None = None,
    reason: str = "",
    group_ids: tuple[int, ...] = (),
) -> list[dict]:
    """Cancel one date of a series (booking_id) or every coming date from a day on, in one
    transaction: each hold released at once and the refund due recorded as for a single
    cancellation; one notice to the group. Members within the online deadline; staff with a reason."""
    series = await get_series(series_id, staff=actor.staff, group_ids=group_ids)
    if booking_id is None and from_day is None:
        raise ValidationFailed({"from": N_("Enter a date like 2026-12-01.")})
    if actor.staff and not reason.strip():
        raise ValidationFailed({"reason": N_("Enter the reason.")})
    earliest = await cancellable_from(actor)
    now = datetime.now(UTC)
    async with write_transaction():
        query = Booking.select().where(
            (Booking.series == series_id)
            & Booking.status.is_in(list(ACTIVE_STATUSES))
            & (Booking.starts_at > now)
        )
        if booking_id is not None:
            query = query.where(Booking.id == booking_id)
        else:
            query = query.where(Booking.occurrence_on >= from_day)
        targets = await query.order_by(Booking.starts_at)
        field_name = "from" if booking_id is None else "booking"
        if not targets:
            if booking_id is not None:
                raise NotFound(N_("That booking does not exist."))
            raise ValidationFailed(
                {field_name: N_("No booked date of this series is left to cancel from that date.")}
            )
        too_early = [b for b in targets if b["starts_at"].astimezone(TOKYO).date() < earliest]
        if too_early:
            raise ValidationFailed(
                {
                    field_name: N_(
                        "Dates before %(date)s can no longer be cancelled online. Please call the center."
                    )
                },
                params={"date": _date_text(earliest)},
            )
        cancelled = []
        for before in targets:
            refund = await service.refund_due(before)
            await Booking.update(
                {
                    Booking.status: "cancelled",
                    Booking.cancelled_at: now,
                    Booking.cancel_reason: reason.strip(),
                    Booking.refund_due: refund,
                    Booking.updated_at: now,
                    Booking.ical_sequence: Booking.ical_sequence + 1,
                }
            ).where((Booking.id == before["id"]) & (Booking.status == before["status"]))
            if before["hold"]:
                await release_hold(before["hold"], reason=f"cancel: {reason.strip()}"[:500])
            after = await Booking.select().where(Booking.id == before["id"]).first()
            await audit.record(
                "cancel",
                "booking",
                before["id"],
                actor=actor,
                before=before,
                after=after,
                note=reason.strip(),
            )
            cancelled.append(after)
        remaining = await Booking.count().where(
            (Booking.series == series_id)
            & Booking.status.is_in(list(ACTIVE_STATUSES))
            & (Booking.starts_at > now)
        )
        series_before = {
            key: value
            for key, value in series.items()
            if not key.endswith(("_name", "_name_ja", "_name_en", "_code"))
        }
        if remaining == 0:
            await BookingSeries.update(
                {BookingSeries.status: "cancelled", BookingSeries.updated_at: now}
            ).where(BookingSeries.id == series_id)
        series_after = await BookingSeries.select().where(BookingSeries.id == series_id).first()
        await audit.record(
            "cancel",
            "booking_series",
            series_id,
            actor=actor,
            before=series_before,
            after={**series_after, "cancelled": [b["id"] for b in cancelled]},
            note=reason.strip(),
        )
        if len(cancelled) == 1:
            await service.notify_group(cancelled[0], "cancel", reason.strip())
        else:
            await _notify_cancelled(series, cancelled, reason.strip())
    return cancelled


async def _notify_cancelled(series: dict, cancelled: list[dict], reason: str) -> None:
    refund = sum(b["refund_due"] for b in cancelled)
    days = [b["starts_at"].astimezone(TOKYO).date() for b in cancelled]
    await notify(
        kind="series.cancel",
        subject=N_("Recurring booking cancelled: %(room)s, %(count)s dates"),
        body=N_(
            "These dates of the recurring booking of %(room)s were cancelled: %(dates)s. %(reason)s "
            "Refund due: %(refund)s."
        ),
        params={
            "room": {"ja": series["room_name_ja"], "en": series["room_name_en"] or series["room_name_ja"]},
            "count": len(cancelled),
            "dates": _in_both(lambda: ", ".join(_date_text(day) for day in days)),
            "reason": reason or "-",
            "refund": f"¥{refund:,}",
        },
        group_id=series["group"],
        link=f"/bookings/series/{series['id']}",
        entity="booking_series",
        entity_id=series["id"],
    )


def occurrence_rows(series: dict, bookings: list[dict]) -> list[dict[str, Any]]:
    """Every date of the series' rule with its booking (None: not booked when the series was made)."""
    by_day = {}
    for booking in bookings:
        day = booking["occurrence_on"] or booking["starts_at"].astimezone(TOKYO).date()
        # A moved booking keeps its occurrence date; a later active one wins over a cancelled one.
        if day not in by_day or booking["status"] in ACTIVE_STATUSES:
            by_day[day] = booking
    days = sorted(set(generate(rule_of(series)).days) | set(by_day))
    return [{"day": day, "booking": by_day.get(day)} for day in days]
