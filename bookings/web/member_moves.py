"""A member moves one date of their group's series: the form (date and slots in the same room),
a check that shows the new fee and the difference before anything changes, and the move."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from bookings import listing, moves, service
from bookings.web.common import actor_of, page_helpers, status_label
from bookings.web.forms import ordered, parse_request
from center.accounts.guards import requires_member
from center.lib import dates
from center.lib.errors import DomainError, ValidationFailed
from center.lib.i18n import N_, gettext
from center.places import forms
from center.places.rooms import room_by_id
from center.web.forms import Form
from center.web.templating import flash


def _values(source: Any) -> dict[str, Any]:
    return {
        "day": forms.text(source, "day"),
        "slots": forms.values(source, "slots"),
        "start": forms.text(source, "start"),
        "end": forms.text(source, "end"),
    }


async def _page(
    request: Request,
    booking_id: int,
    values: dict[str, Any] | None = None,
    *,
    errors: dict[str, str] | None = None,
    plan: moves.MovePlan | None = None,
    alternatives: list[dict] | None = None,
    status_code: int = 200,
) -> Template:
    booking = await listing.booking_row(booking_id)
    room = await room_by_id(booking["room"])
    if values is None:
        local_start, local_end = dates.to_local(booking["starts_at"]), dates.to_local(booking["ends_at"])
        values = {
            "day": local_start.date().isoformat(),
            "slots": [code for code in booking["slot_codes"].split(",") if code],
            "start": forms.hhmm(local_start.time()),
            "end": forms.hhmm(local_end.time()),
        }
    return Template(
        "bookings/member_move.html",
        context={
            "booking": booking,
            "room": room,
            "values": values,
            "errors": errors or {},
            "plan": plan,
            "alternatives": alternatives or [],
            "status_label": status_label,
            **page_helpers(),
        },
        status_code=status_code,
    )


async def _request_from(source: Any, booking: dict):
    room = await room_by_id(booking["room"])
    return parse_request(
        {**_values(source), "expected_head_count": str(booking["expected_head_count"])}, room
    )


async def _own(request: Request, booking_id: int) -> dict:
    booking = await listing.find_booking(booking_id)
    if booking is None or booking["group"] not in request.user.group_ids:
        raise DomainError(N_("That booking does not exist."))
    return booking


class MemberMoveController(Controller):
    """A member moves one date of their group's series."""

    path = "/bookings/{booking_id:int}/move"
    guards = (requires_member,)

    @get("/", name="bookings:member_move_form")
    async def member_move_form(self, request: Request, booking_id: FromPath[int]) -> Template:
        """The form; with a date chosen (?day=...&check=1) it shows the new fee before confirming."""
        booking = await _own(request, booking_id)
        group_ids = tuple(request.user.group_ids)
        if "check" not in request.query_params:
            await moves.plan_move_allowed(booking_id, group_ids)
            return await _page(request, booking_id)
        values = _values(request.query_params)
        try:
            plan = await moves.plan_move(
                booking_id, await _request_from(request.query_params, booking), group_ids
            )
        except ValidationFailed as invalid:
            return await _page(
                request, booking_id, values, errors=ordered(invalid.translated()), status_code=400
            )
        return await _page(request, booking_id, values, plan=plan)

    @post("/", name="bookings:member_move")
    async def member_move(
        self, request: Request, booking_id: FromPath[int], data: Form
    ) -> Template | Redirect:
        booking = await _own(request, booking_id)
        values = _values(data)
        try:
            await moves.move_occurrence(
                booking_id,
                await _request_from(data, booking),
                actor_of(request),
                tuple(request.user.group_ids),
            )
        except service.BookingTaken as taken:
            return await _page(
                request,
                booking_id,
                values,
                errors={"slots": gettext(taken.message)},
                alternatives=taken.alternatives,
                status_code=409,
            )
        except ValidationFailed as invalid:
            return await _page(
                request, booking_id, values, errors=ordered(invalid.translated()), status_code=400
            )
        flash(request, N_("The date was moved. It is a request again until the center decides."))
        return Redirect(
            path=request.app.route_reverse("bookings:detail", booking_id=booking_id), status_code=303
        )


ROUTES = [MemberMoveController]
