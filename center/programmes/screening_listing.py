"""Reading the screenings: one with its video and room, those on a range of days (for the
schedules, the calendar and the signage), what is showing now and next, and the monthly
attendance figures for the reports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from center.lib.dates import TOKYO, local_day_bounds, to_local, today
from center.lib.errors import NotFound
from center.lib.i18n import N_
from center.programmes.tables import Screening


def _listing(*more: Any):
    """Screenings with their video's title, length, level and what it trains, and the room's names
    (and `more` columns)."""
    return Screening.select(
        Screening.all_columns(),
        Screening.video.title.as_alias("title"),
        Screening.video.minutes.as_alias("minutes"),
        Screening.video.level.as_alias("level"),
        Screening.video.trains.as_alias("trains"),
        Screening.room.name_ja.as_alias("room_name_ja"),
        Screening.room.name_en.as_alias("room_name_en"),
        *more,
    )


async def screenings_between(start: date, end: date, *, include_cancelled: bool = True) -> list[dict]:
    """Screenings on the Tokyo days [start, end], in time order."""
    range_start, _ = local_day_bounds(start)
    _, range_end = local_day_bounds(end)
    query = _listing().where((Screening.starts_at >= range_start) & (Screening.starts_at < range_end))
    if not include_cancelled:
        query = query.where(Screening.status == "scheduled")
    return await query.order_by(Screening.starts_at)


async def screenings_on_day(day: date | None = None) -> list[dict]:
    day = day or today()
    return await screenings_between(day, day, include_cancelled=False)


async def now_and_next(now: datetime | None = None, limit: int = 4) -> tuple[list[dict], list[dict]]:
    """What is showing now and what comes next today (for the signage)."""
    now = now or datetime.now(UTC)
    todays = await screenings_on_day(now.astimezone(TOKYO).date())
    showing = [s for s in todays if s["starts_at"] <= now < s["ends_at"]]
    upcoming = [s for s in todays if s["starts_at"] > now][:limit]
    return showing, upcoming


async def monthly_figures(months: int = 6) -> list[dict]:
    """Per month: screenings held, people counted, and the average (for the reports)."""
    first = today().replace(day=1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    rows = await Screening.select(Screening.starts_at, Screening.attendance).where(
        (Screening.status == "scheduled")
        & (Screening.starts_at >= local_day_bounds(first)[0])
        & (Screening.starts_at < datetime.now(UTC))
    )
    figures: dict[tuple[int, int], dict] = {}
    cursor = first
    for _ in range(months):
        figures[(cursor.year, cursor.month)] = {
            "year": cursor.year,
            "month": cursor.month,
            "held": 0,
            "counted": 0,
            "people": 0,
        }
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    for row in rows:
        local = to_local(row["starts_at"])
        item = figures.get((local.year, local.month))
        if item is None:
            continue
        item["held"] += 1
        if row["attendance"] is not None:
            item["counted"] += 1
            item["people"] += row["attendance"]
    return list(figures.values())


async def month_attendance(year: int, month: int) -> dict:
    """One month's screenings held and people counted."""
    first = date(year, month, 1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    rows = [s for s in await screenings_between(first, last, include_cancelled=False)]
    counted = [s["attendance"] for s in rows if s["attendance"] is not None]
    return {"year": year, "month": month, "held": len(rows), "people": sum(counted), "counted": len(counted)}


async def get_screening(screening_id: int) -> dict:
    row = await (
        _listing(Screening.video.staff_notes.as_alias("staff_notes"))
        .where(Screening.id == screening_id)
        .first()
    )
    if row is None:
        raise NotFound(N_("That screening does not exist."))
    return row
