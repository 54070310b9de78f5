"""What a booking's people need to know about getting to its room on the day of use: the
warnings of center.places.access for that room and day (an elevator out of service, a toilet out
of order), shown on the booking pages, the desk's booking page and the permit."""

from __future__ import annotations

from center.lib.dates import to_local
from center.places import warnings


async def access_warnings_for(booking: dict) -> list[str]:
    """Warnings for the booking's room on its day of use (today's when the day has come)."""
    room_id = booking["room"]
    day = to_local(booking["starts_at"]).date()
    return (await warnings.for_rooms([room_id], day)).get(room_id, [])
