"""The center's calendar: is a day open, when, which slots, and why not. Computed from data the
manager edits (opening hours, closed days, holidays policy, slots), never from constants."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from center.dates import holiday_name, local_instant
from center.i18n import pick
from center.places.tables import CenterProfile, ClosedDay, OpeningHours, Slot


@dataclass(frozen=True)
class SlotPeriod:
    code: str
    name: str
    starts: time
    ends: time
    starts_at: datetime  # UTC instant on the day
    ends_at: datetime


@dataclass(frozen=True)
class DayInfo:
    """What the calendar says about one day."""

    day: date
    open: bool
    opens: time | None
    closes: time | None
    holiday: str | None
    closed_reason: str | None
    slots: list[SlotPeriod] = field(default_factory=list)


@dataclass
class CalendarData:
    """The calendar's tables, loaded once for a range of days."""

    hours: dict[int, dict]
    closed_days: list[dict]
    slots: list[dict]
    holidays_closed: bool

    def closed_reason(self, day: date) -> str | None:
        for closed in self.closed_days:
            start, end = closed["starts_on"], closed["ends_on"]
            if closed["yearly"]:
                if _in_yearly_range(day, start, end):
                    return pick(closed["reason_ja"], closed["reason_en"])
            elif start <= day <= end:
                return pick(closed["reason_ja"], closed["reason_en"])
        return None

    def day(self, day: date) -> DayInfo:
        holiday = holiday_name(day)
        hours = self.hours.get(day.weekday())
        reason = self.closed_reason(day)
        if reason is None and (hours is None or hours["closed"] or not hours["opens"]):
            reason = "weekly"
        if reason is None and holiday and self.holidays_closed:
            reason = "holiday"
        if reason is not None:
            return DayInfo(day, False, None, None, holiday, reason)
        opens, closes = hours["opens"], hours["closes"]
        periods = [
            SlotPeriod(
                code=slot["code"],
                name=pick(slot["name_ja"], slot["name_en"]),
                starts=slot["starts"],
                ends=slot["ends"],
                starts_at=local_instant(day, slot["starts"]),
                ends_at=local_instant(day, slot["ends"]),
            )
            for slot in self.slots
            if slot["starts"] >= opens and slot["ends"] <= closes
        ]
        return DayInfo(day, True, opens, closes, holiday, None, periods)


def _in_yearly_range(day: date, start: date, end: date) -> bool:
    """A yearly closed period such as 12/29–1/3 may wrap over the new year."""
    key = (day.month, day.day)
    first, last = (start.month, start.day), (end.month, end.day)
    if first <= last:
        return first <= key <= last
    return key >= first or key <= last


async def load_calendar() -> CalendarData:
    hours = {row["weekday"]: row for row in await OpeningHours.select()}
    closed_days = await ClosedDay.select().order_by(ClosedDay.starts_on)
    slots = await Slot.select().where(Slot.active == True).order_by(Slot.sort_order, Slot.starts)
    profile = await CenterProfile.select(CenterProfile.holidays_closed).first()
    return CalendarData(hours, closed_days, slots, bool(profile and profile["holidays_closed"]))


async def day_info(day: date) -> DayInfo:
    return (await load_calendar()).day(day)


async def days_info(start: date, end: date) -> list[DayInfo]:
    """Each day in [start, end]."""
    calendar = await load_calendar()
    return [calendar.day(start + timedelta(days=n)) for n in range((end - start).days + 1)]
