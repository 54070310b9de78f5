"""The request number (申込番号) a booking gets the moment it is written, e.g. R-2026-00123.

Why this shape: "R" says it is a request number, not the permit number (2026-000123, the fiscal
year of use and the id, given on approval); the year is the Tokyo year the request was made, which
staff can place in time; the booking id makes it unique with no counter table, lock or extra
query (the database's unique index holds it anyway), and five digits are short enough to read
out on the phone (アール、2026の123番) until the center passes 99,999 bookings, when it simply
grows a digit."""

from __future__ import annotations

from datetime import datetime

from bookings.tables import Booking
from center.lib.dates import to_local

BATCH = 500


def request_number(booking_id: int, created_at: datetime) -> str:
    """R-<year the request was made, Tokyo>-<booking id, at least five digits>."""
    return f"R-{to_local(created_at).year}-{booking_id:05d}"


async def backfill_request_numbers() -> int:
    """Give every booking without a request number its number (the data migration); returns how
    many. Idempotent."""
    done = 0
    while True:
        rows = await (
            Booking.select(Booking.id, Booking.created_at)
            .where(Booking.request_number.is_null())
            .order_by(Booking.id)
            .limit(BATCH)
        )
        if not rows:
            return done
        for row in rows:
            number = request_number(row["id"], row["created_at"])
            await Booking.update({Booking.request_number: number}).where(Booking.id == row["id"])
        done += len(rows)
