"""The front desk's pages (受付): today's board (refreshing itself so two desks agree), the scan
field (permit QR code, permit number or group name), one booking's check-in, check-out, no-show
and payments, walk-ins, the day's cash summary, and the printouts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from bookings import desk, desk_checkin, desk_payments, desk_printouts, desk_walkins, payment_status
from bookings.access_notes import access_warnings_for
from bookings.fees import line_text
from bookings.service import BookingTaken
from bookings.web.common import VARY, Form, actor_of, page_helpers, parse_day, wants_partial
from bookings.web.desk_scan import SCANNED_EVENT, last_scan_context
from center.accounts.guards import requires_front_desk
from center.accounts.tables import Group
from center.lib import dates
from center.lib.errors import DomainError, ValidationFailed
from center.lib.i18n import N_, gettext
from center.places import forms, repairs
from center.places.equipment import decode_codes, equipment_text
from center.web.templating import flash

POLL_SECONDS = 5


def _day(request: Request) -> date:
    return parse_day(request.query_params.get("date"), dates.today()) or dates.today()


def _helpers() -> dict[str, Any]:
    return {
        **page_helpers(),
        "state_labels": {key: gettext(value) for key, value in desk.STATE_LABELS.items()},
        "state_symbols": desk.STATE_SYMBOLS,
        "method_label": desk_payments.method_label,
        "kind_label": desk_payments.kind_label,
        "methods": list(desk_payments.METHODS),
        "fee_line_text": line_text,
    }


async def _board_context(request: Request, day: date, **extra: Any) -> dict[str, Any]:
    params = request.query_params
    floor = forms.whole(params, "floor", forms.FieldErrors(), "", required=False, low=-9, high=99)
    state = params.get("state", "")
    if state not in desk.STATE_LABELS:
        state = ""
    order = "floor" if params.get("order") == "floor" else "time"
    day_board = await desk.board(day, floor=floor, state=state)
    return {
        "board": day_board,
        "payments": await payment_status.statuses([row.booking for row in day_board.rows if row.booking]),
        "day": day,
        "is_today": day == dates.today(),
        "floor": floor,
        "state": state,
        "order": order,
        "poll_seconds": POLL_SECONDS,
        "errors": {},
        "refreshed_at": datetime.now(UTC),
        "scanned_event": SCANNED_EVENT,
        **_helpers(),
        **extra,
    }


@get("/desk", name="desk:board", guards=[requires_front_desk])
async def board_page(request: Request) -> Template:
    """The day's board with the scan field (bookings/web/desk_scan.py) and this desk's last scan;
    htmx polls the board part every few seconds."""
    context = await _board_context(request, _day(request))
    if wants_partial(request):
        return Template("desk/_board.html", context=context, headers=VARY)
    context.update(await last_scan_context(request))
    return Template("desk/board.html", context=context, headers=VARY)


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
        **_helpers(),
        **extra,
    }


@get("/desk/bookings/{booking_id:int}", name="desk:booking", guards=[requires_front_desk])
async def booking_page(request: Request, booking_id: FromPath[int]) -> Template:
    """One booking at the desk: check in, check out, no-show, payments (and, after a repair
    ticket was opened from it, that ticket's number)."""
    raw = request.query_params.get("ticket", "")
    ticket = int(raw) if raw.isdigit() and len(raw) < 10 else None
    if ticket is not None and not await repairs.ticket_exists(ticket):
        ticket = None
    return Template("desk/booking.html", context=await _booking_context(booking_id, repair_ticket=ticket))


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


@post("/desk/bookings/{booking_id:int}/check-in", name="desk:check_in", guards=[requires_front_desk])
async def check_in(request: Request, booking_id: FromPath[int], data: Form) -> Template | Redirect:
    errors = forms.FieldErrors()
    head_count = _whole(data, "head_count", errors, HEAD_COUNT_ERROR, 0)
    try:
        await desk.desk_booking(booking_id)  # a missing booking is "not found" before its form
        if errors:
            raise ValidationFailed(dict(errors))
        after = await desk_checkin.check_in(
            booking_id, actor_of(request), head_count=head_count, key_number=forms.text(data, "key_number")
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


@post("/desk/bookings/{booking_id:int}/check-out", name="desk:check_out", guards=[requires_front_desk])
async def check_out(request: Request, booking_id: FromPath[int], data: Form) -> Template | Redirect:
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


def _to_ticket_notice(request: Request, booking_id: int, ticket_id: int) -> Redirect:
    """Back to the booking, which shows the new repair ticket's number."""
    path = request.app.route_reverse("desk:booking", booking_id=booking_id) + f"?ticket={ticket_id}"
    return Redirect(path=path, status_code=303)


@post(
    "/desk/bookings/{booking_id:int}/repair-ticket", name="desk:repair_ticket", guards=[requires_front_desk]
)
async def repair_ticket(request: Request, booking_id: FromPath[int], data: Form) -> Template | Redirect:
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


@post("/desk/bookings/{booking_id:int}/key-returned", name="desk:key_returned", guards=[requires_front_desk])
async def key_returned(request: Request, booking_id: FromPath[int]) -> Template | Redirect:
    try:
        await desk.desk_booking(booking_id)
        after = await desk_checkin.return_key(booking_id, actor_of(request))
    except desk_checkin.DeskRefused as exc:
        return await _refused(booking_id, exc, {}, "")
    flash(request, N_("The key was returned."))
    return _back_to_board(request, after)


@post("/desk/bookings/{booking_id:int}/key-out", name="desk:key_out", guards=[requires_front_desk])
async def key_out(request: Request, booking_id: FromPath[int], data: Form) -> Template | Redirect:
    """The key handed out after a scan checked the booking in."""
    try:
        await desk.desk_booking(booking_id)
        await desk_checkin.hand_out_key(booking_id, actor_of(request), forms.text(data, "key_number"))
    except (ValidationFailed, desk_checkin.DeskRefused) as exc:
        return await _refused(booking_id, exc, data, "key-out")
    flash(request, N_("The key handed out was recorded."))
    return Redirect(path=request.app.route_reverse("desk:booking", booking_id=booking_id), status_code=303)


@post("/desk/bookings/{booking_id:int}/no-show", name="desk:no_show", guards=[requires_front_desk])
async def no_show(request: Request, booking_id: FromPath[int]) -> Template | Redirect:
    try:
        await desk.desk_booking(booking_id)
        after = await desk_checkin.mark_no_show(booking_id, actor_of(request))
    except desk_checkin.DeskRefused as exc:
        return await _refused(booking_id, exc, {}, "")
    flash(request, N_("Marked as a no-show."))
    return _back_to_board(request, after)


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


@post("/desk/bookings/{booking_id:int}/payments", name="desk:pay", guards=[requires_front_desk])
async def pay(request: Request, booking_id: FromPath[int], data: Form) -> Template | Redirect:
    return await _money(request, booking_id, data, "payment")


@post("/desk/bookings/{booking_id:int}/refunds", name="desk:refund", guards=[requires_front_desk])
async def refund(request: Request, booking_id: FromPath[int], data: Form) -> Template | Redirect:
    return await _money(request, booking_id, data, "refund")


def _pdf(data: bytes, filename: str) -> Response[bytes]:
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "private"},
    )


@get("/desk/payments/{payment_id:int}/receipt.pdf", name="desk:receipt", guards=[requires_front_desk])
async def receipt(payment_id: FromPath[int]) -> Response[bytes]:
    from center.lib.pdf import render_pdf

    context = await desk_payments.receipt_context(payment_id)
    data = await render_pdf("pdf/desk_receipt.html", context)
    return _pdf(data, f"receipt-{context['payment']['receipt_number']}.pdf")


# --- Walk-ins ---


async def _walk_in_context(request: Request, values: dict[str, Any], **extra: Any) -> dict[str, Any]:
    pieces = await desk_walkins.free_now()
    room_id = forms.whole(values, "room", forms.FieldErrors(), "", required=False, low=1, high=10**9)
    room_pieces = [piece for piece in pieces if piece.room["id"] == room_id]
    groups = await (
        Group.select(Group.id, Group.name, Group.name_kana)
        .where((Group.status == "approved") & (Group.activity != desk_walkins.WALK_IN_GROUP_MARKER))
        .order_by(Group.name_kana)
        .order_by(Group.name)
    )
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
        **_helpers(),
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
    head_count = forms.whole(
        values, "head_count", errors, N_("Enter how many people will attend (1 or more)."), low=1, high=9999
    )
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


@get("/desk/walk-in", name="desk:walk_in", guards=[requires_front_desk])
async def walk_in_page(request: Request) -> Template:
    """Rooms free now; choosing one opens the booking form below."""
    values = _walk_in_values(request.query_params)
    return Template("desk/walk_in.html", context=await _walk_in_context(request, values))


@post("/desk/walk-in", name="desk:walk_in_book", guards=[requires_front_desk])
async def walk_in_book(request: Request, data: Form) -> Template | Redirect:
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
    return Redirect(path=request.app.route_reverse("desk:booking", booking_id=booking_id), status_code=303)


# --- The day's money and printouts ---


@get("/desk/cash", name="desk:cash", guards=[requires_front_desk])
async def cash(request: Request) -> Template:
    """The day's payments and refunds with totals per method."""
    summary = await desk_payments.cash_summary(_day(request))
    return Template("desk/cash.html", context={"summary": summary, "day": summary.day, **_helpers()})


@get("/desk/day-sheet.pdf", name="desk:day_sheet", guards=[requires_front_desk])
async def day_sheet(request: Request) -> Response[bytes]:
    day = _day(request)
    return _pdf(await desk_printouts.day_sheet_pdf(day), f"day-sheet-{day.isoformat()}.pdf")


@get("/desk/key-log.pdf", name="desk:key_log", guards=[requires_front_desk])
async def key_log(request: Request) -> Response[bytes]:
    day = _day(request)
    return _pdf(await desk_printouts.key_log_pdf(day), f"key-log-{day.isoformat()}.pdf")


ROUTES = [
    board_page,
    booking_page,
    check_in,
    check_out,
    key_returned,
    key_out,
    no_show,
    repair_ticket,
    pay,
    refund,
    receipt,
    walk_in_page,
    walk_in_book,
    cash,
    day_sheet,
    key_log,
]
