"""What a booking's people need to know about getting to its room on the day of use: the
warnings of center.places.access for that room and day (an elevator out of service, a toilet out
of order), shown on the booking pages, the desk's booking page and the permit."""

from __future__ import annotations

from center.dates import to_local
from center.places import warnings


async def access_warnings_for(booking: dict) -> list[str]:
    """Warnings for the booking's room on its day of use (today's when the day has come)."""
    room_id = booking["room"]
    day = to_local(booking["starts_at"]).date()
    return (await warnings.for_rooms([room_id], day)).get(room_id, [])


async def access_warnings_by_booking(bookings: list[dict]) -> dict[int, list[str]]:
    """booking id -> warnings, for a list of bookings (one provider call per day of use)."""
    by_day: dict = {}
    for booking in bookings:
        by_day.setdefault(to_local(booking["starts_at"]).date(), []).append(booking)
    found: dict[int, list[str]] = {}
    for day, same_day in by_day.items():
        texts = await warnings.for_rooms(sorted({booking["room"] for booking in same_day}), day)
        for booking in same_day:
            if texts.get(booking["room"]):
                found[booking["id"]] = texts[booking["room"]]
    return found
