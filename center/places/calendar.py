"""The center's calendar: is a day open, when, which slots, and why not. Computed from data the
manager edits (opening hours, closed days, holidays policy, slots), never from constants."""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from center.lib.dates import era_year, holiday_name, local_instant
from center.lib.i18n import N_, current_locale, gettext, pick
from center.lib.versions import reference_cached
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
    """The calendar's tables, kept per process until they change (center.lib.versions)."""
    return await reference_cached("calendar", _load_calendar)


async def _load_calendar() -> CalendarData:
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


# --- Month views, closed-day wording and the heating season (used by pages and the API) ---

MONTH_NAMES_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# DayInfo.closed_reason holds these markers when no closed-day row applies.
CLOSED_KIND_LABELS = {
    "weekly": N_("Regular closing day"),
    "holiday": N_("Closed on public holidays"),
}


def closed_kind(info: DayInfo) -> str | None:
    """Why a day is closed, as a stable code: "closed_day", "weekly" or "holiday" (None if open)."""
    if info.open:
        return None
    if info.closed_reason in CLOSED_KIND_LABELS:
        return info.closed_reason
    return "closed_day"


def closed_reason_text(info: DayInfo) -> str | None:
    """The closed reason in words in the current language (None if open)."""
    if info.open:
        return None
    marker = CLOSED_KIND_LABELS.get(info.closed_reason or "")
    if marker:
        return gettext(marker)
    return info.closed_reason or gettext(N_("Closed"))


def month_name(month: int) -> str:
    """11月 / November."""
    return MONTH_NAMES_EN[month - 1] if current_locale.get() == "en" else f"{month}月"


def month_title(year: int, month: int) -> str:
    """令和8年11月 / November 2026 (the era of the month's first day)."""
    if current_locale.get() == "en":
        return f"{MONTH_NAMES_EN[month - 1]} {year}"
    era, era_number = era_year(date(year, month, 1))
    return f"{era}{'元' if era_number == 1 else era_number}年{month}月"


def month_weeks(year: int, month: int) -> list[list[date | None]]:
    """The month as weeks from Sunday to Saturday (the Japanese wall-calendar order); days of
    the neighbouring months are None."""
    weeks = _calendar.Calendar(firstweekday=6).monthdatescalendar(year, month)
    return [[day if day.month == month else None for day in week] for week in weeks]


def in_heating_season(day: date, first_month: int, last_month: int) -> bool:
    """Whether the heating fee (暖房料) applies on a day; the season may wrap the new year
    (October to April)."""
    if first_month <= last_month:
        return first_month <= day.month <= last_month
    return day.month >= first_month or day.month <= last_month


async def load_profile() -> dict | None:
    """The center's profile row (name, heating season, holiday policy), or None before set-up; kept
    per process until it changes (center.lib.versions)."""
    return await reference_cached("profile", CenterProfile.select().first().run)
