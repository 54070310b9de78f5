"""What a booking's own page shows its group: the booking, its refund and payment, the access
warnings of its room and how to pay, read in one transaction (one state for the page, and one
connection on SQLite)."""

from __future__ import annotations

from typing import Any

from bookings import payment_settings, payment_status, service
from bookings.access_notes import access_warnings_for
from center.lib.db import read_transaction


async def booking_view(booking: dict) -> dict[str, Any]:
    """`booking`: the row with its room's and group's names (bookings.listing.find_booking_row)."""
    async with read_transaction():
        return {
            "booking": booking,
            "refund": await service.refund_due(booking),
            "can_cancel": booking["status"] in ("requested", "approved"),
            "access_warnings": await access_warnings_for(booking),
            "payment": await payment_status.status_of(booking),
            "payment_instructions": await payment_settings.payment_instructions(),
        }
