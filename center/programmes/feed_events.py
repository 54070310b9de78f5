"""What the calendar feeds read from the programmes: flower-bed days in a window, one volunteer's
signup with its day, and when screenings and flower-bed days last changed. Plain rows, read only;
screenings in a window are screenings.screenings_between."""

from __future__ import annotations

from datetime import date, datetime

from center.lib.db import column_max
from center.programmes.tables import FlowerbedDay, FlowerbedSignup, Screening


async def screenings_changed() -> datetime | None:
    """The latest update time of any screening."""
    return await column_max(Screening.updated_at)


async def flowerbed_day_rows(first: date, last: date) -> list[dict]:
    """Flower-bed days on the days first..last (inclusive), every column."""
    return await FlowerbedDay.select().where((FlowerbedDay.day >= first) & (FlowerbedDay.day <= last))


async def flowerbed_days_changed() -> datetime | None:
    """The latest update time of any flower-bed day."""
    return await column_max(FlowerbedDay.updated_at)


async def signup_with_days(signup_id: int) -> tuple[list[dict], dict[int, dict]]:
    """The signup (a list of none or one row, every column) and its day by id."""
    signups = await FlowerbedSignup.select().where(FlowerbedSignup.id == signup_id)
    day_ids = sorted({s["day"] for s in signups})
    days = {d["id"]: d for d in await FlowerbedDay.select().where(FlowerbedDay.id.is_in(day_ids or [-1]))}
    return signups, days
