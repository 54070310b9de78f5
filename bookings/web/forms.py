"""Reading a booking request from a submitted form or a link. Malformed values (dates, numbers, times)
are refused here with per-field messages before any rule runs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bookings.rules import MAX_CONTACT, MAX_PHONE, MAX_PURPOSE, MAX_TITLE, BookingRequest
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_
from center.places import forms
from center.places.equipment import chosen_codes, known_codes

# The time (rooms booked by the hour) and the details every request form asks, in page order:
# the single request, the recurring series and the confirmation page carry the same ones.
DETAIL_FIELDS = (
    "start",
    "end",
    "purpose",
    "expected_head_count",
    "public_title",
    "contact_name",
    "contact_phone",
)
FIELD_ORDER = ("group", "room", "day", "slots", *DETAIL_FIELDS, "equipment", "override_reason", "reason")


def ordered(errors: dict[str, str]) -> dict[str, str]:
    """Errors in the order the fields appear on the form (the error summary follows the page)."""
    return forms.in_order(errors, FIELD_ORDER)


def parse_head_count(
    data: Mapping[str, Any], errors: forms.FieldErrors, name: str = "expected_head_count"
) -> int | None:
    """How many people will attend, 1 to 9999 (every request and application form asks it)."""
    return forms.whole(
        data, name, errors, N_("Enter how many people will attend (1 or more)."), low=1, high=9999
    )


def _too_long(data: Mapping[str, Any], name: str, limit: int, errors: forms.FieldErrors, msgid: str) -> str:
    value = forms.text(data, name)
    if len(value) > limit:
        errors.add(name, msgid)
    return value[:limit]


def parse_request(data: Mapping[str, Any], room: dict | None) -> BookingRequest:
    """A BookingRequest from form data; raises ValidationFailed for malformed values."""
    errors = forms.FieldErrors()
    if room is None:
        errors.add("room", N_("Choose a room."))
    day = forms.day(data, "day", errors, N_("Enter a date like 2026-12-01."))
    start = end = None
    if room is not None and room["booked_by"] == "hour":
        start = forms.clock(data, "start", errors, N_("Enter a time like 13:00."))
        end = forms.clock(data, "end", errors, N_("Enter a time like 13:00."))
    head_count = parse_head_count(data, errors)
    equipment = chosen_codes(data, errors)
    purpose = _too_long(data, "purpose", MAX_PURPOSE, errors, N_("Use at most 200 characters."))
    title = _too_long(data, "public_title", MAX_TITLE, errors, N_("Use at most 200 characters."))
    contact_name = _too_long(data, "contact_name", MAX_CONTACT, errors, N_("Use at most 120 characters."))
    contact_phone = _too_long(data, "contact_phone", MAX_PHONE, errors, N_("Use at most 40 characters."))
    if errors:
        raise ValidationFailed(ordered(dict(errors)))
    assert room is not None and day is not None
    return BookingRequest(
        room_id=room["id"],
        day=day,
        slot_codes=[code for code in forms.values(data, "slots") if code][:10],
        start=start,
        end=end,
        purpose=purpose,
        expected_head_count=head_count or 0,
        public=forms.checked(data, "public"),
        public_title=title,
        contact_name=contact_name,
        contact_phone=contact_phone,
        equipment=equipment,
        commercial=forms.checked(data, "commercial"),
    )


def parse_group_request(
    data: Mapping[str, Any], group: dict | None, room: dict | None
) -> tuple[dict, BookingRequest]:
    """The group chosen on a request form and its request; raises ValidationFailed when no group
    is chosen or a value is malformed."""
    if group is None:
        raise ValidationFailed({"group": N_("Choose a group.")})
    return group, parse_request(data, room)


def form_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """What the request form holds, as typed (to show again with errors)."""
    values = {
        name: forms.text(data, name) for name in ("group", "room", "day", *DETAIL_FIELDS, "override_reason")
    }
    values["slots"] = forms.values(data, "slots")
    values["equipment"] = forms.values(data, "equipment")
    values["public"] = forms.checked(data, "public")
    values["commercial"] = forms.checked(data, "commercial")
    return values


def values_from_query(params: Any, groups: list[dict]) -> dict[str, Any]:
    """A new request form's values from its link (the availability grid's room, day, slot, head
    count and equipment) and the first group's contact."""
    group = groups[0] if groups else None
    return {
        "group": params.get("group") or (str(group["id"]) if group else ""),
        "room": params.get("room", ""),
        "day": params.get("day", ""),
        "slots": forms.values(params, "slots"),
        "start": params.get("start", ""),
        "end": params.get("end", ""),
        "purpose": "",
        # From the availability grid's filters (head count, equipment), so they need no retyping.
        "expected_head_count": params.get("expected_head_count", ""),
        "contact_name": group["representative"] if group else "",
        "contact_phone": group["contact_phone"] if group else "",
        "equipment": equipment_from_query(params),
    }


def equipment_from_query(params: Any) -> list[str]:
    """Equipment pre-ticked from a link (the availability grid or search carry their filter):
    known codes only; codes the room lacks are simply not offered on the form."""
    return known_codes(forms.values(params, "equipment"))


def offered(codes: list[str], room: dict | None) -> list[str]:
    """The codes among `codes` that the room has (a link may carry equipment of another room)."""
    return [code for code in codes if room and code in room["equipment"]]


def chosen_group(values: Mapping[str, Any], groups: list[dict]) -> dict | None:
    """The group picked on the form, if it is one of `groups`."""
    return next((group for group in groups if str(group["id"]) == str(values.get("group"))), None)
