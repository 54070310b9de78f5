"""What the bookings domain shows the public: today's public events."""

from __future__ import annotations

from datetime import date

from bookings.tables import Booking
from center.dates import local_day_bounds


async def public_events_on(day: date) -> list[dict]:
    """Approved public bookings on a Tokyo day, in time order, with room names."""
    start, end = local_day_bounds(day)
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
            & (Booking.starts_at < end)
            & (Booking.ends_at > start)
        )
        .order_by(Booking.starts_at)
    )
