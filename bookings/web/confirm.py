"""The last step of a member's request: the confirmation page's POST. Everything carried in its
hidden fields is read again by the request form's own rules (a tampered value is refused as the
form would refuse it); the member must tick the agreement to the terms of use in force, whose
version is recorded on the booking.

Staff booking on a group's behalf (bookings.web.manage, e.g. by phone) keep their one-step form:
they read the request back to the caller and cannot tick a box for them, so their bookings record
no agreement (terms_version stays empty) and the staff booking page says so."""

from __future__ import annotations

from litestar import Controller, Request, post
from litestar.response import Redirect, Template

from bookings import service
from bookings.terms import check_agreement, current_terms
from bookings.web.common import actor_of, member_groups
from bookings.web.confirmation import confirmation_page
from bookings.web.forms import chosen_group, form_values, ordered, parse_group_request
from bookings.web.request_form import form_context
from center.accounts.guards import requires_member
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_, gettext
from center.places import forms
from center.places.rooms import room_by_code, room_row
from center.web.forms import Form
from center.web.templating import flash


async def _full(room: dict | None) -> dict | None:
    return await room_by_code(room["code"]) if room else None


class ConfirmController(Controller):
    """A member sends the request shown on the confirmation page."""

    path = "/bookings/request/confirm"
    guards = (requires_member,)

    @post("/", name="bookings:confirm_request")
    async def confirm_request(self, request: Request, data: Form) -> Template | Redirect:
        """Send the request shown on the confirmation page, with the agreement to the terms: takes
        the tentative hold. Without the agreement, the confirmation page again with the error."""
        groups = await member_groups(request)
        values = form_values(data)
        # The room's row is enough to read the request; the pages shown on a refusal need all of it.
        room = await room_row(values["room"]) if values["room"] else None
        group = chosen_group(values, groups)
        try:
            group, booking_request = parse_group_request(data, group, room)
        except ValidationFailed as invalid:
            # The values were altered (the form would refuse them): the form with the errors.
            context = await form_context(
                request, values, ordered(invalid.translated()), groups=groups, room=await _full(room)
            )
            return Template("bookings/request.html", context=context, status_code=400)
        assert room is not None and group is not None
        try:
            version = check_agreement(
                forms.checked(data, "agree_to_terms"), data.get("terms_version"), await current_terms()
            )
        except ValidationFailed as refused:
            try:
                period, fee = await service.preview(booking_request, group["id"])
            except ValidationFailed as invalid:
                context = await form_context(
                    request, values, ordered(invalid.translated()), groups=groups, room=await _full(room)
                )
                return Template("bookings/request.html", context=context, status_code=400)
            return await confirmation_page(
                values,
                group=group,
                room=await _full(room),
                period=period,
                fee=fee,
                errors=refused.translated(),
                status_code=400,
            )
        # request_booking checks and prices the request again in full (the rules of the form, the
        # calendar and the policy as they are now), so the hidden fields are trusted no further.
        try:
            booking_id = await service.request_booking(
                booking_request, group["id"], actor_of(request), terms_agreed=True, terms_version=version
            )
        except service.BookingTaken as taken:
            context = await form_context(
                request,
                values,
                {"slots": gettext(taken.message)},
                groups=groups,
                room=await _full(room),
                alternatives=taken.alternatives,
                conflict=True,
            )
            return Template("bookings/request.html", context=context, status_code=409)
        except ValidationFailed as invalid:
            context = await form_context(
                request, values, ordered(invalid.translated()), groups=groups, room=await _full(room)
            )
            return Template("bookings/request.html", context=context, status_code=400)
        flash(request, N_("Your request was received. The slot is held for you until the center decides."))
        return Redirect(
            path=request.app.route_reverse("bookings:detail", booking_id=booking_id), status_code=303
        )


ROUTES = [ConfirmController]
