"""Recurring series on the web: the form, the preview of every date with its status (a GET that
writes nothing), booking the chosen free dates, the series page, and cancelling one date or every
date from a day on. Members book for their groups; the front desk and the manager book for any
group (with an optional reason to override the rules) through the same pages under /manage."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from bookings import series
from bookings.rules import EQUIPMENT_MISSING, MAX_PURPOSE, BookingRequest
from bookings.service import refund_due
from bookings.tables import Booking, BookingSeries
from bookings.web.common import Form, actor_of, member_groups, page_helpers, parse_day, status_label
from bookings.web.forms import parse_request
from center.accounts.guards import requires_front_desk, requires_login, requires_member
from center.accounts.roles import FRONT_DESK, MANAGER
from center.accounts.tables import Group
from center.lib.dates import TOKYO
from center.lib.errors import NotFound, ValidationFailed
from center.lib.i18n import N_, gettext, pick
from center.places import forms
from center.places.calendar import month_title
from center.places.equipment import equipment_text
from center.places.rooms import list_rooms, room_by_code
from center.places.tables import Slot
from center.web.templating import flash

TEXT_FIELDS = (
    "group",
    "room",
    "pattern",
    "weekday",
    "nth",
    "starts_on",
    "ends_on",
    "start",
    "end",
    "purpose",
    "expected_head_count",
    "public_title",
    "contact_name",
    "contact_phone",
    "override_reason",
)
MULTI_FIELDS = ("slots", "dates", "equipment")
FIELD_ORDER = (
    "group",
    "room",
    "pattern",
    "weekday",
    "nth",
    "starts_on",
    "ends_on",
    "slots",
    "start",
    "end",
    "purpose",
    "expected_head_count",
    "public_title",
    "contact_name",
    "contact_phone",
    "equipment",
    "override_reason",
    "occurrences",
)
DATE_MSG = N_("Enter a date like 2026-12-01.")


def _plain(data: Mapping[str, Any]) -> dict[str, Any]:
    """Form or query data as a plain dict: repeated fields as lists, the rest as text."""
    plain: dict[str, Any] = {name: forms.text(data, name) for name in TEXT_FIELDS}
    for name in MULTI_FIELDS:
        plain[name] = forms.values(data, name)
    plain["public"] = forms.checked(data, "public")
    plain["commercial"] = forms.checked(data, "commercial")
    return plain


def _ordered(errors: dict[str, str]) -> dict[str, str]:
    rank = {name: index for index, name in enumerate(FIELD_ORDER)}
    return dict(sorted(errors.items(), key=lambda item: rank.get(item[0], len(rank))))


def _staff(request: Request) -> bool:
    return request.user.has(FRONT_DESK, MANAGER)


async def _groups_for(request: Request, staff_page: bool) -> list[dict]:
    if staff_page:
        return await Group.select().where(Group.status == "approved").order_by(Group.name)
    return await member_groups(request)


async def parse_series(
    values: dict[str, Any], groups: list[dict], *, staff_page: bool
) -> tuple[series.SeriesSpec, dict, dict, bool]:
    """The series asked for, its group and room, and whether the rules are overridden; raises
    ValidationFailed (per field, in English msgids) for anything that no date could fix."""
    errors = forms.FieldErrors()
    params: dict[str, Any] = {"max": series.MAX_OCCURRENCES}
    group = next((g for g in groups if str(g["id"]) == values["group"]), None)
    if group is None:
        errors.add("group", N_("Choose a group."))
    room = await room_by_code(values["room"]) if values["room"] else None
    if room is not None and not room["bookable"]:
        room = None
    template: BookingRequest | None = None
    try:
        template = parse_request({**values, "day": "2000-01-01"}, room)
    except ValidationFailed as invalid:
        for name, msgid in invalid.errors.items():
            errors.add(name, msgid)

    pattern = values["pattern"]
    if pattern not in series.PATTERNS:
        errors.add("pattern", N_("Choose how often the series repeats."))
    weekday = forms.whole(values, "weekday", errors, N_("Choose a day of the week."), low=0, high=6)
    nth = None
    if pattern == "monthly":
        nth = forms.whole(values, "nth", errors, N_("Choose which week of the month."), low=-1, high=5)
        if nth == 0:
            errors.add("nth", N_("Choose which week of the month."))
    starts_on = forms.day(values, "starts_on", errors, DATE_MSG)
    ends_on = forms.day(values, "ends_on", errors, DATE_MSG)
    rule = None
    if not errors.keys() & {"pattern", "weekday", "nth", "starts_on", "ends_on"}:
        assert weekday is not None and starts_on is not None and ends_on is not None
        rule = series.Recurrence(pattern, weekday, starts_on, ends_on, nth)
        for name, msgid in series.recurrence_errors(rule).items():
            errors.add(name, msgid)

    if room is not None and template is not None:
        if room["booked_by"] == "slot":
            offered = {fee["code"] for fee in room["fees"]}
            if not template.slot_codes:
                errors.add("slots", N_("Choose at least one time slot."))
            elif not set(template.slot_codes) <= offered:
                errors.add("slots", N_("This room does not offer that time slot."))
        elif template.start and template.end and template.end <= template.start:
            errors.add("end", N_("The end must be after the start."))
        if not template.purpose.strip():
            errors.add("purpose", N_("Enter the purpose of use."))
        elif len(template.purpose) > MAX_PURPOSE:
            errors.add("purpose", N_("Use at most 200 characters."))
        if template.expected_head_count > room["capacity"]:
            errors.add("expected_head_count", N_("This room holds at most %(capacity)s people."))
            params["capacity"] = room["capacity"]
        if template.public and not template.public_title.strip():
            errors.add("public_title", N_("Enter a title for the public calendar."))
        # The same refusal as check_request's, once for the series rather than on every date.
        if missing := [code for code in template.equipment if code not in room["equipment"]]:
            errors.add("equipment", EQUIPMENT_MISSING)
            params["missing"] = equipment_text(missing)
    if len(values.get("override_reason", "")) > 500:
        errors.add("override_reason", N_("Use at most 500 characters."))
    if errors:
        raise ValidationFailed(_ordered(dict(errors)), params=params)
    assert group is not None and room is not None and template is not None and rule is not None
    override = staff_page and bool(values.get("override_reason", "").strip())
    return series.SeriesSpec(rule, template), group, room, override


async def form_context(
    request: Request, values: dict[str, Any], errors: dict[str, str], *, staff_page: bool, groups: list[dict]
) -> dict[str, Any]:
    slots = await Slot.select().where(Slot.active == True).order_by(Slot.sort_order, Slot.starts)
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


def _default_values(request: Request, groups: list[dict]) -> dict[str, Any]:
    values = _plain(request.query_params)
    group = groups[0] if len(groups) == 1 else None
    if not values["group"] and group:
        values["group"] = str(group["id"])
    chosen = next((g for g in groups if str(g["id"]) == values["group"]), None)
    values["pattern"] = values["pattern"] or "weekly"
    if not values["contact_name"] and chosen:
        values["contact_name"] = chosen["representative"]
    if not values["contact_phone"] and chosen:
        values["contact_phone"] = chosen["contact_phone"]
    return values


async def _render_form(request: Request, *, staff_page: bool) -> Template:
    groups = await _groups_for(request, staff_page)
    values = _default_values(request, groups)
    context = await form_context(request, values, {}, staff_page=staff_page, groups=groups)
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
        context = await form_context(
            request, values, _ordered(invalid.translated()), staff_page=staff_page, groups=groups
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
            "change_query": _change_query(values),
            "month_title": month_title,
            **page_helpers(),
        },
        status_code=status_code,
    )


def _change_query(values: dict[str, Any]) -> str:
    """The query string that opens the form again with these values."""
    pairs = [(name, values[name]) for name in TEXT_FIELDS if values.get(name)]
    pairs += [("slots", code) for code in values.get("slots", [])]
    pairs += [("equipment", code) for code in values.get("equipment", [])]
    pairs += [(name, "on") for name in ("public", "commercial") if values.get(name)]
    return urlencode(pairs)


async def _create(request: Request, data: dict[str, Any], *, staff_page: bool) -> Template | Redirect:
    values = _plain(data)
    groups = await _groups_for(request, staff_page)
    try:
        spec, group, _room, _override = await parse_series(values, groups, staff_page=staff_page)
    except ValidationFailed as invalid:
        context = await form_context(
            request, values, _ordered(invalid.translated()), staff_page=staff_page, groups=groups
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
        context = await form_context(
            request, values, _ordered(invalid.translated()), staff_page=staff_page, groups=groups
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


# ---- members ----------------------------------------------------------------------------------


@get("/bookings/series/new", name="bookings:series_new", guards=[requires_member])
async def series_new(request: Request) -> Template:
    """The series form: room, how often, which weekday, the period, the slots and the purpose."""
    return await _render_form(request, staff_page=False)


@get("/bookings/series/preview", name="bookings:series_preview", guards=[requires_member])
async def series_preview(request: Request) -> Template:
    """Every date of the series with its status and fee; nothing is written."""
    return await _preview_page(request, _plain(request.query_params), staff_page=False)


@post("/bookings/series/new", name="bookings:series_create", guards=[requires_member])
async def series_create(request: Request, data: Form) -> Template | Redirect:
    """Book the chosen free dates, all or nothing."""
    return await _create(request, data, staff_page=False)


async def _series_rows(where) -> list[dict]:
    return await (
        BookingSeries.select(
            *BookingSeries.all_columns(),
            BookingSeries.room.name_ja.as_alias("room_name_ja"),
            BookingSeries.room.name_en.as_alias("room_name_en"),
            BookingSeries.group.name.as_alias("group_name"),
        )
        .where(where)
        .order_by(BookingSeries.starts_on, ascending=False)
        .limit(200)
    )


def _list_context(rows: list[dict], *, staff_page: bool) -> dict[str, Any]:
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


@get("/bookings/series", name="bookings:series_list", guards=[requires_member])
async def series_list(request: Request) -> Template:
    """The recurring bookings of the user's groups."""
    ids = list(request.user.group_ids) or [-1]
    rows = await _series_rows(BookingSeries.group.is_in(ids))
    return Template("bookings/series_list.html", context=_list_context(rows, staff_page=False))


async def _visible(request: Request, series_id: int) -> dict:
    return await series.get_series(series_id, staff=_staff(request), group_ids=tuple(request.user.group_ids))


@get("/bookings/series/{series_id:int}", name="bookings:series_detail", guards=[requires_login])
async def series_detail(request: Request, series_id: FromPath[int]) -> Template:
    """The series with every date and its booking's status; cancel or move from here."""
    return Template("bookings/series_detail.html", context=await _detail_context(request, series_id))


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


@get("/bookings/series/{series_id:int}/cancel", name="bookings:series_cancel_form", guards=[requires_login])
async def series_cancel_form(request: Request, series_id: FromPath[int]) -> Template:
    """Confirm before cancelling: one date (?booking=ID) or every date from a day on (?from=DATE)."""
    return await _cancel_page(request, series_id, _plain_cancel(request.query_params), {})


def _plain_cancel(data: Mapping[str, Any]) -> dict[str, str]:
    return {name: forms.text(data, name, 500) for name in ("booking", "from", "reason")}


async def _cancel_page(
    request: Request, series_id: int, values: dict[str, str], errors: dict[str, str], status_code: int = 200
) -> Template:
    row = await _visible(request, series_id)
    actor = actor_of(request)
    booking_id = _booking_id(values)
    from_day = parse_day(values["from"]) if not booking_id else None
    if booking_id is None and from_day is None:
        from_day = await series.cancellable_from(actor)
        values = {**values, "from": from_day.isoformat()}
    now = datetime.now(UTC)
    query = Booking.select().where(
        (Booking.series == series_id)
        & Booking.status.is_in(["requested", "approved"])
        & (Booking.starts_at > now)
    )
    if booking_id is not None:
        query = query.where(Booking.id == booking_id)
    else:
        query = query.where(Booking.occurrence_on >= from_day)
    targets = await query.order_by(Booking.starts_at)
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


def _booking_id(values: dict[str, str]) -> int | None:
    raw = values.get("booking", "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


@post("/bookings/series/{series_id:int}/cancel", name="bookings:series_cancel", guards=[requires_login])
async def series_cancel(request: Request, series_id: FromPath[int], data: Form) -> Template | Redirect:
    """Cancel one date or every coming date from a day on, releasing the holds at once."""
    await _visible(request, series_id)
    values = _plain_cancel(data)
    booking_id = _booking_id(values)
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
        return await _cancel_page(request, series_id, values, _ordered(invalid.translated()), 400)
    flash(request, N_("The chosen dates were cancelled and the room released."))
    return Redirect(
        path=request.app.route_reverse("bookings:series_detail", series_id=series_id), status_code=303
    )


# ---- staff ------------------------------------------------------------------------------------------


@get("/manage/bookings/series", name="bookings:staff_series_list", guards=[requires_front_desk])
async def staff_series_list(request: Request) -> Template:
    """Every group's recurring bookings, newest first."""
    rows = await _series_rows(BookingSeries.id > 0)
    return Template("bookings/series_list.html", context=_list_context(rows, staff_page=True))


@get("/manage/bookings/series/new", name="bookings:staff_series_new", guards=[requires_front_desk])
async def staff_series_new(request: Request) -> Template:
    """Book a recurring series on a group's behalf."""
    return await _render_form(request, staff_page=True)


@get("/manage/bookings/series/preview", name="bookings:staff_series_preview", guards=[requires_front_desk])
async def staff_series_preview(request: Request) -> Template:
    return await _preview_page(request, _plain(request.query_params), staff_page=True)


@post("/manage/bookings/series/new", name="bookings:staff_series_create", guards=[requires_front_desk])
async def staff_series_create(request: Request, data: Form) -> Template | Redirect:
    return await _create(request, data, staff_page=True)


ROUTES = [
    series_new,
    series_preview,
    series_create,
    series_list,
    series_detail,
    series_cancel_form,
    series_cancel,
    staff_series_list,
    staff_series_new,
    staff_series_preview,
    staff_series_create,
]
