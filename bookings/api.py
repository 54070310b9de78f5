"""JSON API for bookings: public availability (all rooms over a date range, one room's month),
and members' requests, their bookings and cancellation. The rules are the request form's
(bookings.web.forms, bookings.service); errors are problem details in the user's language, with
per-field messages; a taken slot answers 409 with what holds it and free alternatives."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.exceptions import ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter

from bookings import service
from bookings.availability import CLOSED, STATE_LABELS, STATE_SYMBOLS, _hold_label, _labels, grid, room_name
from bookings.schemas import (
    AlternativeOut,
    AvailabilityDayOut,
    AvailabilityOut,
    AvailabilityRoomOut,
    AvailabilitySlotOut,
    BookingIn,
    BookingListOut,
    BookingOut,
    CancelIn,
    CellOut,
    ConflictOut,
    FeesOut,
    TakenProblem,
)
from bookings.tables import Booking
from bookings.terms import check_agreement, current_terms
from bookings.web.forms import parse_request
from bookings.web.requests import STATUS_LABELS, actor_of, booking_rows, status_label, visible_booking
from center import dates
from center.accounts.roles import FRONT_DESK, MANAGER
from center.errors import NotFound, ValidationFailed
from center.i18n import N_, gettext, pick
from center.places import calendar as cal
from center.places.rooms import list_rooms, parse_filters, room_by_code
from center.places.tables import Room
from center.web.auth import PUBLIC, requires_login, requires_member
from center.web.conditional import visitor_page
from center.web.errors import TITLES, handle_exception

MAX_DAYS = 62
DEFAULT_DAYS = 7
MAX_LIST = 1000
DEFAULT_LIST = 200
PROBLEM = "application/problem+json"
# The request form's field names, as the API calls them.
API_FIELDS = {"group": "group_id"}


def _instant(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _date_param(raw: str | None, field: str) -> date | None:
    if raw is None or raw == "":
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed({field: N_("Enter a date as YYYY-MM-DD.")}) from None


def _bad_body(request: Request, exc: ValidationException) -> Response[Any]:
    """A body that does not decode (wrong types, unknown fields, not JSON): per-field messages
    where the decoder names the field, else the general one."""
    errors: dict[str, str] = {}
    for item in exc.extra if isinstance(exc.extra, list) else []:
        key = str(item.get("key") or "") if isinstance(item, dict) else ""
        if key and key not in errors:
            errors[key] = N_("Some of the values sent are not valid.")
    if not errors:
        return handle_exception(request, exc)
    return handle_exception(request, ValidationFailed(errors))


API_ERRORS = {ValidationException: _bad_body}


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


@get("/api/availability", name="bookings:api_availability", opt=PUBLIC, tags=["availability"])
async def api_availability(
    request: Request,
    start: Annotated[
        str | None, QueryParameter(name="from", description="First day, YYYY-MM-DD (default: today)")
    ] = None,
    end: Annotated[
        str | None,
        QueryParameter(name="to", description="Last day, YYYY-MM-DD (default: 6 days on; at most 62 days)"),
    ] = None,
    room: Annotated[str | None, QueryParameter(description="One room's code (default: every room)")] = None,
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


@get(
    "/api/rooms/{code:str}/availability",
    name="bookings:api_room_month",
    opt=PUBLIC,
    tags=["availability"],
)
async def api_room_month(
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
    end = date(*cal.shift_month(year, number, 1), 1) - timedelta(days=1)
    return await _availability(start, end, [room])


# --- Bookings ------------------------------------------------------------------------------------


def booking_out(request: Request, row: dict) -> BookingOut:
    """A booking row from `booking_rows` (with its room and group names) for the API."""
    approved = row["status"] == "approved"
    return BookingOut(
        id=row["id"],
        request_number=row["request_number"],
        status=row["status"],
        status_label=status_label(row["status"]),
        group_id=row["group"],
        group_name=row["group_name"],
        room=row["room_code"],
        room_name=pick(row["room_name_ja"], row["room_name_en"]),
        date=dates.to_local(row["starts_at"]).date().isoformat(),
        starts_at=_instant(row["starts_at"]) or "",
        ends_at=_instant(row["ends_at"]) or "",
        slots=[code for code in row["slot_codes"].split(",") if code],
        purpose=row["purpose"],
        expected_head_count=row["expected_head_count"],
        public=row["public"],
        public_title=row["public_title"],
        contact_name=row["contact_name"],
        contact_phone=row["contact_phone"],
        equipment=_codes(row),
        commercial=row["commercial"],
        fees=FeesOut(
            room_fee=row["room_fee"],
            equipment_fee=row["equipment_fee"],
            heating_fee=row["heating_fee"],
            surcharge_fee=row["surcharge_fee"],
            reduction_fee=row["reduction_fee"],
            total=row["fee_total"],
            refund_due=row["refund_due"],
        ),
        permit_number=row["permit_number"],
        permit_url=request.app.route_reverse("bookings:permit", booking_id=row["id"]) if approved else None,
        lapses_at=_instant(row["lapses_at"]) if row["status"] == "requested" else None,
        decision_reason=row["decision_reason"],
        cancelled_at=_instant(row["cancelled_at"]),
        cancel_reason=row["cancel_reason"],
        created_at=_instant(row["created_at"]) or "",
        updated_at=_instant(row["updated_at"]) or "",
        url=request.app.route_reverse("bookings:detail", booking_id=row["id"]),
        terms_version=row["terms_version"],
        terms_agreed_at=_instant(row["terms_agreed_at"]),
    )


def _codes(row: dict) -> list[str]:
    """The equipment column as a list, whichever way the engine hands JSON back."""
    value = row["equipment"]
    if isinstance(value, str):
        try:
            value = json.loads(value or "[]")
        except ValueError:
            return []
    return [str(code) for code in value] if isinstance(value, list) else []


async def _one(request: Request, booking_id: int) -> BookingOut:
    rows = await booking_rows(Booking.id == booking_id, limit=1)
    return booking_out(request, rows[0])


def _form_data(data: BookingIn) -> dict[str, Any]:
    """The API body as the request form would send it, so both are read by the same rules."""
    return {
        "day": data.day,
        "slots": list(data.slots),
        "start": data.start or "",
        "end": data.end or "",
        "purpose": data.purpose,
        "expected_head_count": str(data.expected_head_count),
        "public": "1" if data.public else "",
        "public_title": data.public_title,
        "contact_name": data.contact_name,
        "contact_phone": data.contact_phone,
        "equipment": list(data.equipment),
        "commercial": "1" if data.commercial else "",
    }


def _api_fields(invalid: ValidationFailed) -> ValidationFailed:
    return ValidationFailed(
        {API_FIELDS.get(name, name): msgid for name, msgid in invalid.errors.items()},
        invalid.message,
        invalid.field_params,
    )


async def _taken(request: Request, taken: service.BookingTaken) -> Response[TakenProblem]:
    """409: what holds the time (public labels only) and rooms free for the whole period."""
    holds = taken.conflicts
    codes = {
        row["id"]: row["code"]
        for row in await Room.select(Room.id, Room.code).where(
            Room.id.is_in([hold.room_id for hold in holds] or [-1])
        )
    }
    titles = await _labels(list(holds))
    conflicts = [
        ConflictOut(
            room=codes.get(hold.room_id, ""),
            starts_at=_instant(hold.starts_at) or "",
            ends_at=_instant(hold.ends_at) or "",
            kind=hold.kind,
            label=_hold_label(hold, titles),
        )
        for hold in holds
    ]
    month = dates.to_local(holds[0].starts_at).strftime("%Y-%m") if holds else ""
    alternatives = [
        AlternativeOut(
            room=room["code"],
            name=pick(room["name_ja"], room["name_en"]),
            floor=room["floor"],
            capacity=room["capacity"],
            availability_url=request.app.route_reverse("bookings:room_month", code=room["code"])
            + (f"?month={month}" if month else ""),
        )
        for room in taken.alternatives
    ]
    problem = TakenProblem(
        type="about:blank",
        title=gettext(TITLES[409]),
        status=409,
        detail=gettext(taken.message),
        conflicts=conflicts,
        alternatives=alternatives,
    )
    return Response(problem, status_code=409, media_type=PROBLEM)


@post(
    "/api/bookings",
    name="bookings:api_create",
    guards=[requires_member],
    tags=["bookings"],
    status_code=201,
    exception_handlers=API_ERRORS,
    responses={
        409: ResponseSpec(
            data_container=TakenProblem,
            description="The time was taken (perhaps a moment ago): what holds it and free rooms",
            media_type=PROBLEM,
        )
    },
)
async def api_create(request: Request, data: JSONBody[BookingIn]) -> Response[BookingOut]:
    """Request a room for one of your groups: takes a tentative hold at once, which lapses unless
    the center approves it in time. `agree_to_terms` must be true (the terms of use in force are
    recorded on the booking). 400 with per-field messages when a rule refuses it; 409 when the
    time is taken, listing free rooms."""
    if data.group_id not in request.user.group_ids:
        raise ValidationFailed({"group_id": N_("Choose a group.")})
    room = await room_by_code(data.room) if data.room else None
    try:
        version = check_agreement(data.agree_to_terms, None, await current_terms())
        booking_request = parse_request(_form_data(data), room)
        booking_id = await service.request_booking(
            booking_request, data.group_id, actor_of(request), terms_agreed=True, terms_version=version
        )
    except service.BookingTaken as taken:
        return await _taken(request, taken)  # type: ignore[return-value]
    except ValidationFailed as invalid:
        raise _api_fields(invalid) from None
    location = request.app.route_reverse("bookings:api_detail", booking_id=booking_id)
    return Response(await _one(request, booking_id), status_code=201, headers={"Location": location})


@get("/api/bookings/{booking_id:int}", name="bookings:api_detail", guards=[requires_login], tags=["bookings"])
async def api_detail(request: Request, booking_id: FromPath[int]) -> BookingOut:
    """One booking: members of its group and booking staff (front desk, manager) only."""
    await visible_booking(request, booking_id)
    return await _one(request, booking_id)


@get("/api/bookings", name="bookings:api_list", guards=[requires_login], tags=["bookings"])
async def api_list(
    request: Request,
    status: Annotated[
        str | None, QueryParameter(description="requested, approved, declined, cancelled or lapsed")
    ] = None,
    start: Annotated[
        str | None, QueryParameter(name="from", description="First day of use, YYYY-MM-DD")
    ] = None,
    end: Annotated[str | None, QueryParameter(name="to", description="Last day of use, YYYY-MM-DD")] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIST, description="At most this many")] = DEFAULT_LIST,
) -> BookingListOut:
    """Your groups' bookings by time of use (booking staff: every group's)."""
    where = Booking.id > 0
    if not request.user.has(FRONT_DESK, MANAGER):
        where = Booking.group.is_in(list(request.user.group_ids) or [-1])
    if status:
        if status not in STATUS_LABELS:
            raise ValidationFailed({"status": N_("Choose a status from the list.")})
        where &= Booking.status == status
    first, last = _date_param(start, "from"), _date_param(end, "to")
    if first and last and last < first:
        raise ValidationFailed({"to": N_("The last day must not be before the first day.")})
    if first:
        where &= Booking.starts_at >= dates.local_day_bounds(first)[0]
    if last:
        where &= Booking.starts_at < dates.local_day_bounds(last)[1]
    total = await Booking.count().where(where)
    rows = await booking_rows(where, limit=limit)
    return BookingListOut(total=total, limit=limit, bookings=[booking_out(request, row) for row in rows])


@post(
    "/api/bookings/{booking_id:int}/cancel",
    name="bookings:api_cancel",
    guards=[requires_login],
    tags=["bookings"],
    status_code=200,
    exception_handlers=API_ERRORS,
)
async def api_cancel(
    request: Request, booking_id: FromPath[int], data: JSONBody[CancelIn | None] = None
) -> BookingOut:
    """Cancel a booking and release the room at once, recording the refund due. Members of the
    group until the online deadline; booking staff at any time, with a reason."""
    await visible_booking(request, booking_id)
    reason = (data.reason if data else "").strip()
    if len(reason) > 500:
        raise ValidationFailed({"reason": N_("Use at most 500 characters.")})
    user = request.user
    await service.cancel(
        booking_id,
        actor_of(request),
        reason,
        group_ids=tuple(user.group_ids),
    )
    return await _one(request, booking_id)


ROUTES = [api_availability, api_room_month, api_create, api_detail, api_list, api_cancel]
