"""A series after booking: reading it and its bookings, cancelling dates one at a time or all from
a date on (one transaction, the group told), and its dates as rows for the pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from bookings import service
from bookings.rules import ACTIVE_STATUSES, load_policy
from bookings.series.booking import date_text, in_both
from bookings.series.recurrence import Recurrence, generate
from bookings.tables import Booking, BookingSeries
from center.accounts import audit
from center.accounts.actors import Actor
from center.ledger.service import release_hold
from center.lib.dates import TOKYO
from center.lib.db import write_transaction
from center.lib.errors import NotFound, ValidationFailed
from center.lib.i18n import N_, both
from center.notices.service import notify


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


async def cancellable_from(actor: Actor) -> date:
    """The first day of use a member may still cancel online (staff: today)."""
    today = datetime.now(TOKYO).date()
    if actor.staff:
        return today
    policy = await load_policy()
    return today + timedelta(days=policy["cancel_online_until_days"])


async def cancel_occurrences(
    series_id: int,
    actor: Actor,
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
                params={"date": date_text(earliest)},
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
            "room": both(series, "room_name"),
            "count": len(cancelled),
            "dates": in_both(lambda: ", ".join(date_text(day) for day in days)),
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


async def series_rows(group_ids: list[int] | None = None) -> list[dict]:
    """Series with their room and group names, newest first: the groups' ones, or every group's
    (None, for staff)."""
    where = BookingSeries.group.is_in(group_ids or [-1]) if group_ids is not None else BookingSeries.id > 0
    return await (
        BookingSeries.select(
            *BookingSeries.all_columns(),
            BookingSeries.room.name_ja.as_alias("room_name_ja"),
            BookingSeries.room.name_en.as_alias("room_name_en"),
            BookingSeries.group.name.as_alias("group_name"),
        )
        .where(where)
        .order_by(BookingSeries.starts_on, ascending=False)
        .limit(200)
    )


async def cancel_targets(series_id: int, *, booking_id: int | None, from_day: date | None) -> list[dict]:
    """The coming, still active dates a cancellation would take: one booking of the series, or every
    one from a day on."""
    query = Booking.select().where(
        (Booking.series == series_id)
        & Booking.status.is_in(["requested", "approved"])
        & (Booking.starts_at > datetime.now(UTC))
    )
    if booking_id is not None:
        query = query.where(Booking.id == booking_id)
    else:
        query = query.where(Booking.occurrence_on >= from_day)
    return await query.order_by(Booking.starts_at)
