"""Rows the rooms and calendar tests build for themselves (no demo data in tests). Helpers only:
this module holds no tests."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, time

from PIL import Image

from center.accounts.tables import AuditEntry
from center.places.tables import CenterProfile, ClosedDay, OpeningHours, Room, RoomSlotFee, Slot


async def make_slot(
    code: str,
    name_ja: str,
    starts: time,
    ends: time,
    *,
    name_en: str = "",
    order: int = 0,
    active: bool = True,
) -> int:
    rows = await Slot.insert(
        Slot(
            code=code,
            name_ja=name_ja,
            name_en=name_en or code.title(),
            starts=starts,
            ends=ends,
            sort_order=order,
            active=active,
        )
    ).returning(Slot.id)
    return rows[0]["id"]


async def make_standard_slots() -> dict[str, int]:
    """午前 9–12, 午後 13–17, 夜間 18–21."""
    return {
        "morning": await make_slot("morning", "午前", time(9), time(12), name_en="Morning", order=1),
        "afternoon": await make_slot("afternoon", "午後", time(13), time(17), name_en="Afternoon", order=2),
        "evening": await make_slot("evening", "夜間", time(18), time(21), name_en="Evening", order=3),
    }


async def make_room(
    code: str = "meeting-1",
    name_ja: str = "第1会議室",
    *,
    fees: dict[int, tuple[int, int]] | None = None,
    equipment: list[str] | None = None,
    **fields,
) -> int:
    values = {
        "name_en": "Meeting Room 1",
        "floor": 3,
        "capacity": 30,
        "step_free": True,
        "bookable": True,
        "booked_by": "slot",
        **fields,
    }
    rows = await Room.insert(
        Room(
            code=code,
            name_ja=name_ja,
            equipment=json.dumps(equipment or []),
            updated_at=datetime.now(UTC),
            **values,
        )
    ).returning(Room.id)
    room_id = rows[0]["id"]
    for slot_id, (fee, heating) in (fees or {}).items():
        await RoomSlotFee.insert(RoomSlotFee(room=room_id, slot=slot_id, fee=fee, heating_fee=heating))
    return room_id


async def open_every_day(opens: time = time(9), closes: time = time(21)) -> None:
    for weekday in range(7):
        await OpeningHours.insert(OpeningHours(weekday=weekday, opens=opens, closes=closes, closed=False))


async def make_profile(**fields) -> None:
    values = {"name_ja": "苫小牧市市民活動センター", "name_en": "Tomakomai Civic Activity Center", **fields}
    await CenterProfile.insert(CenterProfile(updated_at=datetime.now(UTC), **values))


async def make_closed(
    starts: date, ends: date, reason_ja: str, *, yearly: bool = False, reason_en: str = ""
) -> int:
    rows = await ClosedDay.insert(
        ClosedDay(starts_on=starts, ends_on=ends, reason_ja=reason_ja, reason_en=reason_en, yearly=yearly)
    ).returning(ClosedDay.id)
    return rows[0]["id"]


async def audit_entries(entity: str) -> list[dict]:
    return await AuditEntry.select().where(AuditEntry.entity == entity).order_by(AuditEntry.id)


def image_bytes(kind: str = "PNG", size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, kind)
    return buffer.getvalue()
