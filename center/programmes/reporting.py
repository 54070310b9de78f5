"""What the council's programmes report reads: flower-bed days of a period with the signups who
attended them, the volunteer points of the period and its screenings. Plain rows, read only; the
counting rules are the report's (center/shell/reports/programmes_report.py)."""

from __future__ import annotations

from datetime import date, datetime

from center.programmes.tables import FlowerbedDay, FlowerbedSignup, PointsEntry, Screening


async def flowerbed_days(first: date, last: date) -> list[dict]:
    """Flower-bed days on the days first..last (inclusive), in date order, every column."""
    return (
        await FlowerbedDay.select()
        .where((FlowerbedDay.day >= first) & (FlowerbedDay.day <= last))
        .order_by(FlowerbedDay.day)
    )


async def attended_signups(day_ids: list[int]) -> list[dict]:
    """The signups marked as attended on these days, every column."""
    return await FlowerbedSignup.select().where(
        FlowerbedSignup.day.is_in(day_ids or [-1]) & (FlowerbedSignup.attended == True)
    )


async def points_entries(first: date, last: date) -> list[dict]:
    """Volunteer points earned for the days first..last: day, points, volunteer_no."""
    return await PointsEntry.select(PointsEntry.day, PointsEntry.points, PointsEntry.volunteer_no).where(
        (PointsEntry.day >= first) & (PointsEntry.day <= last)
    )


async def screenings_starting(start: datetime, end: datetime) -> list[dict]:
    """Screenings starting in [start, end), cancelled ones included: starts_at, status, attendance."""
    return await Screening.select(Screening.starts_at, Screening.status, Screening.attendance).where(
        (Screening.starts_at >= start) & (Screening.starts_at < end)
    )
