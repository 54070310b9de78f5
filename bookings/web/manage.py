"""Staff pages for bookings: the bookings list, one booking with its decision (the manager approves
or declines requests), cancellation with a reason, and booking on a group's behalf (phone
bookings). Moves are in bookings.web.staff_moves, the booking rules in bookings.web.rules."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from bookings import listing, payment_status, service, urgent
from bookings.access_notes import access_warnings_for
from bookings.web.common import actor_of, parse_day, status_label
from bookings.web.forms import (
    chosen_group,
    equipment_from_query,
    form_values,
    offered,
    ordered,
    parse_group_request,
)
from bookings.web.request_form import form_context
from center.accounts.guards import requires_front_desk, requires_manager
from center.lib.errors import DomainError, ValidationFailed
from center.lib.i18n import N_, gettext
from center.places import forms
from center.places.rooms import room_by_code
from center.web.forms import Form
from center.web.templating import flash

LIST_STATUSES = ("requested", "approved", "declined", "cancelled", "lapsed")


async def decide_page(
    request: Request, booking_id: int, errors: dict[str, str] | None = None, status_code: int = 200
) -> Template:
    """One booking for staff: its details, and approve/decline (managers) or cancel, with the errors
    of a refused decline or cancellation."""
    booking = await listing.find_booking_row(booking_id)
    if booking is None:
        raise DomainError(N_("That booking does not exist."))
    return Template(
        "bookings/decide.html",
        context={
            "booking": booking,
            "payment": await payment_status.status_of(booking),
            "errors": errors or {},
            "status_label": status_label,
            "can_decide": request.user.has("manager"),
            "access_warnings": await access_warnings_for(booking),
        },
        status_code=status_code,
    )


def _to_staff_detail(request: Request, booking_id: int) -> Redirect:
    return Redirect(
        path=request.app.route_reverse("bookings:staff_detail", booking_id=booking_id), status_code=303
    )


class StaffBookingsController(Controller):
    """The front desk's and the manager's bookings: the list, one booking, cancellation, and
    booking on a group's behalf."""

    path = "/manage/bookings"
    guards = (requires_front_desk,)

    @get("/", name="bookings:manage")
    async def manage_list(self, request: Request) -> Template:
        """Bookings by status, open requests by decision deadline then date of use; or, as the staff
        home page links them, the decisions due within `due` hours or the approved bookings unpaid
        with their use within `unpaid` days."""
        status = request.query_params.get("status", "requested")
        if status not in LIST_STATUSES:
            status = "requested"
        start = parse_day(request.query_params.get("from"), urgent.queue_start())
        due, unpaid = (urgent.within(request.query_params.get(name)) for name in ("due", "unpaid"))
        status, rows = await urgent.staff_list(status, start, due, unpaid)
        return Template(
            "bookings/manage.html",
            context={
                "rows": rows,
                "payments": await payment_status.statuses(rows),
                "status": status,
                "statuses": LIST_STATUSES,
                "status_label": status_label,
                "start": start,
                "due": due,
                "unpaid": None if due else unpaid,
                "can_decide": request.user.has("manager"),
            },
        )

    @get("/{booking_id:int}", name="bookings:staff_detail")
    async def staff_detail(self, request: Request, booking_id: FromPath[int]) -> Template:
        return await decide_page(request, booking_id)

    @post("/{booking_id:int}/cancel", name="bookings:staff_cancel")
    async def staff_cancel(
        self, request: Request, booking_id: FromPath[int], data: Form
    ) -> Template | Redirect:
        try:
            await service.cancel(booking_id, actor_of(request), forms.text(data, "reason", 500))
        except ValidationFailed as invalid:
            return await decide_page(request, booking_id, invalid.translated(), status_code=400)
        flash(request, N_("The booking was cancelled and the room released."))
        return _to_staff_detail(request, booking_id)

    @get("/new", name="bookings:staff_form")
    async def staff_form(self, request: Request) -> Template:
        """Book on a group's behalf (e.g. by phone)."""
        groups = await listing.approved_groups(by_kana=True)
        params = request.query_params
        values = {
            "group": params.get("group", ""),
            "room": params.get("room", ""),
            "day": params.get("day", ""),
            "slots": forms.values(params, "slots"),
            "equipment": equipment_from_query(params),
        }
        room = await room_by_code(values["room"]) if values["room"] else None
        values["equipment"] = offered(values["equipment"], room)
        context = await form_context(request, values, {}, groups=groups, room=room, staff=True)
        return Template("bookings/request.html", context=context)

    @post("/new", name="bookings:staff_request")
    async def staff_request(self, request: Request, data: Form) -> Template | Redirect:
        groups = await listing.approved_groups(by_kana=True)
        values = form_values(data)
        room = await room_by_code(values["room"]) if values["room"] else None
        group = chosen_group(values, groups)
        try:
            group, booking_request = parse_group_request(data, group, room)
            if forms.text(data, "action") == "preview":
                _, fee = await service.preview(
                    booking_request, group["id"], override=bool(values.get("override_reason"))
                )
                return Template(
                    "bookings/request.html",
                    context=await form_context(
                        request, values, {}, groups=groups, room=room, fee=fee, staff=True
                    ),
                )
            booking_id = await service.request_booking(
                booking_request,
                group["id"],
                actor_of(request),
                override_reason=values.get("override_reason", ""),
                approve_now=forms.checked(data, "approve_now") and request.user.has("manager"),
            )
        except service.BookingTaken as taken:
            context = await form_context(
                request,
                values,
                {"slots": gettext(taken.message)},
                groups=groups,
                room=room,
                alternatives=taken.alternatives,
                conflict=True,
                staff=True,
            )
            return Template("bookings/request.html", context=context, status_code=409)
        except ValidationFailed as invalid:
            context = await form_context(
                request, values, ordered(invalid.translated()), groups=groups, room=room, staff=True
            )
            return Template("bookings/request.html", context=context, status_code=400)
        flash(request, N_("The booking was made for the group."))
        return _to_staff_detail(request, booking_id)


class DecisionController(Controller):
    """The manager's decision on a request."""

    path = "/manage/bookings/{booking_id:int}"
    guards = (requires_manager,)

    @post("/approve", name="bookings:approve")
    async def approve(self, request: Request, booking_id: FromPath[int]) -> Redirect:
        await service.approve(booking_id, actor_of(request))
        flash(request, N_("The booking was approved and its permit issued."))
        return Redirect(path=request.app.route_reverse("bookings:manage"), status_code=303)

    @post("/decline", name="bookings:decline")
    async def decline(self, request: Request, booking_id: FromPath[int], data: Form) -> Template | Redirect:
        try:
            await service.decline(booking_id, actor_of(request), forms.text(data, "reason", 500))
        except ValidationFailed as invalid:
            return await decide_page(request, booking_id, invalid.translated(), status_code=400)
        flash(request, N_("The request was declined and the slot released."))
        return Redirect(path=request.app.route_reverse("bookings:manage"), status_code=303)


ROUTES = [StaffBookingsController, DecisionController]
