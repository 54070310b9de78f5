"""Walk-ins at the front desk: the rooms free now, and booking one on the spot (approved at once),
for a registered group or a person."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from bookings import desk_walkins
from bookings.service import BookingTaken
from bookings.web.common import actor_of
from bookings.web.desk_common import desk_helpers
from bookings.web.forms import parse_head_count
from center.accounts.guards import requires_front_desk
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_, gettext
from center.places import forms
from center.web.forms import Form
from center.web.templating import flash


async def _walk_in_context(request: Request, values: dict[str, Any], **extra: Any) -> dict[str, Any]:
    pieces = await desk_walkins.free_now()
    room_id = forms.whole(values, "room", forms.FieldErrors(), "", required=False, low=1, high=10**9)
    room_pieces = [piece for piece in pieces if piece.room["id"] == room_id]
    groups = await desk_walkins.group_choices()
    return {
        "pieces": pieces,
        "room_pieces": room_pieces,
        "chosen_room": room_pieces[0].room if room_pieces else None,
        "groups": groups,
        "values": values,
        "errors": {},
        "fee": None,
        "period": None,
        "alternatives": [],
        **desk_helpers(),
        **extra,
    }


def _walk_in_values(data: Any) -> dict[str, Any]:
    values = {
        name: forms.text(data, name, 200)
        for name in ("room", "group", "name", "phone", "purpose", "head_count")
    }
    values["slots"] = forms.values(data, "slots") or forms.values(data, "slot")
    for name in ("outside_city", "commercial"):
        values[name] = "on" if forms.checked(data, name) else ""
    return values


def _walk_in(values: dict[str, Any]) -> desk_walkins.WalkIn:
    errors = forms.FieldErrors()
    room_id = forms.whole(values, "room", errors, N_("Choose a room."), low=1, high=10**9)
    head_count = parse_head_count(values, errors, "head_count")
    group_id = None
    if values.get("group"):
        group_id = forms.whole(values, "group", errors, N_("Choose a group."), low=1, high=10**9)
    if not values.get("purpose"):
        errors.add("purpose", N_("Enter the purpose of use."))
    if errors:
        raise ValidationFailed(dict(errors))
    assert room_id is not None and head_count is not None
    return desk_walkins.WalkIn(
        room_id=room_id,
        slot_codes=list(values["slots"])[:10],
        purpose=values["purpose"],
        head_count=head_count,
        group_id=group_id,
        name=values.get("name", ""),
        phone=values.get("phone", ""),
        outside_city=group_id is None and values.get("outside_city") == "on",
        commercial=group_id is None and values.get("commercial") == "on",
    )


class WalkInController(Controller):
    """Walk-in bookings at the desk."""

    path = "/desk/walk-in"
    guards = (requires_front_desk,)

    @get("/", name="desk:walk_in")
    async def walk_in_page(self, request: Request) -> Template:
        """Rooms free now; choosing one opens the booking form below."""
        values = _walk_in_values(request.query_params)
        return Template("desk/walk_in.html", context=await _walk_in_context(request, values))

    @post("/", name="desk:walk_in_book")
    async def walk_in_book(self, request: Request, data: Form) -> Template | Redirect:
        values = _walk_in_values(data)
        try:
            walk_in = _walk_in(values)
            if forms.text(data, "action") == "preview":
                period, fee = await desk_walkins.preview_walk_in(walk_in)
                context = await _walk_in_context(request, values, fee=fee, period=period)
                return Template("desk/walk_in.html", context=context)
            booking_id = await desk_walkins.book_walk_in(walk_in, actor_of(request))
        except BookingTaken as taken:
            context = await _walk_in_context(
                request, values, errors={"slots": gettext(taken.message)}, alternatives=taken.alternatives
            )
            return Template("desk/walk_in.html", context=context, status_code=409)
        except ValidationFailed as invalid:
            context = await _walk_in_context(request, values, errors=invalid.translated())
            return Template("desk/walk_in.html", context=context, status_code=400)
        flash(request, N_("The walk-in booking was made and approved."))
        return Redirect(
            path=request.app.route_reverse("desk:booking", booking_id=booking_id), status_code=303
        )


ROUTES = [WalkInController]
