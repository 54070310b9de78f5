"""One booking at the front desk (受付): check-in and check-out with head counts and keys, no-shows,
payments and refunds, and a repair ticket for damage found."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from bookings import desk, desk_checkin, desk_payments, payment_status
from bookings.access_notes import access_warnings_for
from bookings.web.common import actor_of
from bookings.web.desk_common import desk_helpers
from center.accounts.guards import requires_front_desk
from center.lib import dates
from center.lib.errors import DomainError, ValidationFailed
from center.lib.i18n import N_, gettext
from center.places import forms, repairs
from center.places.equipment import decode_codes, equipment_text
from center.web.forms import Form
from center.web.templating import flash


async def _booking_context(booking_id: int, **extra: Any) -> dict[str, Any]:
    context = await desk.desk_booking(booking_id)
    booking = context["booking"]
    head = booking["actual_head_count"]
    values = {
        "head_count": "" if head is None else str(head),
        "key_number": booking["key_number"],
        "amount": str(context["money"].due or ""),
        "refund_amount": str(context["money"].refund_outstanding or ""),
        "method": "cash",
        "receipt_number": await desk_payments.next_receipt_number(),
    }
    values.update(extra.pop("values", {}))
    return {
        **context,
        "payment": await payment_status.status_of(booking),
        "values": values,
        "errors": {},
        "message": "",
        "is_today": desk_checkin.is_today(booking),
        "now": datetime.now(UTC),
        "repair_ticket": None,
        "access_warnings": await access_warnings_for(booking),
        **desk_helpers(),
        **extra,
    }


async def _refused(booking_id: int, exc: DomainError, data: dict[str, Any], focus: str) -> Template:
    """The booking page again with the reason, changing nothing (400 for bad input, 409 for state)."""
    if isinstance(exc, ValidationFailed):
        errors, message = exc.translated(), ""
    else:
        errors, message = {}, gettext(exc.message, **exc.params)
    values = {name: forms.text(data, name) for name in data if not name.startswith("_")}
    context = await _booking_context(booking_id, values=values, errors=errors, message=message, focus=focus)
    return Template("desk/booking.html", context=context, status_code=exc.status_code)


def _whole(data: dict[str, Any], name: str, errors: forms.FieldErrors, msgid: str, low: int) -> int | None:
    return forms.whole(data, name, errors, msgid, low=low, high=desk_checkin.MAX_HEAD_COUNT, required=False)


HEAD_COUNT_ERROR = N_("Enter the number of people as a whole number, 0 or more.")


def _back_to_board(request: Request, booking: dict) -> Redirect:
    day = dates.to_local(booking["starts_at"]).date()
    path = request.app.route_reverse("desk:board")
    if day != dates.today():
        path += f"?date={day.isoformat()}"
    return Redirect(path=path, status_code=303)


async def _board_step(
    request: Request, booking_id: int, step: Callable[[int, Any], Awaitable[dict]], done: str
) -> Template | Redirect:
    """A one-click step on a desk booking (no form): done, back to the board; refused, the
    booking page with the reason."""
    try:
        await desk.desk_booking(booking_id)
        after = await step(booking_id, actor_of(request))
    except desk_checkin.DeskRefused as exc:
        return await _refused(booking_id, exc, {}, "")
    flash(request, done)
    return _back_to_board(request, after)


def _to_ticket_notice(request: Request, booking_id: int, ticket_id: int) -> Redirect:
    """Back to the booking, which shows the new repair ticket's number."""
    path = request.app.route_reverse("desk:booking", booking_id=booking_id) + f"?ticket={ticket_id}"
    return Redirect(path=path, status_code=303)


async def _money(request: Request, booking_id: int, data: dict[str, Any], kind: str) -> Template | Redirect:
    field = "amount" if kind == "payment" else "refund_amount"
    errors = forms.FieldErrors()
    amount = forms.whole(
        data, field, errors, N_("Enter the amount in yen, 1 or more."), low=1, high=10_000_000
    )
    record = desk_payments.record_payment if kind == "payment" else desk_payments.pay_refund
    try:
        await desk.desk_booking(booking_id)
        if errors:
            raise ValidationFailed(dict(errors))
        payment_id = await record(
            booking_id,
            actor_of(request),
            amount,
            forms.text(data, "method") or "cash",
            forms.text(data, "receipt_number"),
            forms.text(data, "note", 500),
        )
    except ValidationFailed as exc:
        if kind == "refund" and "amount" in exc.errors:
            exc.errors["refund_amount"] = exc.errors.pop("amount")
        return await _refused(booking_id, exc, data, kind)
    flash(request, N_("The payment was recorded.") if kind == "payment" else N_("The refund was paid out."))
    path = request.app.route_reverse("desk:booking", booking_id=booking_id) + f"?receipt={payment_id}"
    return Redirect(path=path, status_code=303)


class DeskBookingController(Controller):
    """One booking at the desk and what the desk does with it."""

    path = "/desk/bookings/{booking_id:int}"
    guards = (requires_front_desk,)

    @get("/", name="desk:booking")
    async def booking_page(self, request: Request, booking_id: FromPath[int]) -> Template:
        """One booking at the desk: check in, check out, no-show, payments (and, after a repair
        ticket was opened from it, that ticket's number)."""
        raw = request.query_params.get("ticket", "")
        ticket = int(raw) if raw.isdigit() and len(raw) < 10 else None
        if ticket is not None and not await repairs.ticket_exists(ticket):
            ticket = None
        return Template("desk/booking.html", context=await _booking_context(booking_id, repair_ticket=ticket))

    @post("/check-in", name="desk:check_in")
    async def check_in(self, request: Request, booking_id: FromPath[int], data: Form) -> Template | Redirect:
        errors = forms.FieldErrors()
        head_count = _whole(data, "head_count", errors, HEAD_COUNT_ERROR, 0)
        try:
            await desk.desk_booking(booking_id)  # a missing booking is "not found" before its form
            if errors:
                raise ValidationFailed(dict(errors))
            after = await desk_checkin.check_in(
                booking_id,
                actor_of(request),
                head_count=head_count,
                key_number=forms.text(data, "key_number"),
            )
        except (ValidationFailed, desk_checkin.DeskRefused) as exc:
            return await _refused(booking_id, exc, data, "check-in")
        if decode_codes(after["equipment"]):
            # Shown once after the redirect, in the language of this request: the equipment to hand out.
            flash(
                request,
                gettext("Checked in. Equipment: %(equipment)s", equipment=equipment_text(after["equipment"])),
            )
        else:
            flash(request, N_("Checked in."))
        return _back_to_board(request, after)

    @post("/check-out", name="desk:check_out")
    async def check_out(self, request: Request, booking_id: FromPath[int], data: Form) -> Template | Redirect:
        errors = forms.FieldErrors()
        head_count = _whole(data, "head_count", errors, HEAD_COUNT_ERROR, 0)
        try:
            await desk.desk_booking(booking_id)
            if errors:
                raise ValidationFailed(dict(errors))
            options = {
                "head_count": head_count,
                "key_returned": forms.checked(data, "key_returned"),
                "note": forms.text(data, "note"),
            }
            if forms.text(data, "action") == "repair_ticket":
                _, ticket_id = await desk_checkin.check_out_with_repair_ticket(
                    booking_id, actor_of(request), **options
                )
                flash(request, N_("Checked out."))
                return _to_ticket_notice(request, booking_id, ticket_id)
            after = await desk_checkin.check_out(booking_id, actor_of(request), **options)
        except (ValidationFailed, desk_checkin.DeskRefused) as exc:
            return await _refused(booking_id, exc, data, "check-out")
        flash(request, N_("Checked out."))
        return _back_to_board(request, after)

    @post("/repair-ticket", name="desk:repair_ticket")
    async def repair_ticket(
        self, request: Request, booking_id: FromPath[int], data: Form
    ) -> Template | Redirect:
        """A damage note (found at or after check-out) opens a maintenance repair ticket in one click."""
        try:
            await desk.desk_booking(booking_id)
            ticket_id = await desk_checkin.open_repair_ticket(
                booking_id, forms.text(data, "repair_note"), actor_of(request)
            )
        except ValidationFailed as exc:
            if "note" in exc.errors:
                exc.errors["repair_note"] = exc.errors.pop("note")
            return await _refused(booking_id, exc, data, "repair")
        return _to_ticket_notice(request, booking_id, ticket_id)

    @post("/key-returned", name="desk:key_returned")
    async def key_returned(self, request: Request, booking_id: FromPath[int]) -> Template | Redirect:
        return await _board_step(request, booking_id, desk_checkin.return_key, N_("The key was returned."))

    @post("/key-out", name="desk:key_out")
    async def key_out(self, request: Request, booking_id: FromPath[int], data: Form) -> Template | Redirect:
        """The key handed out after a scan checked the booking in."""
        try:
            await desk.desk_booking(booking_id)
            await desk_checkin.hand_out_key(booking_id, actor_of(request), forms.text(data, "key_number"))
        except (ValidationFailed, desk_checkin.DeskRefused) as exc:
            return await _refused(booking_id, exc, data, "key-out")
        flash(request, N_("The key handed out was recorded."))
        return Redirect(
            path=request.app.route_reverse("desk:booking", booking_id=booking_id), status_code=303
        )

    @post("/no-show", name="desk:no_show")
    async def no_show(self, request: Request, booking_id: FromPath[int]) -> Template | Redirect:
        return await _board_step(request, booking_id, desk_checkin.mark_no_show, N_("Marked as a no-show."))

    @post("/payments", name="desk:pay")
    async def pay(self, request: Request, booking_id: FromPath[int], data: Form) -> Template | Redirect:
        return await _money(request, booking_id, data, "payment")

    @post("/refunds", name="desk:refund")
    async def refund(self, request: Request, booking_id: FromPath[int], data: Form) -> Template | Redirect:
        return await _money(request, booking_id, data, "refund")


ROUTES = [DeskBookingController]
