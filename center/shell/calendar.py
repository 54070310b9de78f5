"""The center's month calendar: open or closed each day, hours, holidays, closed days, and the
public events of every domain (group bookings open to the public, screenings, flower-bed days)."""

from __future__ import annotations

from datetime import date, timedelta

from litestar import Controller, Request, get
from litestar.response import Template

from bookings.public import public_events_between
from center.accounts.guards import PUBLIC
from center.lib import dates
from center.lib.months import parse_month, shift_month
from center.places import calendar as cal
from center.places.calendar_admin import opening_hours, slots
from center.places.display import display_helpers
from center.programmes.public import public_programme_events_between


def events_by_day(events: list[dict], first: date, last: date) -> dict[date, list[dict]]:
    """Each event under every Tokyo day it touches."""
    found: dict[date, list[dict]] = {}
    for event in events:
        day = dates.to_local(event["starts_at"]).date()
        end = dates.to_local(event["ends_at"] - timedelta(microseconds=1)).date()
        while day <= end:
            if first <= day <= last:
                found.setdefault(day, []).append(event)
            day += timedelta(days=1)
    return found


class CalendarController(Controller):
    """The center's month calendar, for anyone."""

    path = "/calendar"
    opt = PUBLIC

    @get("/", name="places:calendar")
    async def month_calendar(self, request: Request) -> Template:
        """The center's month: open or closed each day, hours, holidays, closed days, public events."""
        year, month = parse_month(request.query_params.get("month"), dates.today())
        first = date(year, month, 1)
        next_year, next_month = shift_month(year, month, 1)
        last = date(next_year, next_month, 1) - timedelta(days=1)
        prev_year, prev_month = shift_month(year, month, -1)
        days = {info.day: info for info in await cal.days_info(first, last)}
        public = [
            *await public_events_between(first, last),
            *await public_programme_events_between(first, last),
        ]
        events = events_by_day(sorted(public, key=lambda event: event["starts_at"]), first, last)
        today = dates.today()
        return Template(
            "places/calendar.html",
            context={
                "title": cal.month_title(year, month),
                "weeks": cal.month_weeks(year, month),
                "days": days,
                "events": events,
                "today": today,
                "this_month": f"{today.year:04d}-{today.month:02d}",
                "prev": {
                    "month": f"{prev_year:04d}-{prev_month:02d}",
                    "title": cal.month_title(prev_year, prev_month),
                },
                "next": {
                    "month": f"{next_year:04d}-{next_month:02d}",
                    "title": cal.month_title(next_year, next_month),
                },
                "weekday_order": [6, 0, 1, 2, 3, 4, 5],
                "hours": await opening_hours(),
                "slots": [slot for slot in await slots() if slot["active"]],
                **display_helpers(),
            },
        )


ROUTES = [CalendarController]
