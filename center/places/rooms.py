"""Rooms: reading them with their slot fees for the public pages and the API, filtering, and the
manager's edits (every field, the fee per slot and the photo), each in one audited transaction."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from center.lib.i18n import N_
from center.lib.prepared import Prepared
from center.lib.versions import reference_cached
from center.places import access, forms
from center.places import equipment_fees as eq_fees
from center.places.equipment import chosen_codes, known_codes
from center.places.tables import Room, RoomSlotFee, Slot

BOOKED_BY = ("slot", "hour")
CODE_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")

ROOM_TEXT_FIELDS = {
    "name_ja": 120,
    "name_en": 120,
    "description_ja": 4000,
    "description_en": 4000,
    "accessibility_notes_ja": 2000,
    "accessibility_notes_en": 2000,
}

MSG_FEE = N_("Enter a fee in yen as a whole number of 0 or more.")


# --- reading ---------------------------------------------------------------------------------


def _decode(room: dict) -> dict:
    equipment = room.get("equipment")
    if isinstance(equipment, str):
        try:
            equipment = json.loads(equipment or "[]")
        except ValueError:
            equipment = []
    room["equipment"] = [code for code in equipment or [] if isinstance(code, str)]
    return room


async def slot_fees(room_ids: list[int], *, active_only: bool = True) -> dict[int, list[dict]]:
    """room id -> its slots with fees, in slot order: code, name_ja, name_en, starts, ends, fee,
    heating_fee, slot (id), active."""
    if not room_ids:
        return {}
    query = RoomSlotFee.select(
        RoomSlotFee.room,
        RoomSlotFee.slot,
        RoomSlotFee.fee,
        RoomSlotFee.heating_fee,
        RoomSlotFee.slot.code.as_alias("code"),
        RoomSlotFee.slot.name_ja.as_alias("name_ja"),
        RoomSlotFee.slot.name_en.as_alias("name_en"),
        RoomSlotFee.slot.starts.as_alias("starts"),
        RoomSlotFee.slot.ends.as_alias("ends"),
        RoomSlotFee.slot.active.as_alias("active"),
        RoomSlotFee.slot.sort_order.as_alias("sort_order"),
    ).where(RoomSlotFee.room.is_in(room_ids))
    if active_only:
        query = query.where(RoomSlotFee.slot.active == True)
    rows = await query
    rows.sort(key=lambda row: (row["sort_order"], row["starts"]))
    found: dict[int, list[dict]] = {room_id: [] for room_id in room_ids}
    for row in rows:
        found[row["room"]].append(row)
    return found


@dataclass
class RoomFilters:
    """What a visitor narrows the room list by."""

    floor: int | None = None
    min_capacity: int | None = None
    equipment: list[str] = field(default_factory=list)
    step_free: bool = False

    @property
    def active(self) -> bool:
        return bool(self.floor is not None or self.min_capacity or self.equipment or self.step_free)


def parse_filters(params: Mapping[str, Any]) -> tuple[RoomFilters, forms.FieldErrors]:
    """Filters from a query string; bad values are reported per field and ignored."""
    errors = forms.FieldErrors()
    floor = forms.whole(
        params, "floor", errors, N_("Choose a floor from the list."), low=-9, high=99, required=False
    )
    capacity = forms.whole(
        params,
        "capacity",
        errors,
        N_("Enter the number of people as a whole number from 1 to 9999."),
        low=1,
        high=9999,
        required=False,
    )
    equipment = chosen_codes(params, errors)
    return (
        RoomFilters(floor, capacity, known_codes(equipment), forms.checked(params, "step_free")),
        errors,
    )


async def list_rooms(
    filters: RoomFilters | None = None, *, bookable_only: bool = True, on: date | None = None
) -> list[dict]:
    """Rooms in display order with their decoded equipment, active slot fees ("fees") and their
    step-free access today or on a day (center.places.access: "access", "access_warnings"). The
    rooms and fees are kept per process until they change (center.lib.versions); access, which
    follows closures and outages, is read each time."""
    rooms = await reference_cached(f"rooms:{bookable_only}", lambda: _room_rows(bookable_only))
    if filters:
        if filters.floor is not None:
            rooms = [room for room in rooms if room["floor"] == filters.floor]
        if filters.min_capacity:
            rooms = [room for room in rooms if room["capacity"] >= filters.min_capacity]
        if filters.step_free:
            rooms = [room for room in rooms if room["step_free"]]  # by design; today's outages below
    rooms = await access.annotate(rooms, on)
    if filters and filters.equipment:
        # Rooms are a few dozen at most; the JSON list is matched here on either engine.
        rooms = [room for room in rooms if set(filters.equipment) <= set(room["equipment"])]
    if filters and filters.step_free:
        rooms = [room for room in rooms if room["access"].now]
    return rooms


async def _room_rows(bookable_only: bool) -> list[dict]:
    query = Room.select().output(load_json=True).order_by(Room.sort_order, Room.floor, Room.code)
    if bookable_only:
        query = query.where(Room.bookable == True)
    rooms = [_decode(room) for room in await query]
    fees = await slot_fees([room["id"] for room in rooms])
    extras = await eq_fees.equipment_fees([room["id"] for room in rooms])
    for room in rooms:
        room["fees"], room["equipment_fees"] = fees[room["id"]], extras[room["id"]]
    return rooms


async def floors() -> list[int]:
    """Floors that have a bookable room, lowest first."""
    return sorted({room["floor"] for room in await reference_cached("rooms:True", lambda: _room_rows(True))})


_ROOM_BY_CODE = Prepared(lambda code: Room.select().output(load_json=True).where(Room.code == code).first())


async def room_row(code: str) -> dict | None:
    """The room's own row, decoded, without its fees, equipment prices or access (one query): for
    reading a request, whose rules fetch what they need themselves."""
    room = await _ROOM_BY_CODE.run(code=code)
    return _decode(room) if room else None


async def room_by_code(code: str) -> dict | None:
    room = await _ROOM_BY_CODE.run(code=code)
    if room is None:
        return None
    room = _decode(room)
    room["fees"] = (await slot_fees([room["id"]]))[room["id"]]
    await access.annotate([room])
    room["equipment_fees"] = (await eq_fees.equipment_fees([room["id"]]))[room["id"]]
    return room


async def room_by_id(room_id: int) -> dict | None:
    room = await Room.select().output(load_json=True).where(Room.id == room_id).first()
    if room is None:
        return None
    room = _decode(room)
    room["fees"] = (await slot_fees([room["id"]], active_only=False))[room["id"]]
    await access.annotate([room])
    room["equipment_fees"] = (await eq_fees.equipment_fees([room["id"]]))[room["id"]]
    return room


async def all_slots() -> list[dict]:
    """Every slot, active first, in day order (for the room form's fee rows)."""
    rows = await Slot.select().order_by(Slot.sort_order, Slot.starts)
    return sorted(rows, key=lambda row: not row["active"])


# --- the manager's form ----------------------------------------------------------------------
