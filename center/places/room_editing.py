"""The manager edits a room: the form's values, its fees per slot, checks, the audit record, and
the room's photo."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from center.accounts import audit
from center.accounts.actors import Actor
from center.lib.db import write_transaction
from center.lib.errors import NotFound, ValidationFailed
from center.lib.i18n import N_
from center.places import equipment_fees as eq_fees
from center.places import forms
from center.places.equipment import chosen_codes, known_codes
from center.places.rooms import (
    BOOKED_BY,
    CODE_PATTERN,
    MSG_FEE,
    ROOM_TEXT_FIELDS,
    all_slots,
    room_by_id,
)
from center.places.tables import Room, RoomSlotFee


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
    equipment = chosen_codes(data, errors)
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


async def save_room(room_id: int | None, data: Mapping[str, Any], *, actor: Actor) -> int:
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


async def set_photo(room_id: int, filename: str | None, *, actor: Actor) -> str | None:
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
