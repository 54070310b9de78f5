"""Rooms: reading them with their slot fees for the public pages and the API, filtering, and the
manager's edits (every field, the fee per slot and the photo), each in one audited transaction."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from center.accounts import audit
from center.db import write_transaction
from center.errors import NotFound, ValidationFailed
from center.i18n import N_
from center.lib.versions import reference_cached
from center.places import access, forms
from center.places import equipment_fees as eq_fees
from center.places.equipment import EQUIPMENT, known_codes
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
    equipment = forms.values(params, "equipment")
    if any(code not in EQUIPMENT for code in equipment):
        errors.add("equipment", N_("Choose equipment from the list."))
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


async def room_row(code: str) -> dict | None:
    """The room's own row, decoded, without its fees, equipment prices or access (one query): for
    reading a request, whose rules fetch what they need themselves."""
    room = await Room.select().output(load_json=True).where(Room.code == code).first()
    return _decode(room) if room else None


async def room_by_code(code: str) -> dict | None:
    room = await Room.select().output(load_json=True).where(Room.code == code).first()
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


def form_values(room: dict | None, slots: list[dict]) -> dict[str, Any]:
    """The room form's field values (strings, as a browser would send them back)."""
    if room is None:
        values: dict[str, Any] = {
            "booked_by": "slot",
            "bookable": "on",
            "step_free": "on",
            "hourly_fee": "0",
            "hourly_heating_fee": "0",
            "sort_order": "0",
            "equipment": [],
            **eq_fees.form_values({}),
        }
        for slot in slots:
            if slot["active"]:
                values[f"slot_{slot['id']}_offered"] = "on"
                values[f"slot_{slot['id']}_fee"] = "0"
                values[f"slot_{slot['id']}_heating_fee"] = "0"
        return values
    values = {name: room[name] or "" for name in ROOM_TEXT_FIELDS}
    values.update(
        code=room["code"],
        floor=str(room["floor"]),
        capacity=str(room["capacity"]),
        area_m2="" if room["area_m2"] is None else str(room["area_m2"]),
        accessible_toilet_m="" if room["accessible_toilet_m"] is None else str(room["accessible_toilet_m"]),
        equipment=list(room["equipment"]),
        booked_by=room["booked_by"],
        hourly_fee=str(room["hourly_fee"]),
        hourly_heating_fee=str(room["hourly_heating_fee"]),
        sort_order=str(room["sort_order"]),
        **eq_fees.form_values(room["equipment_fees"]),
    )
    for flag in ("step_free", "hearing_loop", "bookable"):
        values[flag] = "on" if room[flag] else ""
    for fee in room["fees"]:
        values[f"slot_{fee['slot']}_offered"] = "on"
        values[f"slot_{fee['slot']}_fee"] = str(fee["fee"])
        values[f"slot_{fee['slot']}_heating_fee"] = str(fee["heating_fee"])
    return values


def _parse_room(data: Mapping[str, Any], slots: list[dict]) -> tuple[dict, dict[int, tuple[int, int]]]:
    """The room's columns and {slot id: (fee, heating fee)} from the form, or ValidationFailed."""
    errors = forms.FieldErrors()
    code = forms.text(data, "code").lower()
    if not CODE_PATTERN.fullmatch(code):
        errors.add("code", N_("Use 1 to 40 lower-case letters, digits, hyphens or underscores."))
    columns: dict[str, Any] = {
        name: forms.text(data, name, limit) for name, limit in ROOM_TEXT_FIELDS.items()
    }
    if not columns["name_ja"]:
        errors.add("name_ja", N_("Enter the room's name in Japanese."))
    columns["code"] = code
    columns["floor"] = forms.whole(
        data,
        "floor",
        errors,
        N_("Enter the floor as a whole number (-1 for the first basement)."),
        low=-9,
        high=99,
    )
    columns["capacity"] = forms.whole(
        data,
        "capacity",
        errors,
        N_("Enter the capacity as a whole number from 1 to 9999."),
        low=1,
        high=9999,
    )
    columns["area_m2"] = forms.decimal(
        data,
        "area_m2",
        errors,
        N_("Enter the area in square metres, e.g. 48.5, or leave it empty."),
        high=Decimal("99999.9"),
    )
    columns["accessible_toilet_m"] = forms.whole(
        data,
        "accessible_toilet_m",
        errors,
        N_("Enter the distance in metres as a whole number, or leave it empty."),
        low=0,
        high=9999,
        required=False,
    )
    equipment = forms.values(data, "equipment")
    if any(code not in EQUIPMENT for code in equipment):
        errors.add("equipment", N_("Choose equipment from the list."))
    columns["equipment"] = known_codes(equipment)
    columns["equipment_fees"] = eq_fees.parse_fees(data, columns["equipment"], errors)
    for flag in ("step_free", "hearing_loop", "bookable"):
        columns[flag] = forms.checked(data, flag)
    booked_by = forms.text(data, "booked_by")
    if booked_by not in BOOKED_BY:
        errors.add("booked_by", N_("Choose how the room is booked."))
    columns["booked_by"] = booked_by
    columns["hourly_fee"] = forms.whole(
        data, "hourly_fee", errors, MSG_FEE, low=0, high=9_999_999, required=False, default=0
    )
    columns["hourly_heating_fee"] = forms.whole(
        data, "hourly_heating_fee", errors, MSG_FEE, low=0, high=9_999_999, required=False, default=0
    )
    columns["sort_order"] = forms.whole(
        data,
        "sort_order",
        errors,
        N_("Enter a whole number."),
        low=-9999,
        high=9999,
        required=False,
        default=0,
    )
    fees: dict[int, tuple[int, int]] = {}
    for slot in slots:
        prefix = f"slot_{slot['id']}"
        if not forms.checked(data, f"{prefix}_offered"):
            continue
        fee = forms.whole(data, f"{prefix}_fee", errors, MSG_FEE, low=0, high=9_999_999, default=0)
        heating = forms.whole(
            data, f"{prefix}_heating_fee", errors, MSG_FEE, low=0, high=9_999_999, required=False, default=0
        )
        fees[slot["id"]] = (fee or 0, heating or 0)
    if (
        booked_by == "slot"
        and columns["bookable"]
        and not any(slot["active"] and slot["id"] in fees for slot in slots)
    ):
        errors.add("slots", N_("A room booked by slot needs at least one active slot with a fee."))
    if errors:
        raise ValidationFailed(dict(errors))
    return columns, fees


def _snapshot(room: dict | None, fees: list[dict] | dict[int, tuple[int, int]]) -> dict | None:
    """The record as the audit log keeps it: the room's columns plus its fee per slot."""
    if room is None:
        return None
    data = {k: v for k, v in room.items() if k not in {"fees", "updated_at"}}
    if isinstance(fees, dict):
        data["fees"] = {str(slot): {"fee": f, "heating_fee": h} for slot, (f, h) in sorted(fees.items())}
    else:
        data["fees"] = {
            str(row["slot"]): {"fee": row["fee"], "heating_fee": row["heating_fee"]} for row in fees
        }
    return data


async def save_room(room_id: int | None, data: Mapping[str, Any], *, actor: Any) -> int:
    """Create (room_id None) or update a room with its slot fees from the manager's form. One
    transaction, audited with before and after; raises ValidationFailed and changes nothing on
    bad input."""
    async with write_transaction():
        slots = await all_slots()
        columns, fees = _parse_room(data, slots)
        extras = columns.pop("equipment_fees")
        before = None
        if room_id is not None:
            before = await room_by_id(room_id)
            if before is None:
                raise NotFound(N_("That room does not exist."))
        clash = Room.exists().where(Room.code == columns["code"])
        if room_id is not None:
            clash = clash.where(Room.id != room_id)
        if await clash:
            raise ValidationFailed({"code": N_("Another room already uses this code.")})
        stored = {**columns, "equipment": json.dumps(columns["equipment"]), "updated_at": datetime.now(UTC)}
        if room_id is None:
            rows = await Room.insert(Room(**stored)).returning(Room.id)
            room_id = rows[0]["id"]
        else:
            await Room.update({getattr(Room, name): value for name, value in stored.items()}).where(
                Room.id == room_id
            )
        existing = {row["slot"]: row for row in await RoomSlotFee.select().where(RoomSlotFee.room == room_id)}
        for slot_id, (fee, heating) in fees.items():
            if slot_id in existing:
                await RoomSlotFee.update({RoomSlotFee.fee: fee, RoomSlotFee.heating_fee: heating}).where(
                    RoomSlotFee.id == existing[slot_id]["id"]
                )
            else:
                await RoomSlotFee.insert(
                    RoomSlotFee(room=room_id, slot=slot_id, fee=fee, heating_fee=heating)
                )
        dropped = [row["id"] for slot_id, row in existing.items() if slot_id not in fees]
        if dropped:
            await RoomSlotFee.delete().where(RoomSlotFee.id.is_in(dropped))
        await eq_fees.save_fees(room_id, extras)
        after = {**columns, "id": room_id, "photo": before["photo"] if before else None}
        after["equipment_fees"] = extras
        await audit.record(
            "update" if before else "create",
            "room",
            room_id,
            actor=actor,
            before=_snapshot(before, before["fees"]) if before else None,
            after=_snapshot(after, fees),
        )
    return room_id


async def set_photo(room_id: int, filename: str | None, *, actor: Any) -> str | None:
    """Point the room at a new photo file (or none); returns the previous file name so the
    caller can remove it once this has committed."""
    async with write_transaction():
        room = await Room.select(Room.id, Room.photo).where(Room.id == room_id).first()
        if room is None:
            raise NotFound(N_("That room does not exist."))
        await Room.update({Room.photo: filename, Room.updated_at: datetime.now(UTC)}).where(
            Room.id == room_id
        )
        await audit.record(
            "set_photo" if filename else "remove_photo",
            "room",
            room_id,
            actor=actor,
            before={"photo": room["photo"]},
            after={"photo": filename},
        )
    return room["photo"]
