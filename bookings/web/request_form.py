"""The booking request form's page as members and staff see it: what the template needs (rooms,
the day's slot cells, the fee, access warnings) and the fee for what the form holds so far."""

from __future__ import annotations

from typing import Any

from litestar import Request

from bookings import service
from bookings.availability import grid
from bookings.fees import FeeQuote, line_text
from bookings.web.common import page_helpers, parse_day
from bookings.web.forms import chosen_group, offered, parse_request
from center.lib.errors import DomainError
from center.places import warnings
from center.places.equipment import equipment_label
from center.places.rooms import list_rooms


async def form_context(
    request: Request,
    values: dict[str, Any],
    errors: dict[str, str],
    *,
    groups: list[dict],
    room: dict | None,
    fee: FeeQuote | None = None,
    alternatives: list | None = None,
    conflict: bool = False,
    staff: bool = False,
) -> dict:
    """The request form's template context (members' form and the staff's booking form)."""
    day = parse_day(str(values.get("day") or ""))
    slot_cells = []
    if room is not None and day is not None and room["booked_by"] == "slot":
        day_grid = await grid(day, day, rooms=[room], online=not staff)
        slot_cells = [
            cell for (room_id, _day, _code), cell in day_grid.cells.items() if cell.state != "not_offered"
        ]
    return {
        "values": values,
        "errors": errors,
        "groups": groups,
        "rooms": await list_rooms(on=day),
        "room": room,
        "day": day,
        "slot_cells": slot_cells,
        "fee": fee,
        "fee_lines": [(line_text(line), line.amount) for line in fee.lines] if fee else [],
        "alternatives": alternatives or [],
        "access_warnings": (
            (await warnings.for_rooms([room["id"]], day)).get(room["id"], []) if room else []
        ),
        "conflict": conflict,
        "staff": staff,
        "equipment_label": equipment_label,
        **page_helpers(),
    }


async def try_quote(values: dict[str, Any], room: dict, groups: list[dict]) -> FeeQuote | None:
    """The fee for what the form holds so far, or None when it cannot be priced yet."""
    group = chosen_group(values, groups)
    if group is None:
        return None
    try:
        # The fee depends on the room, day, slots, equipment and group only: fill the other fields
        # for pricing. Equipment of a room chosen before is dropped, as the refreshed form drops it.
        booking_request = parse_request(
            {
                **values,
                "expected_head_count": "1",
                "purpose": "-",
                "public_title": "",
                "equipment": offered(values.get("equipment", []), room),
            },
            room,
        )
        booking_request.public = False
        _, fee = await service.preview(booking_request, group["id"])
    except DomainError:
        return None
    return fee
