"""Members request rooms for their group: the request form with the fee shown before submitting,
their group's bookings, cancellation, and the permit PDF."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from bookings import payment_settings, payment_status, service
from bookings.access_notes import access_warnings_for
from bookings.availability import grid
from bookings.fees import line_text
from bookings.permits import permit_pdf
from bookings.tables import Booking
from bookings.web.common import page_helpers, parse_day
from bookings.web.confirmation import confirmation_page
from bookings.web.forms import ordered, parse_request
from center.accounts.guards import requires_login, requires_member
from center.accounts.roles import FRONT_DESK, MANAGER
from center.accounts.tables import Group
from center.lib.errors import DomainError, NotFound, ValidationFailed
from center.lib.i18n import N_, gettext
from center.places import forms, warnings
from center.places.equipment import equipment_label, known_codes
from center.places.rooms import list_rooms, room_by_code
from center.web.forms import Form
from center.web.htmx import VARY
from center.web.templating import flash

STATUS_LABELS = {
    "requested": N_("Requested (awaiting approval)"),
    "approved": N_("Confirmed (approved)"),
    "declined": N_("Request declined"),
    "cancelled": N_("Booking cancelled"),
    "lapsed": N_("Lapsed (not approved in time)"),
}


def actor_of(request: Request) -> service.Actor:
    user = request.user
    return service.Actor(user.id, user.display_name, staff=user.has(FRONT_DESK, MANAGER))


async def member_groups(request: Request) -> list[dict]:
    ids = list(request.user.group_ids)
    if not ids:
        return []
    return await Group.select().where(Group.id.is_in(ids) & (Group.status == "approved")).order_by(Group.name)


async def _form_context(
    request: Request,
    values: dict[str, Any],
    errors: dict[str, str],
    *,
    groups: list[dict],
    room: dict | None,
    fee=None,
    alternatives=None,
    conflict: bool = False,
    staff: bool = False,
) -> dict:
    day = parse_day(str(values.get("day") or ""))
    slot_cells = []
    if room is not None and day is not None and room["booked_by"] == "slot":
        day_grid = await grid(day, day, rooms=[room], online=not staff)
        slot_cells = [
            cell for (room_id, _day, _code), cell in day_grid.cells.items() if cell.state != "not_offered"
        ]
    return {
        "values": values,
        "errors": errors,
        "groups": groups,
        "rooms": await list_rooms(on=day),
        "room": room,
        "day": day,
        "slot_cells": slot_cells,
        "fee": fee,
        "fee_lines": [(line_text(line), line.amount) for line in fee.lines] if fee else [],
        "alternatives": alternatives or [],
        "access_warnings": (
            (await warnings.for_rooms([room["id"]], day)).get(room["id"], []) if room else []
        ),
        "conflict": conflict,
        "staff": staff,
        "equipment_label": equipment_label,
        **page_helpers(),
    }


def _values_from_query(request: Request, groups: list[dict]) -> dict[str, Any]:
    params = request.query_params
    group = groups[0] if groups else None
    return {
        "group": params.get("group") or (str(group["id"]) if group else ""),
        "room": params.get("room", ""),
        "day": params.get("day", ""),
        "slots": forms.values(params, "slots"),
        "start": params.get("start", ""),
        "end": params.get("end", ""),
        "purpose": "",
        # From the availability grid's filters (head count, equipment), so they need no retyping.
        "expected_head_count": params.get("expected_head_count", ""),
        "contact_name": group["representative"] if group else "",
        "contact_phone": group["contact_phone"] if group else "",
        "equipment": equipment_from_query(params),
    }


def equipment_from_query(params: Any) -> list[str]:
    """Equipment pre-ticked from a link (the availability grid or search carry their filter):
    known codes only; codes the room lacks are simply not offered on the form."""
    return known_codes(forms.values(params, "equipment"))


def offered(codes: list[str], room: dict | None) -> list[str]:
    """The codes among `codes` that the room has (a link may carry equipment of another room)."""
    return [code for code in codes if room and code in room["equipment"]]


def _form_values(data: dict[str, Any]) -> dict[str, Any]:
    values = {
        name: forms.text(data, name)
        for name in (
            "group",
            "room",
            "day",
            "start",
            "end",
            "purpose",
            "expected_head_count",
            "public_title",
            "contact_name",
            "contact_phone",
            "override_reason",
        )
    }
    values["slots"] = forms.values(data, "slots")
    values["equipment"] = forms.values(data, "equipment")
    values["public"] = forms.checked(data, "public")
    values["commercial"] = forms.checked(data, "commercial")
    return values


def _chosen_group(values: dict[str, Any], groups: list[dict]) -> dict | None:
    return next((group for group in groups if str(group["id"]) == str(values.get("group"))), None)


@get("/bookings/new", name="bookings:request_form", guards=[requires_member])
async def request_form(request: Request) -> Template:
    """The request form, pre-filled from the availability grid (room, day, slot)."""
    groups = await member_groups(request)
    values = _values_from_query(request, groups)
    room = await room_by_code(values["room"]) if values["room"] else None
    values["equipment"] = offered(values["equipment"], room)
    fee = None
    if room and values["day"] and (values["slots"] or room["booked_by"] == "hour"):
        fee = await _try_quote(values, room, groups)
    return Template(
        "bookings/request.html",
        context=await _form_context(request, values, {}, groups=groups, room=room, fee=fee),
    )


async def _try_quote(values: dict[str, Any], room: dict, groups: list[dict]):
    """The fee for what the form holds so far, or None when it cannot be priced yet."""
    group = _chosen_group(values, groups)
    if group is None:
        return None
    try:
        # The fee depends on the room, day, slots, equipment and group only: fill the other fields
        # for pricing. Equipment of a room chosen before is dropped, as the refreshed form drops it.
        request = parse_request(
            {
                **values,
                "expected_head_count": "1",
                "purpose": "-",
                "public_title": "",
                "equipment": offered(values.get("equipment", []), room),
            },
            room,
        )
        request.public = False
        _, fee = await service.preview(request, group["id"])
    except DomainError:
        return None
    return fee


@get("/bookings/quote", name="bookings:quote", guards=[requires_login])
async def quote_partial(request: Request) -> Template:
    """htmx: the fee breakdown for the form's current values (members for their groups, staff for any)."""
    if request.user.has(FRONT_DESK, MANAGER):
        groups = await Group.select().where(Group.status == "approved")
    else:
        groups = await member_groups(request)
    params = request.query_params
    values = _form_values(
        {key: params.getall(key) if key in ("slots", "equipment") else params.get(key) for key in params}
    )
    room = await room_by_code(values["room"]) if values["room"] else None
    fee = await _try_quote(values, room, groups) if room else None
    return Template(
        "bookings/_quote.html",
        context={
            "fee": fee,
            "fee_lines": [(line_text(line), line.amount) for line in fee.lines] if fee else [],
        },
        headers=VARY,
    )


@get("/bookings/equipment-choices", name="bookings:equipment_choices", guards=[requires_login])
async def equipment_choices(request: Request) -> Template:
    """htmx: the equipment checkboxes of the room now chosen on the request form, keeping the
    ticks that the new room also has."""
    params = request.query_params
    code = params.get("room", "")
    room = await room_by_code(code) if code else None
    values = {"equipment": known_codes(forms.values(params, "equipment"))}
    return Template(
        "bookings/_equipment.html",
        context={"room": room, "values": values, "errors": {}, "equipment_label": equipment_label},
        headers=VARY,
    )


@post("/bookings/new", name="bookings:request", guards=[requires_member])
async def submit_request(request: Request, data: Form) -> Template:
    """Preview the fee (action=preview), return to the form from the confirmation page with what
    was typed (action=edit), or check the request and show the confirmation page (確認画面).
    Nothing is written here: the confirm route (bookings.web.confirm) sends the request."""
    groups = await member_groups(request)
    values = _form_values(data)
    room = await room_by_code(values["room"]) if values["room"] else None
    group = _chosen_group(values, groups)
    action = forms.text(data, "action")
    if action == "edit":
        return Template(
            "bookings/request.html",
            context=await _form_context(request, values, {}, groups=groups, room=room),
        )
    try:
        if group is None:
            raise ValidationFailed({"group": N_("Choose a group.")})
        booking_request = parse_request(data, room)
        period, fee = await service.preview(booking_request, group["id"])
    except ValidationFailed as invalid:
        context = await _form_context(
            request, values, ordered(invalid.translated()), groups=groups, room=room
        )
        return Template("bookings/request.html", context=context, status_code=400)
    if action == "preview":
        return Template(
            "bookings/request.html",
            context=await _form_context(request, values, {}, groups=groups, room=room, fee=fee),
        )
    assert room is not None
    return await confirmation_page(values, group=group, room=room, period=period, fee=fee)


async def visible_booking(request: Request, booking_id: int) -> dict:
    """The booking if the user may see it: staff, or a member of its group."""
    booking = await Booking.select().where(Booking.id == booking_id).first()
    user = request.user
    if booking is None or not (user.has(FRONT_DESK, MANAGER) or booking["group"] in user.group_ids):
        raise NotFound(N_("That booking does not exist."))
    return booking


async def booking_rows(where, *, limit: int = 200) -> list[dict]:
    return await (
        Booking.select(
            *Booking.all_columns(),
            Booking.room.name_ja.as_alias("room_name_ja"),
            Booking.room.name_en.as_alias("room_name_en"),
            Booking.room.code.as_alias("room_code"),
            Booking.group.name.as_alias("group_name"),
        )
        .where(where)
        .order_by(Booking.starts_at)
        .limit(limit)
    )


@get("/bookings/mine", name="bookings:mine", guards=[requires_member])
async def my_bookings(request: Request) -> Template:
    """The user's groups' bookings: coming ones first, then the last three months."""
    ids = list(request.user.group_ids) or [-1]
    now = datetime.now(UTC)
    upcoming = await booking_rows(Booking.group.is_in(ids) & (Booking.ends_at > now))
    past = list(reversed(await booking_rows(Booking.group.is_in(ids) & (Booking.ends_at <= now))))[:50]
    return Template(
        "bookings/mine.html",
        context={
            "upcoming": upcoming,
            "past": past,
            "status_label": status_label,
            "payments": await payment_status.statuses(upcoming + past),
        },
    )


def status_label(status: str) -> str:
    return gettext(STATUS_LABELS.get(status, status))


@get("/bookings/{booking_id:int}", name="bookings:detail", guards=[requires_login])
async def booking_detail(request: Request, booking_id: FromPath[int]) -> Template:
    booking = await visible_booking(request, booking_id)
    rows = await booking_rows(Booking.id == booking_id, limit=1)
    refund = await service.refund_due(booking)
    return Template(
        "bookings/detail.html",
        context={
            "booking": rows[0],
            "status_label": status_label,
            "refund": refund,
            "equipment_label": equipment_label,
            "can_cancel": booking["status"] in ("requested", "approved"),
            "access_warnings": await access_warnings_for(booking),
            "payment": await payment_status.status_of(booking),
            "payment_instructions": (await payment_settings.load_settings())["payment_instructions"],
        },
    )


@get("/bookings/{booking_id:int}/cancel", name="bookings:cancel_form", guards=[requires_member])
async def cancel_form(request: Request, booking_id: FromPath[int]) -> Template:
    booking = await visible_booking(request, booking_id)
    rows = await booking_rows(Booking.id == booking_id, limit=1)
    return Template(
        "bookings/cancel.html",
        context={
            "booking": rows[0],
            "refund": await service.refund_due(booking),
            "errors": {},
            "status_label": status_label,
        },
    )


@post("/bookings/{booking_id:int}/cancel", name="bookings:cancel", guards=[requires_member])
async def cancel_booking(request: Request, booking_id: FromPath[int], data: Form) -> Template | Redirect:
    await visible_booking(request, booking_id)
    try:
        await service.cancel(
            booking_id,
            service.Actor(request.user.id, request.user.display_name),
            forms.text(data, "reason", 500),
            group_ids=tuple(request.user.group_ids),
        )
    except DomainError as refused:
        booking = await visible_booking(request, booking_id)
        rows = await booking_rows(Booking.id == booking_id, limit=1)
        return Template(
            "bookings/cancel.html",
            context={
                "booking": rows[0],
                "refund": await service.refund_due(booking),
                "status_label": status_label,
                "errors": {"reason": gettext(refused.message, **refused.params)},
            },
            status_code=refused.status_code,
        )
    flash(request, N_("The booking was cancelled and the room released."))
    return Redirect(path=request.app.route_reverse("bookings:detail", booking_id=booking_id), status_code=303)


@get("/bookings/{booking_id:int}/permit.pdf", name="bookings:permit", guards=[requires_login])
async def permit(request: Request, booking_id: FromPath[int]) -> Response[bytes]:
    booking = await visible_booking(request, booking_id)
    data = await permit_pdf(booking_id)
    filename = f"permit-{booking['permit_number']}.pdf"
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "private"},
    )


ROUTES = [
    request_form,
    quote_partial,
    equipment_choices,
    submit_request,
    my_bookings,
    booking_detail,
    cancel_form,
    cancel_booking,
    permit,
]
