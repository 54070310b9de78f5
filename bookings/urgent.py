"""What staff must see first: open requests, the decisions falling due, and approved bookings
still unpaid just before their use. The staff home page counts them and the bookings list shows
exactly those rows, through the same conditions here."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from bookings.listing import booking_rows
from bookings.payment_state import unpaid_within
from bookings.tables import Booking
from center.lib.dates import local_day_bounds, today

DUE_HOURS = 48  # decisions due within this many hours
UNPAID_DAYS = 7  # unpaid bookings whose use is within this many days
QUEUE_DAYS_BACK = 7  # the bookings list starts this many days ago unless asked otherwise
LATEST = datetime.max.replace(tzinfo=UTC)


def within(raw: str | None) -> int | None:
    """A list filter's "within" number from the query (hours or days, 1 to 1000), else None."""
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) <= 1000 else None


def queue_start() -> date:
    return today() - timedelta(days=QUEUE_DAYS_BACK)


def listed(status: str, start: date) -> Any:
    """The bookings list for a status: those ending after the start of `start`."""
    return (Booking.status == status) & (Booking.ends_at > local_day_bounds(start)[0])


def due_within(hours: int, now: datetime | None = None) -> Any:
    """Open requests that lapse within `hours` (or are overdue), lottery wins aside: those wait
    for the group's confirmation, not the center's decision."""
    now = now or datetime.now(UTC)
    return (
        (Booking.status == "requested")
        & Booking.lottery_entry.is_null()
        & (Booking.lapses_at <= now + timedelta(hours=hours))
    )


def queue_order(row: dict) -> tuple[datetime, datetime]:
    """Open requests by decision deadline, then by date of use."""
    return (row["lapses_at"] or LATEST, row["starts_at"])


async def staff_counts(now: datetime | None = None) -> dict[str, int]:
    """The counts on the staff home page, each matching one filter of the bookings list (with the
    hours and days those filters take)."""
    now = now or datetime.now(UTC)
    return {
        "due_hours": DUE_HOURS,
        "unpaid_days": UNPAID_DAYS,
        "pending": await Booking.count().where(listed("requested", queue_start())),
        "due": await Booking.count().where(due_within(DUE_HOURS, now)),
        "unpaid": len(await unpaid_within(UNPAID_DAYS, now)),
    }


async def staff_list(status: str, start: date, due: int | None, unpaid: int | None) -> tuple[str, list[dict]]:
    """The staff's bookings list and the status it shows: bookings of a status ending after
    `start` (open requests by decision deadline then date of use); or, as the staff home page links
    them, the decisions due within `due` hours, or the approved bookings unpaid with their use
    within `unpaid` days."""
    where = listed(status, start)
    if due:
        status, where = "requested", due_within(due)
    elif unpaid:
        status, where = "approved", Booking.id.is_in(await unpaid_within(unpaid) or [-1])
    rows = await booking_rows(where, limit=300)
    if status == "requested":
        rows.sort(key=queue_order)
    return status, rows
