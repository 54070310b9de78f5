"""The periods the council reports on: a calendar month, or a fiscal year (April to March), both
as Tokyo calendar days. Every report counts over the half-open instants [start, end) of its
period's first and last day in Asia/Tokyo."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from center.lib import dates
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_, current_locale, gettext
from center.lib.months import shift_month
from center.places.calendar import month_title

MONTH_PATTERN = re.compile(r"(\d{4})-(\d{1,2})")
YEAR_PATTERN = re.compile(r"\d{4}")
FIRST_YEAR, LAST_YEAR = 2000, 2199


@dataclass(frozen=True)
class Period:
    """A month (month set) or a fiscal year (month None, `year` is the April it starts in)."""

    year: int
    month: int | None = None

    @property
    def is_month(self) -> bool:
        return self.month is not None

    @property
    def first(self) -> date:
        return date(self.year, self.month or 4, 1)

    @property
    def last(self) -> date:
        """The last day, inclusive."""
        if self.month is None:
            return date(self.year + 1, 3, 31)
        next_year, next_month = shift_month(self.year, self.month, 1)
        return date(next_year, next_month, 1) - timedelta(days=1)

    @property
    def start(self) -> datetime:
        return dates.local_day_bounds(self.first)[0]

    @property
    def end(self) -> datetime:
        return dates.local_day_bounds(self.last)[1]

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def months(self) -> list[Period]:
        """The months in the period, in order (one for a month)."""
        if self.month is not None:
            return [self]
        return [Period(*shift_month(self.year, 4, n)) for n in range(12)]

    def year_earlier(self) -> Period:
        return Period(self.year - 1, self.month)

    def query(self) -> str:
        """The query string that names this period (?month=2026-11 or ?year=2026)."""
        return f"month={self.year}-{self.month:02d}" if self.month else f"year={self.year}"

    @property
    def slug(self) -> str:
        return f"{self.year}-{self.month:02d}" if self.month else f"FY{self.year}"

    @property
    def title(self) -> str:
        """令和8年11月 / November 2026, or 令和8年度 / Fiscal year 2026 (April 2026 – March 2027)."""
        if self.month is not None:
            return month_title(self.year, self.month)
        if current_locale.get() == "en":
            return gettext(N_("Fiscal year %(year)s"), year=self.year)
        era, number = dates.era_year(self.first)
        return f"{era}{'元' if number == 1 else number}年度"

    @property
    def short_title(self) -> str:
        """11月 / Nov, for chart axes (months only)."""
        if self.month is None:
            return self.title
        return dates.MONTHS_EN[self.month - 1] if current_locale.get() == "en" else f"{self.month}月"


BAD_MONTH = N_("Enter a month as YYYY-MM, e.g. 2026-11.")
BAD_YEAR = N_("Enter a fiscal year as four digits, e.g. 2026 for April 2026 to March 2027.")


def parse_period(params: dict | object, today: date | None = None) -> Period:
    """The period a query names: ?month=YYYY-MM, or ?year=YYYY (fiscal); without either, the last
    complete month. Bad values raise ValidationFailed (400)."""
    get = params.get  # type: ignore[attr-defined]
    month_raw = (get("month") or "").strip()
    year_raw = (get("year") or "").strip()
    if month_raw:
        match = MONTH_PATTERN.fullmatch(month_raw)
        if not match or not 1 <= int(match[2]) <= 12 or not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
            raise ValidationFailed({"month": BAD_MONTH})
        return Period(int(match[1]), int(match[2]))
    if year_raw:
        if not YEAR_PATTERN.fullmatch(year_raw) or not FIRST_YEAR <= int(year_raw) <= LAST_YEAR:
            raise ValidationFailed({"year": BAD_YEAR})
        return Period(int(year_raw))
    today = today or dates.today()
    return Period(*shift_month(today.year, today.month, -1))
