"""How rooms and calendar facts read on pages, in the current language."""

from __future__ import annotations

from typing import Any

from center.lib import dates
from center.lib.i18n import gettext
from center.places import calendar as cal
from center.places.equipment import equipment_label
from center.places.equipment_fees import fee_list


def floor_label(floor: int) -> str:
    """3階 / Floor 3; 地下1階 / Basement 1."""
    if floor < 0:
        return gettext("Basement %(floor)s", floor=-floor)
    return gettext("Floor %(floor)s", floor=floor)


def heating_note(profile: dict | None) -> str:
    """When the heating fee (暖房料) applies, in words."""
    first, last = (profile["heating_from_month"], profile["heating_to_month"]) if profile else (10, 4)
    return gettext(
        "The heating fee is added from %(first)s to %(last)s.",
        first=cal.month_name(first),
        last=cal.month_name(last),
    )


def display_helpers() -> dict[str, Any]:
    """Functions the room and calendar templates use."""
    return {
        "floor_label": floor_label,
        "equipment_label": equipment_label,
        "equipment_fee_list": lambda room: fee_list(room) if "equipment_fees" in room else [],
        "closed_reason_text": cal.closed_reason_text,
        "month_name": cal.month_name,
        "hhmm": lambda value: dates.format_time(value) if value else "",
    }
