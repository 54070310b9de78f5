"""What the bookings domain shows the public: approved public events by day or date range."""

from __future__ import annotations

from datetime import date

from bookings.tables import Booking
from center.lib.dates import local_day_bounds


async def public_events_on(day: date) -> list[dict]:
    """Approved public bookings on a Tokyo day, in time order, with room names."""
    return await public_events_between(day, day)


async def public_events_between(start: date, end: date) -> list[dict]:
    """Approved public bookings touching the Tokyo days [start, end] (inclusive), in time order,
    with room names. Used by the home page and the public month calendar."""
    range_start, _ = local_day_bounds(start)
    _, range_end = local_day_bounds(end)
    return await (
        Booking.select(
            Booking.id,
            Booking.public_title,
            Booking.purpose,
            Booking.starts_at,
            Booking.ends_at,
            Booking.room.name_ja.as_alias("room_name_ja"),
            Booking.room.name_en.as_alias("room_name_en"),
            Booking.group.name.as_alias("group_name"),
        )
        .where(
            (Booking.status == "approved")
            & (Booking.public == True)
            & (Booking.starts_at < range_end)
            & (Booking.ends_at > range_start)
        )
        .order_by(Booking.starts_at)
    )
