"""Writing a checked center file (center_file.CenterConfig) into the database, inside the caller's
transaction. It adds what is missing and keeps what exists (the profile, a weekday's hours, a slot
or location with the same code, the same closed day, terms already published), so the demo can add
itself beside existing calendar data; `center init` refuses a database that has a center at all."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path

from bookings.payment_settings import load_settings as load_payment_settings
from bookings.rules import load_policy
from bookings.tables import BookingPolicy, BookingTerms, PaymentSettings
from center.accounts import audit
from center.lib.db import write_transaction
from center.lib.errors import Conflict
from center.lib.i18n import N_
from center.places.tables import (
    CenterProfile,
    ClosedDay,
    OpeningHours,
    Room,
    RoomEquipmentFee,
    RoomSlotFee,
    Slot,
)
from center.shell.setup.center_file import CenterConfig
from maintenance.tables import Location


class CenterExists(Conflict):
    """`center init` on a database that already describes a center."""

    message = N_(
        "The database already has a center (rooms, slots or the center's profile); nothing was changed. "
        "Change it on the management pages, or start from an empty database."
    )


@dataclass
class WrittenCenter:
    """What the rest of a load refers to: ids by code and each slot's times."""

    room_ids: dict[str, int] = field(default_factory=dict)
    slot_ids: dict[str, int] = field(default_factory=dict)
    slot_times: dict[str, tuple[time, time]] = field(default_factory=dict)


async def has_center() -> bool:
    return await Room.exists() or await Slot.exists() or await CenterProfile.exists()


async def init_center(config: CenterConfig, source: Path) -> WrittenCenter:
    """`center init`: the whole file in one transaction, refused (CenterExists) when the database
    already has a center."""
    async with write_transaction():
        if await has_center():
            raise CenterExists()
        written = await write_center(config)
        await audit.record(
            "init",
            "center",
            note=f"center file {source.name}: {len(written.room_ids)} rooms, {len(written.slot_ids)} slots",
        )
    return written


async def write_center(
    config: CenterConfig,
    *,
    now: datetime | None = None,
    terms_published_at: datetime | None = None,
    published_by: int | None = None,
) -> WrittenCenter:
    """Write the center's description, adding only what is missing."""
    now = now or datetime.now(UTC)
    written = WrittenCenter()
    async with write_transaction():
        if not await CenterProfile.exists():
            await CenterProfile.insert(CenterProfile(**config.profile, updated_at=now))
        await _hours(config)
        await _slots(config, written)
        await _closed_days(config)
        await _rooms(config, written, now)
        await _locations(config, written)
        if config.policy:
            row = await load_policy()
            values = {getattr(BookingPolicy, name): value for name, value in config.policy.items()}
            await BookingPolicy.update({**values, BookingPolicy.updated_at: now}).where(
                BookingPolicy.id == row["id"]
            )
        if config.permit is not None:
            row = await load_payment_settings()
            values = {getattr(PaymentSettings, name): value for name, value in config.permit.items()}
            await PaymentSettings.update({**values, PaymentSettings.updated_at: now}).where(
                PaymentSettings.id == row["id"]
            )
        if config.terms and not await BookingTerms.exists():
            await BookingTerms.insert(
                BookingTerms(
                    version=1,
                    body_ja=config.terms["body_ja"],
                    body_en=config.terms["body_en"],
                    published_at=terms_published_at or now,
                    published_by=published_by,
                )
            )
    return written


async def _hours(config: CenterConfig) -> None:
    known = {row["weekday"] for row in await OpeningHours.select(OpeningHours.weekday)}
    for weekday, day in sorted(config.hours.items()):
        if weekday not in known:
            await OpeningHours.insert(OpeningHours(weekday=weekday, **day))


async def _slots(config: CenterConfig, written: WrittenCenter) -> None:
    for order, slot in enumerate(config.slots):
        row = await Slot.select(Slot.id, Slot.starts, Slot.ends).where(Slot.code == slot["code"]).first()
        if row is None:
            rows = await Slot.insert(Slot(**slot, sort_order=order)).returning(Slot.id)
            row = {"id": rows[0]["id"], "starts": slot["starts"], "ends": slot["ends"]}
        written.slot_ids[slot["code"]] = row["id"]
        written.slot_times[slot["code"]] = (row["starts"], row["ends"])


async def _closed_days(config: CenterConfig) -> None:
    for day in config.closed_days:
        same = (
            (ClosedDay.starts_on == day["starts_on"])
            & (ClosedDay.ends_on == day["ends_on"])
            & (ClosedDay.reason_ja == day["reason_ja"])
        )
        if not await ClosedDay.exists().where(same):
            await ClosedDay.insert(ClosedDay(**day))


async def _rooms(config: CenterConfig, written: WrittenCenter, now: datetime) -> None:
    existing = {row["code"]: row["id"] for row in await Room.select(Room.id, Room.code)}
    for order, room in enumerate(config.rooms):
        if room["code"] in existing:
            written.room_ids[room["code"]] = existing[room["code"]]
            continue
        columns = {key: value for key, value in room.items() if key not in ("fees", "equipment_fees")}
        rows = await Room.insert(Room(**columns, sort_order=order, updated_at=now)).returning(Room.id)
        room_id = rows[0]["id"]
        written.room_ids[room["code"]] = room_id
        for code, (fee, heating) in room["fees"].items():
            await RoomSlotFee.insert(
                RoomSlotFee(room=room_id, slot=written.slot_ids[code], fee=fee, heating_fee=heating)
            )
        for code, fee in room["equipment_fees"].items():
            await RoomEquipmentFee.insert(RoomEquipmentFee(room=room_id, equipment=code, fee=fee))


async def _locations(config: CenterConfig, written: WrittenCenter) -> None:
    """The file's common areas, then one location "room-<code>" per room, for maintenance."""
    existing = {row["code"] for row in await Location.select(Location.code)}
    rows = [Location(**place, sort_order=order) for order, place in enumerate(config.locations)]
    offset = len(rows)
    for order, room in enumerate(config.rooms):
        rows.append(
            Location(
                code=f"room-{room['code']}",
                name_ja=room["name_ja"],
                name_en=room["name_en"],
                floor=room["floor"],
                room=written.room_ids[room["code"]],
                sort_order=offset + order,
            )
        )
    fresh = [row for row in rows if row.code not in existing]
    if fresh:
        await Location.insert(*fresh)
