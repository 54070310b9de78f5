"""JSON API for bookings: public availability (all rooms over a date range, one room's month).
Members' requests, their bookings and cancellation are bookings.web.api_bookings; errors are
problem details in the user's language, with per-field messages."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from litestar import Controller, Request, get
from litestar.params import FromPath, QueryParameter

from bookings.availability import CLOSED, STATE_LABELS, STATE_SYMBOLS, grid, room_name
from bookings.schemas import (
    AvailabilityDayOut,
    AvailabilityOut,
    AvailabilityRoomOut,
    AvailabilitySlotOut,
    CellOut,
)
from bookings.web.api_common import date_param as _date_param
from bookings.web.api_common import instant as _instant
from center.accounts.guards import PUBLIC
from center.lib import dates
from center.lib.errors import NotFound, ValidationFailed
from center.lib.i18n import N_, gettext, pick
from center.lib.months import shift_month
from center.places import calendar as cal
from center.places.rooms import list_rooms, parse_filters, room_by_code
from center.web.conditional import visitor_page

MAX_DAYS = 62
DEFAULT_DAYS = 7


# --- Availability --------------------------------------------------------------------------------


async def _availability(start: date, end: date, rooms: list[dict]) -> AvailabilityOut:
    found = await grid(start, end, rooms=rooms)
    # Closed days list every slot of the calendar as closed, with its times on that day.
    calendar_slots = (await cal.load_calendar()).slots
    slot_names = [(slot["code"], pick(slot["name_ja"], slot["name_en"])) for slot in calendar_slots]
    cells = []
    for info in found.days:
        closed_text = cal.closed_reason_text(info) or ""
        for room in found.rooms:
            if not info.open:
                for slot in calendar_slots:
                    cells.append(
                        CellOut(
                            room=room["code"],
                            date=info.day.isoformat(),
                            slot=slot["code"],
                            starts_at=_instant(dates.local_instant(info.day, slot["starts"])) or "",
                            ends_at=_instant(dates.local_instant(info.day, slot["ends"])) or "",
                            state=CLOSED,
                            state_label=gettext(STATE_LABELS[CLOSED]),
                            symbol=STATE_SYMBOLS[CLOSED],
                            label=closed_text,
                        )
                    )
                continue
            for slot in info.slots:
                cell = found.cell(room["id"], info.day, slot.code)
                if cell is None:
                    continue
                cells.append(
                    CellOut(
                        room=room["code"],
                        date=info.day.isoformat(),
                        slot=slot.code,
                        starts_at=_instant(cell.starts_at) or "",
                        ends_at=_instant(cell.ends_at) or "",
                        state=cell.state,
                        state_label=cell.state_label,
                        symbol=cell.symbol,
                        label=cell.label,
                    )
                )
    return AvailabilityOut(
        start=start.isoformat(),
        end=end.isoformat(),
        rooms=[
            AvailabilityRoomOut(
                code=room["code"],
                name=room_name(room),
                floor=room["floor"],
                capacity=room["capacity"],
                booked_by=room["booked_by"],
                step_free=room["access"].now,
                step_free_reason=" ".join(room["access"].reasons) or None,
            )
            for room in found.rooms
        ],
        slots=[AvailabilitySlotOut(code=code, name=name) for code, name in slot_names],
        days=[
            AvailabilityDayOut(
                date=info.day.isoformat(),
                weekday=info.day.weekday(),
                open=info.open,
                holiday=info.holiday,
                closed_kind=cal.closed_kind(info),
                closed_reason=cal.closed_reason_text(info),
            )
            for info in found.days
        ],
        cells=cells,
    )


class AvailabilityApiController(Controller):
    """Public availability as JSON: every room over a date range, one room's month."""

    path = "/api"
    opt = PUBLIC
    tags = ("availability",)

    @get("/availability", name="bookings:api_availability")
    async def api_availability(
        self,
        request: Request,
        start: Annotated[
            str | None, QueryParameter(name="from", description="First day, YYYY-MM-DD (default: today)")
        ] = None,
        end: Annotated[
            str | None,
            QueryParameter(
                name="to", description="Last day, YYYY-MM-DD (default: 6 days on; at most 62 days)"
            ),
        ] = None,
        room: Annotated[
            str | None, QueryParameter(description="One room's code (default: every room)")
        ] = None,
    ) -> AvailabilityOut:
        """Every bookable room × day × slot in [from, to] with its state: free, lottery (free, but
        allocated by the month's lottery), desk_only (free, but too soon to request online: ask at the
        front desk), not_yet_open (beyond how far ahead one may request), held, closed, past or
        not_offered. Filters as on the rooms page: floor, capacity (minimum), equipment (repeatable),
        step_free. Labels show only what is public."""
        first = _date_param(start, "from") or dates.today()
        last = _date_param(end, "to") or first + timedelta(days=DEFAULT_DAYS - 1)
        if last < first:
            raise ValidationFailed({"to": N_("The last day must not be before the first day.")})
        if (last - first).days + 1 > MAX_DAYS:
            raise ValidationFailed({"to": N_("Ask for at most 62 days at a time.")})
        if room:
            found = await room_by_code(room)
            if found is None or not found["bookable"]:
                raise ValidationFailed({"room": N_("That room does not exist.")})
            return await visitor_page(request, lambda: _availability(first, last, [found]))
        filters, errors = parse_filters(request.query_params)
        if errors:
            raise ValidationFailed(dict(errors))

        async def answer() -> AvailabilityOut:
            return await _availability(first, last, await list_rooms(filters, on=max(first, dates.today())))

        return await visitor_page(request, answer)  # conditional for visitors (center.web.conditional)

    @get("/rooms/{code:str}/availability", name="bookings:api_room_month")
    async def api_room_month(
        self,
        code: FromPath[str],
        month: Annotated[str | None, QueryParameter(description="YYYY-MM (default: this month)")] = None,
    ) -> AvailabilityOut:
        """One room's month: every day and slot with its state."""
        room = await room_by_code(code)
        if room is None or not room["bookable"]:
            raise NotFound(N_("That room does not exist."))
        today = dates.today()
        year, number = today.year, today.month
        if month:
            try:
                first = date.fromisoformat(f"{month}-01")
            except ValueError:
                raise ValidationFailed({"month": N_("Enter a month as YYYY-MM, e.g. 2026-11.")}) from None
            year, number = first.year, first.month
        start = date(year, number, 1)
        end = date(*shift_month(year, number, 1), 1) - timedelta(days=1)
        return await _availability(start, end, [room])


ROUTES = [AvailabilityApiController]
