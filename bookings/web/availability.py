"""Availability anyone can see: the week grid of all rooms, one room's month, and the search for
free room-slots. htmx swaps the grid in place; plain links and GET forms work without it."""

from __future__ import annotations

from datetime import date, timedelta

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from bookings.availability import Search, grid, search, week_start
from bookings.web.common import books_online, page_helpers, parse_day
from bookings.web.grid_cells import grid_rows
from center.accounts.guards import PUBLIC
from center.lib import dates
from center.lib.errors import NotFound
from center.lib.i18n import N_, current_locale, gettext
from center.lib.months import shift_month
from center.places import calendar as cal
from center.places import forms
from center.places.calendar_admin import slots as all_slots
from center.places.equipment import equipment_choices
from center.places.rooms import floors, parse_filters, room_by_code
from center.web.conditional import visitor_page
from center.web.htmx import VARY, wants_partial

MAX_SEARCH_DAYS = 184


async def _week(request: Request) -> Template:
    start = week_start(parse_day(request.query_params.get("week"), dates.today()))
    filters, errors = parse_filters(request.query_params)
    week_grid = await grid(start, start + timedelta(days=6), filters, online=books_online(request))
    context = {
        "grid": week_grid,
        "start": start,
        "end": start + timedelta(days=6),
        "prev_week": start - timedelta(days=7),
        "next_week": start + timedelta(days=7),
        "this_week": week_start(dates.today()),
        "filters": filters,
        "errors": {name: gettext(msg) for name, msg in errors.items()},
        "floors": await floors(),
        "equipment_choices": equipment_choices(),
        "query": _filter_query(request),
        "link_extra": _request_prefill(filters),
        "cell_rows": grid_rows(request, week_grid, _request_prefill(filters)),
        "short_day": _short_day,
        **page_helpers(),
    }
    if wants_partial(request):
        # Out-of-band swaps keep the filter summary and the week field in step with the grid; the
        # week field only when a week link asked (while the form asks, its field holds what the
        # person typed, which the grid now shows).
        context["oob"] = True
        context["oob_week"] = request.headers.get("HX-Trigger") != "week-filters"
        return Template("bookings/_week_grid.html", context=context, headers=VARY)
    return Template("bookings/week.html", context=context, headers=VARY)


def _short_day(day: date) -> str:
    """12/19(土) or Sat 12/19: a day's column head where a phone has no room for the era form."""
    if current_locale.get() == "en":
        return f"{dates.WEEKDAYS_EN[day.weekday()]} {day.month}/{day.day}"
    return f"{day.month}/{day.day}({dates.WEEKDAYS_JA[day.weekday()]})"


def _request_prefill(filters) -> str:
    """What a free cell's link adds to the request form: the head count and equipment filtered by."""
    from urllib.parse import urlencode

    pairs = [("expected_head_count", filters.min_capacity)] if filters.min_capacity else []
    pairs += [("equipment", code) for code in filters.equipment]
    return ("&" + urlencode(pairs)) if pairs else ""


def _filter_query(request: Request) -> str:
    """The filter part of the query string, kept on previous/next links."""
    from urllib.parse import urlencode

    pairs = [(key, value) for key, value in request.query_params.multi_items() if key != "week"]
    # Sorted by name (values of one name keep their order): the same filters give the same links,
    # whatever order the query arrived in.
    return urlencode(sorted(pairs, key=lambda pair: pair[0]))


class AvailabilityController(Controller):
    """Availability anyone can see: the week grid, one room's month, the search for free slots."""

    path = "/availability"
    opt = PUBLIC

    @get("/", name="bookings:week")
    async def week(self, request: Request) -> Response | Template:
        """All rooms by slot for one week, with filters (a visitor's: conditional, center.web.conditional)."""
        return await visitor_page(request, lambda: _week(request))

    @get("/rooms/{code:str}", name="bookings:room_month")
    async def room_month(self, request: Request, code: FromPath[str]) -> Template:
        """One room's month: each day's slots, free or taken."""
        room = await room_by_code(code)
        if room is None or not room["bookable"]:
            raise NotFound(N_("That room does not exist."))
        today = dates.today()
        year, month = today.year, today.month
        raw = request.query_params.get("month", "")
        first = parse_day(f"{raw}-1") if raw else None
        if first:
            year, month = first.year, first.month
        start = date(year, month, 1)
        end = date(*shift_month(year, month, 1), 1) - timedelta(days=1)
        month_grid = await grid(start, end, rooms=[room], online=books_online(request))
        prev_year, prev_month = shift_month(year, month, -1)
        next_year, next_month = shift_month(year, month, 1)
        context = {
            "room": room,
            "grid": month_grid,
            "title": cal.month_title(year, month),
            "prev": f"{prev_year}-{prev_month:02d}",
            "next": f"{next_year}-{next_month:02d}",
            "current": f"{today.year}-{today.month:02d}",
            **page_helpers(),
        }
        if wants_partial(request):
            return Template("bookings/_room_month.html", context=context, headers=VARY)
        return Template("bookings/room_month.html", context=context, headers=VARY)

    @get("/search", name="bookings:search")
    async def search_page(self, request: Request) -> Template:
        """Free room-slots for "a room for 30 people with a projector on a Tuesday evening in March"."""
        params = request.query_params
        errors = forms.FieldErrors()
        today = dates.today()
        start = parse_day(params.get("from"))
        end = parse_day(params.get("to"))
        if params.get("from") and start is None:
            errors.add("from", N_("Enter a date like 2026-12-01."))
        if params.get("to") and end is None:
            errors.add("to", N_("Enter a date like 2026-12-01."))
        start = start or today
        end = end or start + timedelta(days=30)
        if end < start:
            errors.add("to", N_("The last day must not be before the first day."))
        elif (end - start).days > MAX_SEARCH_DAYS:
            errors.add("to", N_("Search at most six months at a time."))
        # Capacity, equipment and step-free access read as on the rooms page and the week grid.
        filters, filter_errors = parse_filters(params)
        for name, msgid in filter_errors.items():
            errors.add(name, msgid)
        weekdays = [
            int(value)
            for value in forms.values(params, "weekday")
            if value in {"0", "1", "2", "3", "4", "5", "6"}
        ]
        slot_rows = [slot for slot in await all_slots() if slot["active"]]
        slot_codes = [
            code for code in forms.values(params, "slot") if code in {slot["code"] for slot in slot_rows}
        ]
        searched = "from" in params or "capacity" in params or "weekday" in params
        results = []
        if searched and not errors:
            results = await search(
                Search(
                    start=start,
                    end=end,
                    min_capacity=filters.min_capacity or 0,
                    equipment=tuple(filters.equipment),
                    weekdays=tuple(weekdays),
                    slot_codes=tuple(slot_codes),
                    step_free=filters.step_free,
                    online=books_online(request),
                )
            )
        context = {
            "values": {
                "from": start.isoformat(),
                "to": end.isoformat(),
                "capacity": filters.min_capacity or "",
                "equipment": filters.equipment,
                "weekdays": weekdays,
                "slots": slot_codes,
                "step_free": filters.step_free,
            },
            "errors": {name: gettext(msg) for name, msg in errors.items()},
            "results": results,
            "searched": searched,
            "slot_rows": slot_rows,
            "equipment_choices": equipment_choices(),
            "weekday_choices": [(index, dates.weekday_name(index)) for index in range(7)],
            **page_helpers(),
        }
        status = 400 if errors else 200
        if wants_partial(request):
            return Template("bookings/_search_results.html", context=context, headers=VARY)
        return Template("bookings/search.html", context=context, headers=VARY, status_code=status)


ROUTES = [AvailabilityController]
