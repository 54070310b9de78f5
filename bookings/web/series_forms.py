"""Reading the recurring-series forms: the series asked for (its rule, group, room and what each
date books), refused per field before any date is checked, and the cancellation form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from bookings import series
from bookings.rules import EQUIPMENT_MISSING, MAX_PURPOSE, BookingRequest
from bookings.web.forms import DETAIL_FIELDS, chosen_group, parse_request
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_
from center.places import forms
from center.places.equipment import equipment_text
from center.places.rooms import room_by_code

RULE_FIELDS = ("group", "room", "pattern", "weekday", "nth", "starts_on", "ends_on")
TEXT_FIELDS = (*RULE_FIELDS, *DETAIL_FIELDS, "override_reason")
MULTI_FIELDS = ("slots", "dates", "equipment")
FIELD_ORDER = (*RULE_FIELDS, "slots", *DETAIL_FIELDS, "equipment", "override_reason", "occurrences")
DATE_MSG = N_("Enter a date like 2026-12-01.")


def plain_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """Form or query data as a plain dict: repeated fields as lists, the rest as text."""
    plain: dict[str, Any] = {name: forms.text(data, name) for name in TEXT_FIELDS}
    for name in MULTI_FIELDS:
        plain[name] = forms.values(data, name)
    plain["public"] = forms.checked(data, "public")
    plain["commercial"] = forms.checked(data, "commercial")
    return plain


def ordered_errors(errors: dict[str, str]) -> dict[str, str]:
    return forms.in_order(errors, FIELD_ORDER)


async def parse_series(
    values: dict[str, Any], groups: list[dict], *, staff_page: bool
) -> tuple[series.SeriesSpec, dict, dict, bool]:
    """The series asked for, its group and room, and whether the rules are overridden; raises
    ValidationFailed (per field, in English msgids) for anything that no date could fix."""
    errors = forms.FieldErrors()
    params: dict[str, Any] = {"max": series.MAX_OCCURRENCES}
    group = chosen_group(values, groups)
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
        raise ValidationFailed(ordered_errors(dict(errors)), params=params)
    assert group is not None and room is not None and template is not None and rule is not None
    override = staff_page and bool(values.get("override_reason", "").strip())
    return series.SeriesSpec(rule, template), group, room, override


def default_values(params: Mapping[str, Any], groups: list[dict]) -> dict[str, Any]:
    """A new series form's values: from its link, with the only group and its contact."""
    values = plain_values(params)
    group = groups[0] if len(groups) == 1 else None
    if not values["group"] and group:
        values["group"] = str(group["id"])
    chosen = chosen_group(values, groups)
    values["pattern"] = values["pattern"] or "weekly"
    if not values["contact_name"] and chosen:
        values["contact_name"] = chosen["representative"]
    if not values["contact_phone"] and chosen:
        values["contact_phone"] = chosen["contact_phone"]
    return values


def change_query(values: dict[str, Any]) -> str:
    """The query string that opens the form again with these values."""
    pairs = [(name, values[name]) for name in TEXT_FIELDS if values.get(name)]
    pairs += [("slots", code) for code in values.get("slots", [])]
    pairs += [("equipment", code) for code in values.get("equipment", [])]
    pairs += [(name, "on") for name in ("public", "commercial") if values.get(name)]
    return urlencode(pairs)


def plain_cancel(data: Mapping[str, Any]) -> dict[str, str]:
    """The cancellation form: one date (booking) or every date from a day on (from), and the reason."""
    return {name: forms.text(data, name, 500) for name in ("booking", "from", "reason")}


def booking_id_of(values: dict[str, str]) -> int | None:
    """The one booking the cancellation names, if it names one."""
    raw = values.get("booking", "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None
