"""Japanese dates: the era form public offices write (令和8年11月26日(木)), Asia/Tokyo display
of UTC instants, and public holidays (including substitute holidays) from the `holidays`
library."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from center.lib.i18n import current_locale

TOKYO = ZoneInfo("Asia/Tokyo")
WEEKDAYS_JA = "月火水木金土日"
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# (first day, kanji name). Each era's year 1 is 元年.
ERAS = (
    (date(2019, 5, 1), "令和"),
    (date(1989, 1, 8), "平成"),
    (date(1926, 12, 25), "昭和"),
    (date(1912, 7, 30), "大正"),
    (date(1873, 1, 1), "明治"),
)


def era_year(day: date) -> tuple[str, int]:
    """The era and its year for a date (e.g. 令和, 8 for 2026-11-26)."""
    for start, name in ERAS:
        if day >= start:
            return name, day.year - start.year + 1
    raise ValueError("dates before 1873 have no era form here")


def wareki(day: date | datetime, *, weekday: bool = True) -> str:
    """令和8年11月26日(木): the form Japanese public documents use."""
    if isinstance(day, datetime):
        day = to_local(day).date()
    name, year = era_year(day)
    text = f"{name}{'元' if year == 1 else year}年{day.month}月{day.day}日"
    return f"{text}({WEEKDAYS_JA[day.weekday()]})" if weekday else text


def english_date(day: date | datetime, *, weekday: bool = True) -> str:
    """Thu 26 Nov 2026."""
    if isinstance(day, datetime):
        day = to_local(day).date()
    text = f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    return f"{WEEKDAYS_EN[day.weekday()]} {text}" if weekday else text


def format_date(day: date | datetime, *, weekday: bool = True) -> str:
    """A date in the current locale: the era form in Japanese, day month year in English."""
    if current_locale.get() == "en":
        return english_date(day, weekday=weekday)
    return wareki(day, weekday=weekday)


def format_time(value: datetime | time) -> str:
    if isinstance(value, datetime):
        value = to_local(value).time()
    return f"{value.hour}:{value.minute:02d}"


def format_datetime(value: datetime) -> str:
    return f"{format_date(value)} {format_time(value)}"


def weekday_name(index: int) -> str:
    return WEEKDAYS_EN[index] if current_locale.get() == "en" else f"{WEEKDAYS_JA[index]}曜日"


def to_local(value: datetime) -> datetime:
    """A UTC instant shown in Asia/Tokyo."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(TOKYO)


def local_instant(day: date, at: time) -> datetime:
    """The UTC instant of a wall-clock time in Tokyo."""
    return datetime.combine(day, at, tzinfo=TOKYO).astimezone(UTC)


def today() -> date:
    return datetime.now(TOKYO).date()


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a Tokyo calendar day as UTC instants."""
    return local_instant(day, time(0)), local_instant(day + timedelta(days=1), time(0))


@lru_cache(maxsize=64)
def _holidays(year: int, language: str) -> dict[date, str]:
    return dict(holidays.Japan(years=year, language=language))


def holiday_name(day: date) -> str | None:
    """The public holiday's name in the current locale, or None."""
    language = "en_US" if current_locale.get() == "en" else "ja"
    return _holidays(day.year, language).get(day)


def is_holiday(day: date) -> bool:
    return day in _holidays(day.year, "ja")


def holidays_between(start: date, end: date) -> dict[date, str]:
    """Holidays in [start, end], named in the current locale."""
    language = "en_US" if current_locale.get() == "en" else "ja"
    found: dict[date, str] = {}
    for year in range(start.year, end.year + 1):
        for day, name in _holidays(year, language).items():
            if start <= day <= end:
                found[day] = name
    return dict(sorted(found.items()))
