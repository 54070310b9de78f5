"""Reading bookings and the groups that book, for the pages and the API: rows with their room and
group names, the booking a user may see, and the approved groups to choose from."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime
from typing import Any

from bookings.tables import Booking
from center.accounts.tables import Group
from center.lib.dates import local_day_bounds
from center.lib.errors import NotFound
from center.lib.i18n import N_
from center.lib.prepared import Prepared
from center.places.tables import Room, Slot


def _with_names() -> Any:
    """Bookings with their room's names and code and their group's name."""
    return Booking.select(
        *Booking.all_columns(),
        Booking.room.name_ja.as_alias("room_name_ja"),
        Booking.room.name_en.as_alias("room_name_en"),
        Booking.room.code.as_alias("room_code"),
        Booking.group.name.as_alias("group_name"),
    )


async def booking_rows(where: Any, *, limit: int = 200) -> list[dict]:
    """Bookings matching `where` (a Piccolo condition), by start, with room and group names."""
    return await _with_names().where(where).order_by(Booking.starts_at).limit(limit)


# One booking by id, with names; and its own row: read on every booking page (center.lib.prepared).
_NAMED_BOOKING = Prepared(lambda booking_id: _with_names().where(Booking.id == booking_id).first())
_BOOKING = Prepared(lambda booking_id: Booking.select().where(Booking.id == booking_id).first())


async def groups_bookings(group_ids: list[int], *, past_limit: int = 50) -> tuple[list[dict], list[dict]]:
    """The groups' bookings: those still to end, by start; and those ended, latest first."""
    ids = group_ids or [-1]
    now = datetime.now(UTC)
    upcoming = await booking_rows(Booking.group.is_in(ids) & (Booking.ends_at > now))
    past = list(reversed(await booking_rows(Booking.group.is_in(ids) & (Booking.ends_at <= now))))
    return upcoming, past[:past_limit]


async def booking_row(booking_id: int) -> dict:
    """One booking with its room and group names (the caller checked it exists)."""
    row = await _NAMED_BOOKING.run(booking_id=booking_id)
    if row is None:
        raise LookupError(f"booking {booking_id} does not exist")
    return row


async def find_booking_row(booking_id: int) -> dict | None:
    """One booking with its room and group names, or None."""
    return await _NAMED_BOOKING.run(booking_id=booking_id)


async def find_booking(booking_id: int) -> dict | None:
    """The booking's own row, or None."""
    return await _BOOKING.run(booking_id=booking_id)


async def visible_booking(
    booking_id: int, *, staff: bool, group_ids: Collection[int], named: bool = False
) -> dict:
    """The booking if this user may see it: staff, or a member of its group; NotFound otherwise.
    `named`: the row with its room's and group's names (find_booking_row)."""
    booking = await (find_booking_row if named else find_booking)(booking_id)
    if booking is None or not (staff or booking["group"] in group_ids):
        raise NotFound(N_("That booking does not exist."))
    return booking


async def approved_groups(*, by_kana: bool = False) -> list[dict]:
    """Every approved group (staff book for any), by name, or by reading then name."""
    query = Group.select().where(Group.status == "approved")
    if by_kana:
        return await query.order_by(Group.name_kana).order_by(Group.name)
    return await query.order_by(Group.name)


async def active_slots() -> list[dict]:
    """The time slots in use, in the day's order (the series and lottery forms offer them)."""
    return await Slot.select().where(Slot.active == True).order_by(Slot.sort_order, Slot.starts)


async def bookings_between(
    *,
    group_ids: Collection[int] | None,
    status: str | None = None,
    first: date | None = None,
    last: date | None = None,
    limit: int = 200,
) -> tuple[int, list[dict]]:
    """How many bookings match and the first `limit` by time of use: the groups' (None: every
    group's), of a status, used from day `first` through day `last` (local days)."""
    where = Booking.id > 0 if group_ids is None else Booking.group.is_in(list(group_ids) or [-1])
    if status:
        where &= Booking.status == status
    if first:
        where &= Booking.starts_at >= local_day_bounds(first)[0]
    if last:
        where &= Booking.starts_at < local_day_bounds(last)[1]
    return await Booking.count().where(where), await booking_rows(where, limit=limit)


async def room_codes(room_ids: list[int]) -> dict[int, str]:
    """The rooms' codes by id."""
    rows = await Room.select(Room.id, Room.code).where(Room.id.is_in(room_ids or [-1]))
    return {row["id"]: row["code"] for row in rows}
