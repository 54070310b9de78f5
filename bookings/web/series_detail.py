"""One recurring series as its group's members and the staff see it: every date with its booking's
status, and cancelling one date or every coming date from a day on."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from bookings import series
from bookings.service import refund_due
from bookings.web.common import actor_of, is_staff, page_helpers, parse_day, status_label
from bookings.web.series import series_status_label
from bookings.web.series_forms import DATE_MSG, booking_id_of, ordered_errors, plain_cancel
from center.accounts.guards import requires_login
from center.lib.dates import TOKYO
from center.lib.errors import NotFound, ValidationFailed
from center.lib.i18n import N_
from center.web.forms import Form
from center.web.templating import flash


async def _visible(request: Request, series_id: int) -> dict:
    return await series.get_series(
        series_id, staff=is_staff(request), group_ids=tuple(request.user.group_ids)
    )


async def _detail_context(request: Request, series_id: int, errors: dict[str, str] | None = None) -> dict:
    row = await _visible(request, series_id)
    bookings = await series.series_bookings(series_id)
    now = datetime.now(UTC)
    actor = actor_of(request)
    earliest = await series.cancellable_from(actor)
    return {
        "series": row,
        "rows": series.occurrence_rows(row, bookings),
        "rule_text": series.describe(row["pattern"], row["weekday"], row["nth"]),
        "status_label": status_label,
        "series_status": series_status_label,
        "can_act": row["status"] == "active",
        "staff": actor.staff,
        "is_member": row["group"] in request.user.group_ids,
        "earliest": earliest,
        "now": now,
        "active": ("requested", "approved"),
        "errors": errors or {},
        "values": {"from": earliest.isoformat()},
        "local_date": lambda value: value.astimezone(TOKYO).date(),
        **page_helpers(),
    }


async def _cancel_page(
    request: Request, series_id: int, values: dict[str, str], errors: dict[str, str], status_code: int = 200
) -> Template:
    row = await _visible(request, series_id)
    actor = actor_of(request)
    booking_id = booking_id_of(values)
    from_day = parse_day(values["from"]) if not booking_id else None
    if booking_id is None and from_day is None:
        from_day = await series.cancellable_from(actor)
        values = {**values, "from": from_day.isoformat()}
    targets = await series.cancel_targets(series_id, booking_id=booking_id, from_day=from_day)
    if booking_id is not None and not targets:
        raise NotFound(N_("That booking does not exist."))
    refunds = {booking["id"]: await refund_due(booking) for booking in targets}
    return Template(
        "bookings/series_cancel.html",
        context={
            "series": row,
            "targets": targets,
            "refunds": refunds,
            "refund_total": sum(refunds.values()),
            "values": values,
            "errors": errors,
            "booking_id": booking_id,
            "staff": actor.staff,
            "status_label": status_label,
            "rule_text": series.describe(row["pattern"], row["weekday"], row["nth"]),
            **page_helpers(),
        },
        status_code=status_code,
    )


class SeriesController(Controller):
    """One series: its dates, and cancelling them."""

    path = "/bookings/series/{series_id:int}"
    guards = (requires_login,)

    @get("/", name="bookings:series_detail")
    async def series_detail(self, request: Request, series_id: FromPath[int]) -> Template:
        """The series with every date and its booking's status; cancel or move from here."""
        return Template("bookings/series_detail.html", context=await _detail_context(request, series_id))

    @get("/cancel", name="bookings:series_cancel_form")
    async def series_cancel_form(self, request: Request, series_id: FromPath[int]) -> Template:
        """Confirm before cancelling: one date (?booking=ID) or every date from a day on (?from=DATE)."""
        return await _cancel_page(request, series_id, plain_cancel(request.query_params), {})

    @post("/cancel", name="bookings:series_cancel")
    async def series_cancel(
        self, request: Request, series_id: FromPath[int], data: Form
    ) -> Template | Redirect:
        """Cancel one date or every coming date from a day on, releasing the holds at once."""
        await _visible(request, series_id)
        values = plain_cancel(data)
        booking_id = booking_id_of(values)
        from_day = parse_day(values["from"]) if booking_id is None else None
        try:
            if booking_id is None and from_day is None:
                raise ValidationFailed({"from": DATE_MSG})
            await series.cancel_occurrences(
                series_id,
                actor_of(request),
                from_day=from_day,
                booking_id=booking_id,
                reason=values["reason"],
                group_ids=tuple(request.user.group_ids),
            )
        except ValidationFailed as invalid:
            return await _cancel_page(request, series_id, values, ordered_errors(invalid.translated()), 400)
        flash(request, N_("The chosen dates were cancelled and the room released."))
        return Redirect(
            path=request.app.route_reverse("bookings:series_detail", series_id=series_id), status_code=303
        )


ROUTES = [SeriesController]
