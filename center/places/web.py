"""Public pages about rooms and the center's calendar: the room list with filters (an htmx
partial refreshes just the list), one room's page and photo, and the month calendar. The
manager's pages live in center.places.manage; their routes are exported from here too."""

from __future__ import annotations

import re
from datetime import date, timedelta

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import File, Template

from center.accounts.guards import PUBLIC
from center.lib import dates
from center.lib.errors import NotFound, ValidationFailed
from center.lib.i18n import N_, gettext
from center.places import calendar as cal
from center.places import photos, rooms
from center.places.calendar_admin import opening_hours, slots
from center.places.display import display_helpers, heating_note
from center.places.equipment import equipment_choices
from center.places.manage import ROUTES as MANAGE_ROUTES

VARY = {"Vary": "HX-Request"}


@get("/rooms", name="places:rooms", opt=PUBLIC)
async def room_list(request: Request) -> Template:
    """Every bookable room with its facts, accessibility and fees; filterable."""
    filters, errors = rooms.parse_filters(request.query_params)
    found = await rooms.list_rooms(filters)
    context = {
        "rooms": found,
        "filters": filters,
        "errors": {name: gettext(msg) for name, msg in errors.items()},
        "floors": await rooms.floors(),
        "equipment_choices": equipment_choices(),
        "heating_note": heating_note(await cal.load_profile()),
        **display_helpers(),
    }
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.boosted:
        # The partial carries its own error summary and is answered 200 so htmx swaps it in.
        return Template("places/_room_list.html", context=context, headers=VARY)
    return Template("places/rooms.html", context=context, headers=VARY, status_code=400 if errors else 200)


@get("/rooms/{code:str}", name="places:room", opt=PUBLIC)
async def room_page(code: FromPath[str]) -> Template:
    """One room's full page: facts, accessibility, equipment, fees and photo."""
    room = await rooms.room_by_code(code)
    if room is None:
        raise NotFound(N_("That room does not exist."))
    profile = await cal.load_profile()
    access_warnings = room["access_warnings"]
    return Template(
        "places/room.html",
        context={
            "room": room,
            "heating_note": heating_note(profile),
            "access_warnings": access_warnings,
            **display_helpers(),
        },
    )


@get("/rooms/{code:str}/photo", name="places:room_photo", opt=PUBLIC, include_in_schema=False)
async def room_photo(code: FromPath[str]) -> File:
    """The room's photo as stored (already checked and re-encoded at upload)."""
    room = await rooms.room_by_code(code)
    path = photos.photo_path(room["photo"]) if room else None
    if path is None:
        raise NotFoundException()
    return File(
        path=path,
        media_type=photos.media_type(path),
        content_disposition_type="inline",
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )


MONTH_PATTERN = re.compile(r"(\d{4})-(\d{1,2})")


def parse_month(raw: str | None) -> tuple[int, int]:
    """?month=2026-11, or this month when absent."""
    if not raw:
        today = dates.today()
        return today.year, today.month
    match = MONTH_PATTERN.fullmatch(raw.strip())
    if not match or not (1 <= int(match[2]) <= 12) or not (1900 <= int(match[1]) <= 2199):
        raise ValidationFailed({"month": N_("Enter a month as YYYY-MM, e.g. 2026-11.")})
    return int(match[1]), int(match[2])


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


@get("/calendar", name="places:calendar", opt=PUBLIC)
async def month_calendar(request: Request) -> Template:
    """The center's month: open or closed each day, hours, holidays, closed days, public events."""
    from bookings.public import public_events_between  # the public face of the bookings domain
    from center.programmes.public import public_programme_events_between  # screenings, flower beds

    year, month = parse_month(request.query_params.get("month"))
    first = date(year, month, 1)
    next_year, next_month = cal.shift_month(year, month, 1)
    last = date(next_year, next_month, 1) - timedelta(days=1)
    prev_year, prev_month = cal.shift_month(year, month, -1)
    days = {info.day: info for info in await cal.days_info(first, last)}
    public = [*await public_events_between(first, last), *await public_programme_events_between(first, last)]
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


ROUTES = [room_list, room_page, room_photo, month_calendar, *MANAGE_ROUTES]
