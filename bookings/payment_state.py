"""Which approved bookings are still unpaid: what was paid (Payment rows of kind payment, less
refunds) is below the fee, and there is a fee at all. The staff home page counts them and the
bookings list shows them, from this one query."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bookings.tables import Booking, Payment


async def unpaid_within(days: int, now: datetime | None = None) -> list[int]:
    """Ids of approved bookings with a fee not fully paid whose use is under way or starts within
    `days` days of `now`, soonest first."""
    now = now or datetime.now(UTC)
    rows = await (
        Booking.select(Booking.id, Booking.fee_total)
        .where(
            (Booking.status == "approved")
            & (Booking.fee_total > 0)
            & (Booking.ends_at > now)
            & (Booking.starts_at < now + timedelta(days=days))
        )
        .order_by(Booking.starts_at)
    )
    if not rows:
        return []
    paid: dict[int, int] = {}
    payments = await Payment.select(Payment.booking, Payment.kind, Payment.amount).where(
        Payment.booking.is_in([row["id"] for row in rows])
    )
    for payment in payments:
        sign = 1 if payment["kind"] == "payment" else -1 if payment["kind"] == "refund" else 0
        paid[payment["booking"]] = paid.get(payment["booking"], 0) + sign * payment["amount"]
    return [row["id"] for row in rows if paid.get(row["id"], 0) < row["fee_total"]]
