"""Calendar months and the Japanese fiscal year (April to March): the one home of month
arithmetic for bookings' windows, feeds' ranges, the calendar pages and the reports."""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date

from center.lib.errors import ValidationFailed
from center.lib.i18n import N_

MONTH_PATTERN = re.compile(r"(\d{4})-(\d{1,2})")
BAD_MONTH = N_("Enter a month as YYYY-MM, e.g. 2026-11.")


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    """The (year, month) `delta` months after (or before, when negative) this one."""
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), on the month's last day when it is shorter
    (1/31 + 1 month = 2/28 or 2/29)."""
    year, month = shift_month(day.year, day.month, months)
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def parse_month(raw: str | None, today: date) -> tuple[int, int]:
    """?month=2026-11 as (2026, 11); `today`'s month when absent. A malformed month raises
    ValidationFailed on the field "month"."""
    if not raw:
        return today.year, today.month
    match = MONTH_PATTERN.fullmatch(raw.strip())
    if not match or not (1 <= int(match[2]) <= 12) or not (1900 <= int(match[1]) <= 2199):
        raise ValidationFailed({"month": BAD_MONTH})
    return int(match[1]), int(match[2])


def fiscal_year(day: date) -> int:
    """The fiscal year (April–March) a day belongs to, by its starting calendar year."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_bounds(year: int) -> tuple[date, date]:
    """The first and last day of a fiscal year."""
    return date(year, 4, 1), date(year + 1, 3, 31)
