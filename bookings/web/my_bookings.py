"""A member's bookings: their groups' list, one booking (members of its group and staff), its
cancellation, and the permit PDF."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from bookings import listing, payment_status, service
from bookings.booking_view import booking_view
from bookings.permits import permit_pdf
from bookings.web.common import status_label, visible_booking
from center.accounts.actors import ActorRef
from center.accounts.guards import requires_login, requires_member
from center.lib.errors import DomainError
from center.lib.i18n import N_, gettext
from center.places import forms
from center.places.equipment import equipment_label
from center.web.forms import Form
from center.web.templating import flash


class MyBookingsController(Controller):
    """The user's groups' bookings."""

    path = "/bookings/mine"
    guards = (requires_member,)

    @get("/", name="bookings:mine")
    async def my_bookings(self, request: Request) -> Template:
        """The user's groups' bookings: coming ones first, then the last three months."""
        upcoming, past = await listing.groups_bookings(list(request.user.group_ids))
        return Template(
            "bookings/mine.html",
            context={
                "upcoming": upcoming,
                "past": past,
                "status_label": status_label,
                "payments": await payment_status.statuses(upcoming + past),
            },
        )


class BookingController(Controller):
    """One booking as its group's members and the staff see it, and its permit."""

    path = "/bookings/{booking_id:int}"
    guards = (requires_login,)

    @get("/", name="bookings:detail")
    async def booking_detail(self, request: Request, booking_id: FromPath[int]) -> Template:
        booking = await visible_booking(request, booking_id, named=True)
        context = {
            **await booking_view(booking),
            "status_label": status_label,
            "equipment_label": equipment_label,
        }
        return Template("bookings/detail.html", context=context)

    @get("/permit.pdf", name="bookings:permit")
    async def permit(self, request: Request, booking_id: FromPath[int]) -> Response[bytes]:
        booking = await visible_booking(request, booking_id)
        data = await permit_pdf(booking_id)
        filename = f"permit-{booking['permit_number']}.pdf"
        return Response(
            data,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "private"},
        )


async def _cancel_page(
    request: Request, booking_id: int, errors: dict[str, str], status_code: int = 200
) -> Template:
    booking = await visible_booking(request, booking_id)
    return Template(
        "bookings/cancel.html",
        context={
            "booking": await listing.booking_row(booking_id),
            "refund": await service.refund_due(booking),
            "errors": errors,
            "status_label": status_label,
        },
        status_code=status_code,
    )


class CancelController(Controller):
    """A member cancels their group's booking."""

    path = "/bookings/{booking_id:int}/cancel"
    guards = (requires_member,)

    @get("/", name="bookings:cancel_form")
    async def cancel_form(self, request: Request, booking_id: FromPath[int]) -> Template:
        return await _cancel_page(request, booking_id, {})

    @post("/", name="bookings:cancel")
    async def cancel_booking(
        self, request: Request, booking_id: FromPath[int], data: Form
    ) -> Template | Redirect:
        await visible_booking(request, booking_id)
        try:
            await service.cancel(
                booking_id,
                ActorRef(request.user.id, request.user.display_name),  # as a member, never as staff
                forms.text(data, "reason", 500),
                group_ids=tuple(request.user.group_ids),
            )
        except DomainError as refused:
            errors = {"reason": gettext(refused.message, **refused.params)}
            return await _cancel_page(request, booking_id, errors, refused.status_code)
        flash(request, N_("The booking was cancelled and the room released."))
        return Redirect(
            path=request.app.route_reverse("bookings:detail", booking_id=booking_id), status_code=303
        )


ROUTES = [MyBookingsController, BookingController, CancelController]
