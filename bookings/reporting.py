"""What the council's reports read from bookings: the bookings of a period with what the usage
and income reports count, and the money the desk took or paid out. Plain rows, read only; the
counting rules are the reports' (center/shell/reports)."""

from __future__ import annotations

from datetime import datetime

from bookings.tables import Booking, Payment


async def usage_rows(start: datetime, end: datetime) -> list[dict]:
    """Approved and cancelled bookings overlapping [start, end), with their group's reduction
    category, commercial flag and activity (the kind of group they count under)."""
    return await Booking.select(
        Booking.id,
        Booking.room,
        Booking.starts_at,
        Booking.ends_at,
        Booking.status,
        Booking.purpose,
        Booking.commercial,
        Booking.actual_head_count,
        Booking.no_show_at,
        Booking.group.reduction.as_alias("group_reduction"),
        Booking.group.commercial.as_alias("group_commercial"),
        Booking.group.activity.as_alias("group_activity"),
    ).where(
        Booking.status.is_in(["approved", "cancelled"])
        & (Booking.starts_at < end)
        & (Booking.ends_at > start)
    )


async def income_rows(start: datetime, end: datetime) -> list[dict]:
    """Approved and cancelled bookings starting in [start, end), with the fees fixed on them, the
    refund due and their room's names and order."""
    return await Booking.select(
        Booking.id,
        Booking.room,
        Booking.starts_at,
        Booking.status,
        Booking.room_fee,
        Booking.equipment_fee,
        Booking.surcharge_fee,
        Booking.heating_fee,
        Booking.reduction_fee,
        Booking.fee_total,
        Booking.refund_due,
        Booking.room.name_ja.as_alias("room_name_ja"),
        Booking.room.name_en.as_alias("room_name_en"),
        Booking.room.sort_order.as_alias("room_order"),
        Booking.reduction_category,
    ).where(
        Booking.status.is_in(["approved", "cancelled"])
        & (Booking.starts_at >= start)
        & (Booking.starts_at < end)
    )


async def payments_between(start: datetime, end: datetime) -> list[dict]:
    """Money taken or paid out at the desk in [start, end): kind (payment or refund), amount, method."""
    return await Payment.select(Payment.kind, Payment.amount, Payment.method).where(
        (Payment.paid_at >= start) & (Payment.paid_at < end)
    )
