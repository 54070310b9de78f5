"""Booking a series: the chosen dates all or nothing in one transaction (one BookingSeries row, one
Booking and one hold per date), and the notice to the group listing them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from bookings import service
from bookings.deadlines import load_rule
from bookings.rules import load_policy
from bookings.series.preview import (
    FREE,
    NOT_CHOSEN,
    TAKEN,
    Occurrence,
    SeriesClash,
    SeriesSpec,
    future_count,
    preview_series,
    taken_text,
)
from bookings.series.recurrence import describe
from bookings.tables import BookingSeries
from center.accounts import audit
from center.accounts.actors import Actor
from center.ledger.service import HoldConflict, lock_rooms
from center.lib.dates import TOKYO, english_date, wareki
from center.lib.db import write_transaction
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_, both, current_locale, gettext
from center.notices.service import notify


@dataclass(frozen=True)
class SeriesBooked:
    series_id: int
    booked: list[Occurrence]
    not_booked: list[Occurrence]


def in_both(render) -> dict[str, str]:
    """A text rendered in Japanese and in English (for notices, which store both)."""
    texts = {}
    for locale in ("ja", "en"):
        token = current_locale.set(locale)
        try:
            texts[locale] = render()
        finally:
            current_locale.reset(token)
    return texts


def date_text(day: date) -> str:
    return english_date(day) if current_locale.get() == "en" else wareki(day)


def _listing(occurrences: list[Occurrence], *, with_status: bool, chosen: set[date] | None = None) -> str:
    if not occurrences:
        return "-"
    items = []
    for occurrence in occurrences:
        if not with_status:
            items.append(date_text(occurrence.day))
            continue
        word = (
            gettext(NOT_CHOSEN)
            if occurrence.status == FREE and chosen is not None and occurrence.day not in chosen
            else occurrence.label
        )
        items.append(f"{date_text(occurrence.day)} ({word})")
    return ", ".join(items)


async def book_series(
    spec: SeriesSpec,
    group_id: int,
    actor: Actor,
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
                text = await taken_text(conflict.conflicts, group_id, staff=actor.staff)
                clashes.append(replace(occurrence, status=TAKEN, reason=text, fee=None))
                continue
            booking_ids.append(booking_id)
        if clashes:
            raise SeriesClash(clashes)  # rolls the whole series back
        if not override and await future_count(group_id) > policy["max_future_bookings"]:
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
                "room": both(room),
                "count": len(booked),
                "rule": in_both(lambda: describe(rule.pattern, rule.weekday, rule.nth)),
                "time": _time_text(booked[0]),
                "booked": in_both(lambda: _listing(booked, with_status=False)),
                "not_booked": in_both(lambda: _listing(not_booked, with_status=True, chosen=chosen_set)),
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
