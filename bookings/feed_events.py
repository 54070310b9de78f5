"""What the calendar feeds read from bookings: bookings and lottery entries in a window, the
booking behind each ledger hold, and the instants they last changed. Plain rows (dicts), read only;
the shell turns them into calendar events."""

from __future__ import annotations

from datetime import date, datetime

from bookings.tables import Booking, LotteryEntry
from center.lib.db import column_max


def _booking_columns() -> tuple:
    return (
        Booking.id,
        Booking.status,
        Booking.starts_at,
        Booking.ends_at,
        Booking.purpose,
        Booking.public,
        Booking.public_title,
        Booking.ical_sequence,
        Booking.created_at,
        Booking.updated_at,
        Booking.decided_at,
        Booking.permit_number,
        Booking.cancel_reason,
        Booking.lottery_entry,
        Booking.room.name_ja.as_alias("room_name_ja"),
        Booking.room.name_en.as_alias("room_name_en"),
        Booking.group.name.as_alias("group_name"),
    )


async def public_booking_rows(start: datetime, end: datetime) -> list[dict]:
    """Public bookings overlapping [start, end): approved ones, and those cancelled after approval."""
    return await Booking.select(*_booking_columns()).where(
        (Booking.public == True)
        & (Booking.starts_at < end)
        & (Booking.ends_at > start)
        & (
            (Booking.status == "approved")
            | ((Booking.status == "cancelled") & Booking.decided_at.is_not_null())
        )
    )


async def group_booking_rows(group_id: int, start: datetime, end: datetime) -> list[dict]:
    """All of a group's bookings overlapping [start, end), whatever their state."""
    return await Booking.select(*_booking_columns()).where(
        (Booking.group == group_id) & (Booking.starts_at < end) & (Booking.ends_at > start)
    )


async def bookings_changed(*, group_id: int | None = None, room_id: int | None = None) -> datetime | None:
    """The latest update time of any booking (of the group, of the room), or None."""
    where = []
    if group_id is not None:
        where.append(Booking.group == group_id)
    if room_id is not None:
        where.append(Booking.room == room_id)
    return await column_max(Booking.updated_at, *where)


async def lottery_entry_rows(group_id: int, first: date, last: date) -> list[dict]:
    """A group's lottery entries for the days first..last (inclusive)."""
    return await LotteryEntry.select(
        LotteryEntry.id,
        LotteryEntry.day,
        LotteryEntry.slot_code,
        LotteryEntry.purpose,
        LotteryEntry.status,
        LotteryEntry.booking,
        LotteryEntry.created_at,
        LotteryEntry.decided_at,
        LotteryEntry.room.name_ja.as_alias("room_name_ja"),
        LotteryEntry.room.name_en.as_alias("room_name_en"),
    ).where((LotteryEntry.group == group_id) & (LotteryEntry.day >= first) & (LotteryEntry.day <= last))


async def lottery_changed(group_id: int) -> tuple[datetime | None, datetime | None]:
    """When the group's lottery entries last changed: the latest entry made, the latest decided."""
    return (
        await column_max(LotteryEntry.created_at, LotteryEntry.group == group_id),
        await column_max(LotteryEntry.decided_at, LotteryEntry.group == group_id),
    )


async def bookings_of_holds(hold_ids: list[int]) -> dict[int, dict]:
    """The booking behind each of these ledger holds (its sequence, update time, state, group),
    by hold id; holds with no booking are absent."""
    if not hold_ids:
        return {}
    rows = await Booking.select(
        Booking.id,
        Booking.hold,
        Booking.status,
        Booking.ical_sequence,
        Booking.updated_at,
        Booking.purpose,
        Booking.group.name.as_alias("group_name"),
    ).where(Booking.hold.is_in(hold_ids))
    return {row["hold"]: row for row in rows}
