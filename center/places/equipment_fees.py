"""Equipment fees (附属設備使用料): what the manager charges for a piece of a room's equipment,
per slot booked (per hour for rooms booked by the hour). Equipment without a fee is free. The
rows live beside the slot fees (RoomSlotFee) and are edited on the same room form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from center.lib.i18n import N_
from center.places import forms
from center.places.equipment import EQUIPMENT
from center.places.tables import RoomEquipmentFee

MSG_FEE = N_("Enter a fee in yen as a whole number of 0 or more.")  # as rooms.MSG_FEE


def field_name(code: str) -> str:
    return f"equipment_fee_{code}"


async def equipment_fees(room_ids: list[int]) -> dict[int, dict[str, int]]:
    """room id -> {equipment code: fee} for the equipment that has a fee."""
    found: dict[int, dict[str, int]] = {room_id: {} for room_id in room_ids}
    if not room_ids:
        return found
    rows = await RoomEquipmentFee.select().where(RoomEquipmentFee.room.is_in(room_ids))
    for row in rows:
        if row["fee"] > 0:
            found.setdefault(row["room"], {})[row["equipment"]] = row["fee"]
    return found


def fee_list(room: dict) -> list[tuple[str, int]]:
    """(code, fee) of the room's equipment that has a fee, in vocabulary order."""
    fees = room.get("equipment_fees") or {}
    return [(code, fees[code]) for code in EQUIPMENT if code in fees and code in room["equipment"]]


def form_values(fees: dict[str, int]) -> dict[str, str]:
    """The room form's fee fields: every known code, 0 when free."""
    return {field_name(code): str(fees.get(code, 0)) for code in EQUIPMENT}


def parse_fees(data: Mapping[str, Any], equipment: list[str], errors: forms.FieldErrors) -> dict[str, int]:
    """{code: fee} from the room form for the equipment the room has; fees of 0 are dropped."""
    fees: dict[str, int] = {}
    for code in EQUIPMENT:
        fee = forms.whole(
            data, field_name(code), errors, MSG_FEE, low=0, high=9_999_999, required=False, default=0
        )
        if fee and code in equipment:
            fees[code] = fee
    return fees


async def save_fees(room_id: int, fees: dict[str, int]) -> None:
    """Replace the room's equipment fees (inside the caller's transaction)."""
    await RoomEquipmentFee.delete().where(RoomEquipmentFee.room == room_id)
    if fees:
        await RoomEquipmentFee.insert(
            *(RoomEquipmentFee(room=room_id, equipment=code, fee=fee) for code, fee in fees.items())
        )


async def fees_for(room_id: int, codes: list[str]) -> list[tuple[str, int]]:
    """(code, fee per slot) for the chosen equipment of a room, in vocabulary order; free
    equipment is left out."""
    if not codes:
        return []
    fees = (await equipment_fees([room_id]))[room_id]
    return [(code, fees[code]) for code in EQUIPMENT if code in codes and code in fees]
