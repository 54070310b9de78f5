"""The dates of a recurring series, as pure functions of its rule: weekly, every other week, or
monthly by weekday (the 2nd Tuesday, the last Friday), with the checks of a rule and its words."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from center.lib.i18n import N_, gettext

PATTERNS = ("weekly", "biweekly", "monthly")
NTH_CHOICES = (1, 2, 3, 4, 5, -1)  # -1: the last such weekday of the month
MAX_OCCURRENCES = 60
MAX_SPAN_DAYS = 366  # about a year

PATTERN_LABELS = {
    "weekly": N_("Every week"),
    "biweekly": N_("Every other week"),
    "monthly": N_("Once a month on a weekday (e.g. the 2nd Tuesday)"),
}
WEEKDAY_NAMES = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
NTH_LABELS = {
    1: N_("1st"),
    2: N_("2nd"),
    3: N_("3rd"),
    4: N_("4th"),
    5: N_("5th"),
    -1: N_("Last"),
}


# ---- the dates: pure functions ---------------------------------------------------------------


@dataclass(frozen=True)
class Recurrence:
    """Which days a series falls on, between starts_on and ends_on inclusive."""

    pattern: str  # weekly | biweekly | monthly
    weekday: int  # 0 = Monday
    starts_on: date
    ends_on: date
    nth: int | None = None  # monthly: 1..5, or -1 for the last


@dataclass(frozen=True)
class Schedule:
    days: tuple[date, ...]
    skipped: tuple[date, ...] = ()  # the first day of each month that lacks the nth weekday


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> date | None:
    """The nth (1..5) or last (-1) given weekday of a month; None when the month has no such day
    (e.g. a 5th Tuesday)."""
    days_in_month = calendar.monthrange(year, month)[1]
    if nth == -1:
        last = date(year, month, days_in_month)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    day = 1 + (weekday - first.weekday()) % 7 + 7 * (nth - 1)
    return date(year, month, day) if day <= days_in_month else None


def generate(rule: Recurrence) -> Schedule:
    """Every date of the rule in [starts_on, ends_on]. A weekly series starts on the first chosen
    weekday on or after starts_on; every other week counts from that day."""
    if rule.ends_on < rule.starts_on:
        return Schedule(())
    if rule.pattern in ("weekly", "biweekly"):
        step = timedelta(days=7 if rule.pattern == "weekly" else 14)
        day = rule.starts_on + timedelta(days=(rule.weekday - rule.starts_on.weekday()) % 7)
        days = []
        while day <= rule.ends_on:
            days.append(day)
            day += step
        return Schedule(tuple(days))
    if rule.pattern == "monthly":
        assert rule.nth is not None
        days, skipped = [], []
        year, month = rule.starts_on.year, rule.starts_on.month
        while date(year, month, 1) <= rule.ends_on:
            found = nth_weekday(year, month, rule.weekday, rule.nth)
            if found is None:
                skipped.append(date(year, month, 1))
            elif rule.starts_on <= found <= rule.ends_on:
                days.append(found)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return Schedule(tuple(days), tuple(skipped))
    raise ValueError(f"unknown pattern {rule.pattern!r}")


def recurrence_errors(rule: Recurrence) -> dict[str, str]:
    """Field -> msgid for a rule that cannot make a series (order, length, count)."""
    errors: dict[str, str] = {}
    if rule.pattern not in PATTERNS:
        errors["pattern"] = N_("Choose how often the series repeats.")
    if not 0 <= rule.weekday <= 6:
        errors["weekday"] = N_("Choose a day of the week.")
    if rule.pattern == "monthly" and rule.nth not in NTH_CHOICES:
        errors["nth"] = N_("Choose which week of the month.")
    if rule.ends_on < rule.starts_on:
        errors["ends_on"] = N_("The last date must be on or after the first date.")
    elif (rule.ends_on - rule.starts_on).days > MAX_SPAN_DAYS:
        errors["ends_on"] = N_("A series can cover at most one year.")
    if errors:
        return errors
    count = len(generate(rule).days)
    if count == 0:
        errors["ends_on"] = N_("No date in that period matches the chosen day of the week.")
    elif count > MAX_OCCURRENCES:
        errors["ends_on"] = N_("A series can have at most %(max)s dates. Choose a shorter period.")
    return errors


def describe(pattern: str, weekday: int, nth: int | None) -> str:
    """ "Every week on Tuesday", "Every month on the 2nd Tuesday", in the current language."""
    name = gettext(WEEKDAY_NAMES[weekday])
    if pattern == "weekly":
        return gettext("Every week on %(weekday)s", weekday=name)
    if pattern == "biweekly":
        return gettext("Every other week on %(weekday)s", weekday=name)
    if nth == -1:
        return gettext("Every month on the last %(weekday)s", weekday=name)
    return gettext(
        "Every month on the %(nth)s %(weekday)s", nth=gettext(NTH_LABELS.get(nth or 1)), weekday=name
    )
