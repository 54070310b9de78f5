"""What is refunded when a booking is cancelled: the refund rules (by whole days before the day of
use, a percentage of the room fee and of the heating fee) and their defaults."""

from __future__ import annotations

from datetime import UTC, datetime

from bookings.tables import RefundRule
from center.lib.dates import TOKYO


async def refund_due(booking: dict, on: datetime | None = None) -> int:
    """What is refunded when a booking is cancelled now: by whole days before the day of use."""
    if booking["status"] != "approved":
        return 0  # nothing was charged for an unapproved request
    on = on or datetime.now(UTC)
    days = (booking["starts_at"].astimezone(TOKYO).date() - on.astimezone(TOKYO).date()).days
    rules = await RefundRule.select().order_by(RefundRule.min_days_before, ascending=False)
    for rule in rules:
        if days >= rule["min_days_before"]:
            # Equipment fees are refunded with the room fee, at its percentage (see bookings.fees).
            room_part = (
                booking["room_fee"]
                + booking.get("equipment_fee", 0)
                + booking["surcharge_fee"]
                - booking["reduction_fee"]
            )
            return (
                max(room_part, 0) * rule["room_fee_percent"] // 100
                + booking["heating_fee"] * rule["heating_fee_percent"] // 100
            )
    return 0


async def ensure_default_refund_rules() -> None:
    """Full refund 20+ days before; from 10 days, half the room fee and the whole heating fee;
    later, the heating fee only (heating that was never used is not charged)."""
    if not await RefundRule.exists():
        await RefundRule.insert(
            RefundRule(min_days_before=20, room_fee_percent=100, heating_fee_percent=100),
            RefundRule(min_days_before=10, room_fee_percent=50, heating_fee_percent=100),
            RefundRule(min_days_before=0, room_fee_percent=0, heating_fee_percent=100),
        )
