"""Recurring series for members and, on a group's behalf, for staff: the form, the preview of
every date with its status and fee (nothing written), and booking the chosen free dates all or
nothing. One booked series is shown and cancelled in bookings.web.series_detail."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from bookings import listing, series
from bookings.rules import BookingRequest
from bookings.web.common import actor_of, member_groups, page_helpers, parse_day
from bookings.web.series_forms import (
    TEXT_FIELDS,
    change_query,
    default_values,
    ordered_errors,
    parse_series,
    plain_values,
)
from center.accounts.guards import requires_front_desk, requires_member
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_, gettext, pick
from center.places.calendar import month_title
from center.places.rooms import list_rooms
from center.web.forms import Form
from center.web.templating import flash


async def _groups_for(request: Request, staff_page: bool) -> list[dict]:
    if staff_page:
        return await listing.approved_groups()
    return await member_groups(request)


async def series_form_context(
    request: Request, values: dict[str, Any], errors: dict[str, str], *, staff_page: bool, groups: list[dict]
) -> dict[str, Any]:
    slots = await listing.active_slots()
    rooms = await list_rooms()
    return {
        "values": values,
        "errors": errors,
        "groups": groups,
        "rooms": rooms,
        # the chosen room, whose equipment the form offers
        "room": next((room for room in rooms if room["code"] == values.get("room")), None),
        "any_hourly": any(room["booked_by"] == "hour" for room in rooms),
        "slots": slots,
        "staff_page": staff_page,
        "patterns": [(code, gettext(label)) for code, label in series.PATTERN_LABELS.items()],
        "weekdays": [(str(index), gettext(name)) for index, name in enumerate(series.WEEKDAY_NAMES)],
        "nths": [(str(nth), gettext(label)) for nth, label in series.NTH_LABELS.items()],
        "max_dates": series.MAX_OCCURRENCES,
        **page_helpers(),
    }


async def _render_form(request: Request, *, staff_page: bool) -> Template:
    groups = await _groups_for(request, staff_page)
    values = default_values(request.query_params, groups)
    context = await series_form_context(request, values, {}, staff_page=staff_page, groups=groups)
    return Template("bookings/series_form.html", context=context)


def _slot_text(room: dict, template: BookingRequest) -> str:
    if room["booked_by"] == "hour" and template.start and template.end:
        return f"{template.start:%H:%M}–{template.end:%H:%M}"
    names = {fee["code"]: fee for fee in room["fees"]}
    parts = []
    for code in template.slot_codes:
        fee = names.get(code)
        if fee:
            parts.append(f"{pick(fee['name_ja'], fee['name_en'])} {fee['starts']:%H:%M}–{fee['ends']:%H:%M}")
    return ", ".join(parts)


async def _preview_page(
    request: Request,
    values: dict[str, Any],
    *,
    staff_page: bool,
    clashes: list[series.Occurrence] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    """Parse and preview; the form again with the errors when the input cannot make a series."""
    groups = await _groups_for(request, staff_page)
    try:
        spec, group, room, override = await parse_series(values, groups, staff_page=staff_page)
        preview = await series.preview_series(spec, group["id"], override=override, staff=staff_page)
    except ValidationFailed as invalid:
        context = await series_form_context(
            request, values, ordered_errors(invalid.translated()), staff_page=staff_page, groups=groups
        )
        return Template("bookings/series_form.html", context=context, status_code=400)
    chosen = {parse_day(raw) for raw in values.get("dates", [])} - {None}
    free_days = {occurrence.day for occurrence in preview.free}
    # First visit: every free date is ticked. After a clash: keep the member's choice where still free.
    ticked = (chosen & free_days) if (clashes or errors) else free_days
    rule = spec.recurrence
    return Template(
        "bookings/series_preview.html",
        context={
            "values": values,
            "preview": preview,
            "group": group,
            "room": room,
            "rule_text": series.describe(rule.pattern, rule.weekday, rule.nth),
            "rule": rule,
            "slot_text": _slot_text(room, spec.request),
            "ticked": ticked,
            "clashes": clashes or [],
            "errors": errors or {},
            "override": override,
            "staff_page": staff_page,
            "text_fields": [name for name in TEXT_FIELDS if values.get(name)],
            "change_query": change_query(values),
            "month_title": month_title,
            **page_helpers(),
        },
        status_code=status_code,
    )


async def _create(request: Request, data: dict[str, Any], *, staff_page: bool) -> Template | Redirect:
    values = plain_values(data)
    groups = await _groups_for(request, staff_page)
    try:
        spec, group, _room, _override = await parse_series(values, groups, staff_page=staff_page)
    except ValidationFailed as invalid:
        context = await series_form_context(
            request, values, ordered_errors(invalid.translated()), staff_page=staff_page, groups=groups
        )
        return Template("bookings/series_form.html", context=context, status_code=400)
    chosen = [parse_day(raw) for raw in values["dates"]]
    try:
        if any(day is None for day in chosen):
            raise ValidationFailed({"occurrences": N_("Choose dates from the list.")})
        booked = await series.book_series(
            spec,
            group["id"],
            actor_of(request),
            [day for day in chosen if day is not None],
            override_reason=values["override_reason"] if staff_page else "",
        )
    except series.SeriesClash as clash:
        return await _preview_page(
            request, values, staff_page=staff_page, clashes=clash.clashes, status_code=409
        )
    except ValidationFailed as invalid:
        if "occurrences" in invalid.errors or "group" in invalid.errors:
            return await _preview_page(
                request, values, staff_page=staff_page, errors=invalid.translated(), status_code=400
            )
        context = await series_form_context(
            request, values, ordered_errors(invalid.translated()), staff_page=staff_page, groups=groups
        )
        return Template("bookings/series_form.html", context=context, status_code=400)
    flash(
        request,
        N_(
            "The recurring booking was requested. The booked dates are held for you until the center decides."
        ),
    )
    return Redirect(
        path=request.app.route_reverse("bookings:series_detail", series_id=booked.series_id), status_code=303
    )


def list_context(rows: list[dict], *, staff_page: bool) -> dict[str, Any]:
    return {
        "rows": rows,
        "staff_page": staff_page,
        "describe": series.describe,
        "series_status": series_status_label,
        **page_helpers(),
    }


SERIES_STATUS_LABELS = {"active": N_("Active"), "cancelled": N_("Series cancelled")}


def series_status_label(status: str) -> str:
    return gettext(SERIES_STATUS_LABELS.get(status, status))


class SeriesRequestController(Controller):
    """A member's recurring series for one of their groups."""

    path = "/bookings/series"
    guards = (requires_member,)

    @get("/new", name="bookings:series_new")
    async def series_new(self, request: Request) -> Template:
        """The series form: room, how often, which weekday, the period, the slots and the purpose."""
        return await _render_form(request, staff_page=False)

    @get("/preview", name="bookings:series_preview")
    async def series_preview(self, request: Request) -> Template:
        """Every date of the series with its status and fee; nothing is written."""
        return await _preview_page(request, plain_values(request.query_params), staff_page=False)

    @post("/new", name="bookings:series_create")
    async def series_create(self, request: Request, data: Form) -> Template | Redirect:
        """Book the chosen free dates, all or nothing."""
        return await _create(request, data, staff_page=False)

    @get("/", name="bookings:series_list")
    async def series_list(self, request: Request) -> Template:
        """The recurring bookings of the user's groups."""
        rows = await series.series_rows(list(request.user.group_ids))
        return Template("bookings/series_list.html", context=list_context(rows, staff_page=False))


class StaffSeriesController(Controller):
    """Recurring series for the front desk and the manager, on a group's behalf."""

    path = "/manage/bookings/series"
    guards = (requires_front_desk,)

    @get("/", name="bookings:staff_series_list")
    async def staff_series_list(self, request: Request) -> Template:
        """Every group's recurring bookings, newest first."""
        rows = await series.series_rows()
        return Template("bookings/series_list.html", context=list_context(rows, staff_page=True))

    @get("/new", name="bookings:staff_series_new")
    async def staff_series_new(self, request: Request) -> Template:
        """Book a recurring series on a group's behalf."""
        return await _render_form(request, staff_page=True)

    @get("/preview", name="bookings:staff_series_preview")
    async def staff_series_preview(self, request: Request) -> Template:
        return await _preview_page(request, plain_values(request.query_params), staff_page=True)

    @post("/new", name="bookings:staff_series_create")
    async def staff_series_create(self, request: Request, data: Form) -> Template | Redirect:
        return await _create(request, data, staff_page=True)


ROUTES = [SeriesRequestController, StaffSeriesController]
