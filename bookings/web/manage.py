"""Staff pages for bookings: the manager approves or declines requests; the front desk and the
manager book on a group's behalf (phone bookings), move bookings and cancel with a reason; the
manager edits the booking rules, surcharges, reductions and refund rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from bookings import payment_settings, payment_status, service, urgent
from bookings.access_notes import access_warnings_for
from bookings.listing import booking_rows
from bookings.payment_state import unpaid_within
from bookings.rules import load_policy
from bookings.tables import Booking, BookingPolicy, ReductionRate, RefundRule, Surcharge
from bookings.web.common import Form, actor_of, page_helpers, parse_day, status_label
from bookings.web.forms import equipment_from_query, form_values, offered, ordered, parse_request
from bookings.web.request_form import form_context
from center.accounts import audit
from center.accounts.guards import requires_front_desk, requires_manager
from center.accounts.tables import Group
from center.lib import dates
from center.lib.db import write_transaction
from center.lib.errors import DomainError, ValidationFailed
from center.lib.i18n import N_, gettext
from center.places import forms
from center.places.equipment import decode_codes
from center.places.rooms import room_by_code
from center.web.templating import flash

LIST_STATUSES = ("requested", "approved", "declined", "cancelled", "lapsed")


@get("/manage/bookings", name="bookings:manage", guards=[requires_front_desk])
async def manage_list(request: Request) -> Template:
    """Bookings by status, open requests by decision deadline then date of use; or, as the staff
    home page links them, the decisions due within `due` hours or the approved bookings unpaid
    with their use within `unpaid` days."""
    status = request.query_params.get("status", "requested")
    if status not in LIST_STATUSES:
        status = "requested"
    start = parse_day(request.query_params.get("from"), urgent.queue_start())
    due, unpaid = (urgent.within(request.query_params.get(name)) for name in ("due", "unpaid"))
    where = urgent.listed(status, start)
    if due:
        status, where = "requested", urgent.due_within(due)
    elif unpaid:
        status, where = "approved", Booking.id.is_in(await unpaid_within(unpaid) or [-1])
    rows = await booking_rows(where, limit=300)
    if status == "requested":
        rows.sort(key=urgent.queue_order)
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


@post("/manage/bookings/{booking_id:int}/approve", name="bookings:approve", guards=[requires_manager])
async def approve(request: Request, booking_id: FromPath[int]) -> Redirect:
    await service.approve(booking_id, actor_of(request))
    flash(request, N_("The booking was approved and its permit issued."))
    return Redirect(path=request.app.route_reverse("bookings:manage"), status_code=303)


async def _decide_page(
    request: Request, booking_id: int, errors: dict[str, str] | None = None, status_code: int = 200
) -> Template:
    """One booking for staff: its details, and approve/decline (managers) or cancel, with the errors
    of a refused decline or cancellation."""
    rows = await booking_rows(Booking.id == booking_id, limit=1)
    if not rows:
        raise DomainError(N_("That booking does not exist."))
    return Template(
        "bookings/decide.html",
        context={
            "booking": rows[0],
            "payment": await payment_status.status_of(rows[0]),
            "errors": errors or {},
            "status_label": status_label,
            "can_decide": request.user.has("manager"),
            "access_warnings": await access_warnings_for(rows[0]),
        },
        status_code=status_code,
    )


@post("/manage/bookings/{booking_id:int}/decline", name="bookings:decline", guards=[requires_manager])
async def decline(request: Request, booking_id: FromPath[int], data: Form) -> Template | Redirect:
    try:
        await service.decline(booking_id, actor_of(request), forms.text(data, "reason", 500))
    except ValidationFailed as invalid:
        return await _decide_page(request, booking_id, invalid.translated(), status_code=400)
    flash(request, N_("The request was declined and the slot released."))
    return Redirect(path=request.app.route_reverse("bookings:manage"), status_code=303)


@get("/manage/bookings/{booking_id:int}", name="bookings:staff_detail", guards=[requires_front_desk])
async def staff_detail(request: Request, booking_id: FromPath[int]) -> Template:
    return await _decide_page(request, booking_id)


@post("/manage/bookings/{booking_id:int}/cancel", name="bookings:staff_cancel", guards=[requires_front_desk])
async def staff_cancel(request: Request, booking_id: FromPath[int], data: Form) -> Template | Redirect:
    try:
        await service.cancel(booking_id, actor_of(request), forms.text(data, "reason", 500))
    except ValidationFailed as invalid:
        return await _decide_page(request, booking_id, invalid.translated(), status_code=400)
    flash(request, N_("The booking was cancelled and the room released."))
    return Redirect(
        path=request.app.route_reverse("bookings:staff_detail", booking_id=booking_id), status_code=303
    )


async def _all_groups() -> list[dict]:
    return (
        await Group.select().where(Group.status == "approved").order_by(Group.name_kana).order_by(Group.name)
    )


@get("/manage/bookings/new", name="bookings:staff_form", guards=[requires_front_desk])
async def staff_form(request: Request) -> Template:
    """Book on a group's behalf (e.g. by phone)."""
    groups = await _all_groups()
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


@post("/manage/bookings/new", name="bookings:staff_request", guards=[requires_front_desk])
async def staff_request(request: Request, data: Form) -> Template | Redirect:
    groups = await _all_groups()
    values = form_values(data)
    room = await room_by_code(values["room"]) if values["room"] else None
    group = next((g for g in groups if str(g["id"]) == values["group"]), None)
    try:
        if group is None:
            raise ValidationFailed({"group": N_("Choose a group.")})
        booking_request = parse_request(data, room)
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
            booking_request, group["id"], actor_of(request), override_reason=values.get("override_reason", "")
        )
        if forms.checked(data, "approve_now") and request.user.has("manager"):
            await service.approve(booking_id, actor_of(request))
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
    return Redirect(
        path=request.app.route_reverse("bookings:staff_detail", booking_id=booking_id), status_code=303
    )


@get("/manage/bookings/{booking_id:int}/move", name="bookings:move_form", guards=[requires_front_desk])
async def move_form(request: Request, booking_id: FromPath[int]) -> Template:
    rows = await booking_rows(Booking.id == booking_id, limit=1)
    if not rows:
        raise DomainError(N_("That booking does not exist."))
    booking = rows[0]
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


@post("/manage/bookings/{booking_id:int}/move", name="bookings:move", guards=[requires_front_desk])
async def move(request: Request, booking_id: FromPath[int], data: Form) -> Template | Redirect:
    rows = await booking_rows(Booking.id == booking_id, limit=1)
    if not rows:
        raise DomainError(N_("That booking does not exist."))
    booking = rows[0]
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
        await service.move(booking_id, actor_of(request), room["id"], moved_request, values["reason"])
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


# ---- the rules ---------------------------------------------------------------------------

POLICY_FIELDS = {
    # field: (low, high, msgid)
    "book_from_days": (0, 365, N_("Enter a whole number of days from 0 to 365.")),
    "book_until_months": (1, 24, N_("Enter a whole number of months from 1 to 24.")),
    "min_minutes": (15, 1440, N_("Enter a whole number of minutes from 15 to 1440.")),
    "max_minutes": (15, 1440, N_("Enter a whole number of minutes from 15 to 1440.")),
    "max_future_bookings": (1, 1000, N_("Enter a whole number from 1 to 1000.")),
    "tentative_days": (1, 60, N_("Enter a whole number of days from 1 to 60.")),
    "cancel_online_until_days": (0, 60, N_("Enter a whole number of days from 0 to 60.")),
    "decide_days_before": (0, 365, N_("Enter a whole number of days from 0 to 365.")),
}


async def _rules_context(
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    payment_values: dict[str, Any] | None = None,
) -> dict:
    policy = await load_policy()
    return {
        "policy": values or policy,
        "payment": payment_values or await payment_settings.load_settings(),
        "surcharges": await Surcharge.select().order_by(Surcharge.code),
        "reductions": await ReductionRate.select().order_by(ReductionRate.category),
        "refunds": await RefundRule.select().order_by(RefundRule.min_days_before, ascending=False),
        "errors": errors or {},
        **page_helpers(),
    }


@get("/manage/booking-rules", name="bookings:rules", guards=[requires_manager])
async def rules_page(request: Request) -> Template:
    return Template("bookings/rules.html", context=await _rules_context())


@post("/manage/booking-rules", name="bookings:save_rules", guards=[requires_manager])
async def save_rules(request: Request, data: Form) -> Template | Redirect:
    """Save the policy, surcharge percents, reduction percents and refund rules in one transaction."""
    errors = forms.FieldErrors()
    policy_values = {
        name: forms.whole(data, name, errors, msgid, low=low, high=high)
        for name, (low, high, msgid) in POLICY_FIELDS.items()
    }
    if not errors and policy_values["min_minutes"] > policy_values["max_minutes"]:
        errors.add("max_minutes", N_("The longest booking must not be shorter than the shortest."))
    if not errors and policy_values["decide_days_before"] > policy_values["book_from_days"]:
        errors.add(
            "decide_days_before", N_("Enter no more days than online requests close before the date of use.")
        )
    percent_msg = N_("Enter a percentage from 0 to 1000.")
    surcharges = await Surcharge.select()
    reductions = await ReductionRate.select()
    refunds = await RefundRule.select()
    surcharge_values = {
        row["id"]: forms.whole(data, f"surcharge-{row['id']}", errors, percent_msg, low=100, high=1000)
        for row in surcharges
    }
    reduction_values = {
        row["id"]: (
            forms.whole(data, f"reduction-room-{row['id']}", errors, percent_msg, low=0, high=100),
            forms.whole(data, f"reduction-heating-{row['id']}", errors, percent_msg, low=0, high=100),
        )
        for row in reductions
    }
    refund_values = {
        row["id"]: (
            forms.whole(
                data,
                f"refund-days-{row['id']}",
                errors,
                N_("Enter a whole number of days from 0 to 365."),
                low=0,
                high=365,
            ),
            forms.whole(data, f"refund-room-{row['id']}", errors, percent_msg, low=0, high=100),
            forms.whole(data, f"refund-heating-{row['id']}", errors, percent_msg, low=0, high=100),
        )
        for row in refunds
    }
    payment_values = payment_settings.parse_payment_rules(data, errors)
    if errors:
        return Template(
            "bookings/rules.html",
            context=await _rules_context(
                {name: gettext(msg) for name, msg in errors.items()},
                {**(await load_policy()), **{k: forms.text(data, k) for k in POLICY_FIELDS}},
                {k: forms.text(data, k) for k in payment_values},
            ),
            status_code=400,
        )
    async with write_transaction():
        before = {
            "policy": await load_policy(),
            "surcharges": surcharges,
            "reductions": reductions,
            "refunds": refunds,
        }
        await BookingPolicy.update(
            {getattr(BookingPolicy, k): v for k, v in policy_values.items()}
            | {BookingPolicy.updated_at: datetime.now(UTC)},
            force=True,
        )
        for row_id, percent in surcharge_values.items():
            await Surcharge.update({Surcharge.percent: percent}).where(Surcharge.id == row_id)
        for row_id, (room_percent, heating_percent) in reduction_values.items():
            await ReductionRate.update(
                {
                    ReductionRate.room_fee_percent: room_percent,
                    ReductionRate.heating_fee_percent: heating_percent,
                }
            ).where(ReductionRate.id == row_id)
        for row_id, (days, room_percent, heating_percent) in refund_values.items():
            await RefundRule.update(
                {
                    RefundRule.min_days_before: days,
                    RefundRule.room_fee_percent: room_percent,
                    RefundRule.heating_fee_percent: heating_percent,
                }
            ).where(RefundRule.id == row_id)
        await payment_settings.save_payment_rules(payment_values, request.user)
        after = {
            "policy": await load_policy(),
            "surcharges": await Surcharge.select(),
            "reductions": await ReductionRate.select(),
            "refunds": await RefundRule.select(),
        }
        await audit.record("update", "booking_rules", "", actor=request.user, before=before, after=after)
    flash(request, N_("The booking rules were saved."))
    return Redirect(path=request.app.route_reverse("bookings:rules"), status_code=303)


ROUTES = [
    manage_list,
    approve,
    decline,
    staff_detail,
    staff_cancel,
    staff_form,
    staff_request,
    move_form,
    move,
    rules_page,
    save_rules,
]
