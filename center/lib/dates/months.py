"""A month as a query parameter: ?month=2026-11 (this month when absent), for the calendars and
the monthly reports."""

from __future__ import annotations

import re

from center.lib.dates import today
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_

MONTH_PATTERN = re.compile(r"(\d{4})-(\d{1,2})")


def parse_month(raw: str | None) -> tuple[int, int]:
    """(year, month) from "2026-11", or this month when empty; ValidationFailed (field "month")
    when it is not a month from 1900 to 2199."""
    if not raw:
        now = today()
        return now.year, now.month
    match = MONTH_PATTERN.fullmatch(raw.strip())
    if not match or not (1 <= int(match[2]) <= 12) or not (1900 <= int(match[1]) <= 2199):
        raise ValidationFailed({"month": N_("Enter a month as YYYY-MM, e.g. 2026-11.")})
    return int(match[1]), int(match[2])
