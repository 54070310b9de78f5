"""Members request rooms for their group: the request form with the fee shown before submitting
(the confirm route, bookings.web.confirm, sends it), and the form's htmx partials (the fee and the
room's equipment), which the staff's booking form uses too."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Template

from bookings import listing, service
from bookings.fees import line_text
from bookings.web.common import is_staff, member_groups
from bookings.web.confirmation import confirmation_page
from bookings.web.forms import (
    chosen_group,
    form_values,
    offered,
    ordered,
    parse_group_request,
    values_from_query,
)
from bookings.web.request_form import form_context, try_quote
from center.accounts.guards import requires_login, requires_member
from center.lib.errors import ValidationFailed
from center.places import forms
from center.places.equipment import equipment_label, known_codes
from center.places.rooms import room_by_code
from center.web.forms import Form
from center.web.htmx import VARY


class RequestFormController(Controller):
    """A member's request form for one of their groups."""

    path = "/bookings/new"
    guards = (requires_member,)

    @get("/", name="bookings:request_form")
    async def request_form(self, request: Request) -> Template:
        """The request form, pre-filled from the availability grid (room, day, slot)."""
        groups = await member_groups(request)
        values = values_from_query(request.query_params, groups)
        room = await room_by_code(values["room"]) if values["room"] else None
        values["equipment"] = offered(values["equipment"], room)
        fee = None
        if room and values["day"] and (values["slots"] or room["booked_by"] == "hour"):
            fee = await try_quote(values, room, groups)
        return Template(
            "bookings/request.html",
            context=await form_context(request, values, {}, groups=groups, room=room, fee=fee),
        )

    @post("/", name="bookings:request")
    async def submit_request(self, request: Request, data: Form) -> Template:
        """Preview the fee (action=preview), return to the form from the confirmation page with what
        was typed (action=edit), or check the request and show the confirmation page (確認画面).
        Nothing is written here: the confirm route (bookings.web.confirm) sends the request."""
        groups = await member_groups(request)
        values = form_values(data)
        room = await room_by_code(values["room"]) if values["room"] else None
        group = chosen_group(values, groups)
        action = forms.text(data, "action")
        if action == "edit":
            return Template(
                "bookings/request.html",
                context=await form_context(request, values, {}, groups=groups, room=room),
            )
        try:
            group, booking_request = parse_group_request(data, group, room)
            period, fee = await service.preview(booking_request, group["id"])
        except ValidationFailed as invalid:
            context = await form_context(
                request, values, ordered(invalid.translated()), groups=groups, room=room
            )
            return Template("bookings/request.html", context=context, status_code=400)
        if action == "preview":
            return Template(
                "bookings/request.html",
                context=await form_context(request, values, {}, groups=groups, room=room, fee=fee),
            )
        assert room is not None
        return await confirmation_page(values, group=group, room=room, period=period, fee=fee)


class RequestPartialsController(Controller):
    """htmx pieces of the request form, for members' and staff's forms alike."""

    path = "/bookings"
    guards = (requires_login,)

    @get("/quote", name="bookings:quote")
    async def quote_partial(self, request: Request) -> Template:
        """htmx: the fee breakdown for the form's current values (members for their groups, staff for any)."""
        groups = await listing.approved_groups() if is_staff(request) else await member_groups(request)
        params = request.query_params
        values = form_values(
            {key: params.getall(key) if key in ("slots", "equipment") else params.get(key) for key in params}
        )
        room = await room_by_code(values["room"]) if values["room"] else None
        fee = await try_quote(values, room, groups) if room else None
        return Template(
            "bookings/_quote.html",
            context={
                "fee": fee,
                "fee_lines": [(line_text(line), line.amount) for line in fee.lines] if fee else [],
            },
            headers=VARY,
        )

    @get("/equipment-choices", name="bookings:equipment_choices")
    async def equipment_choices(self, request: Request) -> Template:
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


ROUTES = [RequestFormController, RequestPartialsController]
