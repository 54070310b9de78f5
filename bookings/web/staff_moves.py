"""Staff move a booking to another room or time (bookings.staff_moves does it): the form, pre-filled
with where and when the booking is now, and the move with its reason."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from bookings import listing, service, staff_moves
from bookings.web.common import actor_of, status_label
from bookings.web.forms import form_values, ordered, parse_request
from bookings.web.request_form import form_context
from center.accounts.guards import requires_front_desk
from center.lib import dates
from center.lib.errors import DomainError, ValidationFailed
from center.lib.i18n import N_, gettext
from center.places import forms
from center.places.equipment import decode_codes
from center.places.rooms import room_by_code
from center.web.forms import Form
from center.web.templating import flash


async def _booking(booking_id: int) -> dict:
    booking = await listing.find_booking_row(booking_id)
    if booking is None:
        raise DomainError(N_("That booking does not exist."))
    return booking


class StaffMoveController(Controller):
    """Move one booking, for the front desk and the manager."""

    path = "/manage/bookings/{booking_id:int}/move"
    guards = (requires_front_desk,)

    @get("/", name="bookings:move_form")
    async def move_form(self, request: Request, booking_id: FromPath[int]) -> Template:
        booking = await _booking(booking_id)
        values = {
            "room": booking["room_code"],
            "day": dates.to_local(booking["starts_at"]).date().isoformat(),
            "slots": [code for code in booking["slot_codes"].split(",") if code],
            "start": forms.hhmm(dates.to_local(booking["starts_at"]).time()),
            "end": forms.hhmm(dates.to_local(booking["ends_at"]).time()),
        }
        room = await room_by_code(booking["room_code"])
        context = await form_context(request, values, {}, groups=[], room=room)
        return Template(
            "bookings/move.html", context={**context, "booking": booking, "status_label": status_label}
        )

    @post("/", name="bookings:move")
    async def move(self, request: Request, booking_id: FromPath[int], data: Form) -> Template | Redirect:
        booking = await _booking(booking_id)
        values = {**form_values(data), "reason": forms.text(data, "reason", 500)}
        room = await room_by_code(values["room"]) if values["room"] else None
        try:
            moved_request = parse_request(
                {
                    **data,
                    "purpose": booking["purpose"],
                    "expected_head_count": str(booking["expected_head_count"]),
                    "public_title": booking["public_title"],
                },
                room,
            )
            moved_request.public = booking["public"]
            moved_request.equipment = decode_codes(booking["equipment"])
            assert room is not None
            await staff_moves.move(booking_id, actor_of(request), room["id"], moved_request, values["reason"])
        except service.BookingTaken as taken:
            context = await form_context(
                request,
                values,
                {"slots": gettext(taken.message)},
                groups=[],
                room=room,
                alternatives=taken.alternatives,
                conflict=True,
            )
            return Template(
                "bookings/move.html",
                context={**context, "booking": booking, "status_label": status_label},
                status_code=409,
            )
        except ValidationFailed as invalid:
            context = await form_context(request, values, ordered(invalid.translated()), groups=[], room=room)
            return Template(
                "bookings/move.html",
                context={**context, "booking": booking, "status_label": status_label},
                status_code=400,
            )
        flash(request, N_("The booking was moved."))
        return Redirect(
            path=request.app.route_reverse("bookings:staff_detail", booking_id=booking_id), status_code=303
        )


ROUTES = [StaffMoveController]
