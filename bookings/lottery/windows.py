"""Months of use and their windows: when applications for a month open and close, the draw, and
the date by which winners confirm."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bookings.rules import add_months
from center.lib.dates import local_instant
from center.lib.i18n import N_

MAX_DAY = 28  # window days are 1..28 so that every month has them


@dataclass(frozen=True)
class Window:
    """When applications for one month of use open and close, the draw, and the confirm-by date."""

    opens_on: date
    closes_on: date
    draw_on: date
    confirm_by: date


def parse_month(text: str) -> tuple[int, int] | None:
    """(year, month) from "2027-02", or None."""
    try:
        year, month = (int(part) for part in text.strip().split("-"))
    except ValueError:
        return None
    if not (2000 <= year <= 2200 and 1 <= month <= 12):
        return None
    return year, month


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def first_day(month: str) -> date:
    parsed = parse_month(month)
    if parsed is None:
        raise ValueError(f"not a month: {month!r}")
    return date(parsed[0], parsed[1], 1)


def last_day(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def window_for(month: str, policy: dict) -> Window:
    """The default window for month M: its days fall in month M - lottery_months_ahead; winners
    confirm by the end of that month."""
    applying = add_months(first_day(month), -policy["lottery_months_ahead"])

    def on(day: int) -> date:
        return applying.replace(day=max(1, min(day, MAX_DAY)))

    return Window(
        opens_on=on(policy["lottery_open_day"]),
        closes_on=on(policy["lottery_close_day"]),
        draw_on=on(policy["lottery_draw_day"]),
        confirm_by=last_day(applying),
    )


def month_applying_in(day: date, policy: dict) -> str:
    """The month of use whose applications fall in the month of `day`."""
    return month_key(add_months(day.replace(day=1), policy["lottery_months_ahead"]))


def window_errors(month: str, window: Window) -> dict[str, str]:
    """What is wrong with a round's dates (field -> msgid)."""
    errors: dict[str, str] = {}
    if window.closes_on < window.opens_on:
        errors["closes_on"] = N_("Applications must close on or after the day they open.")
    if window.draw_on < window.closes_on:
        errors["draw_on"] = N_("The draw must be on or after the day applications close.")
    if window.confirm_by < window.draw_on:
        errors["confirm_by"] = N_("Winners must have until the draw day or later to confirm.")
    if window.confirm_by >= first_day(month):
        errors.setdefault("confirm_by", N_("Winners must confirm before the month of use begins."))
    return errors


def lapse_instant(confirm_by: date) -> datetime:
    """The end of the confirm-by day in Tokyo, as a UTC instant."""
    return local_instant(confirm_by + timedelta(days=1), time(0))
