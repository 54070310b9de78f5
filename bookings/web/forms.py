"""Reading a booking request from a submitted form. Malformed values (dates, numbers, times)
are refused here with per-field messages before any rule runs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bookings.rules import MAX_CONTACT, MAX_PHONE, MAX_PURPOSE, MAX_TITLE, BookingRequest
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_
from center.places import forms
from center.places.equipment import EQUIPMENT

FIELD_ORDER = (
    "group",
    "room",
    "day",
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
    "reason",
)


def ordered(errors: dict[str, str]) -> dict[str, str]:
    """Errors in the order the fields appear on the form (the error summary follows the page)."""
    rank = {name: index for index, name in enumerate(FIELD_ORDER)}
    return dict(sorted(errors.items(), key=lambda item: rank.get(item[0], len(rank))))


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
    head_count = forms.whole(
        data,
        "expected_head_count",
        errors,
        N_("Enter how many people will attend (1 or more)."),
        low=1,
        high=9999,
    )
    equipment = forms.values(data, "equipment")
    if any(code not in EQUIPMENT for code in equipment):
        errors.add("equipment", N_("Choose equipment from the list."))
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
