"""The front desk's work on the demo's past bookings, written as bookings.desk_checkin and
bookings.desk_payments write it: check-in and check-out with the head count and the key, no-shows,
and fee payments with receipt numbers numbered per fiscal year in the order the money came in."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from bookings.tables import Booking, Payment
from center.lib.dates import TOKYO, to_local


def _payment(booking_id: int, amount: int, method: str, at: datetime) -> dict:
    return {"booking": booking_id, "kind": "payment", "amount": amount, "method": method, "paid_at": at}


async def desk_work(now: datetime, desk: int | None, rng: random.Random) -> list[dict]:
    """Every approved booking that has ended was checked in and out with its head count and
    key, and paid at the desk; one in about twelve nobody came to (a no-show)."""
    rows = await Booking.select(
        Booking.id, Booking.starts_at, Booking.ends_at, Booking.expected_head_count, Booking.fee_total,
        Booking.room.floor.as_alias("floor"), Booking.room, Booking.walk_in,
    ).where(
        (Booking.status == "approved") & (Booking.ends_at <= now) & Booking.checked_in_at.is_null()
    )  # fmt: skip
    paid: list[dict] = []
    rows.sort(key=lambda row: (row["starts_at"], row["id"]))
    no_show_months: set[tuple[int, int]] = set()
    for index, row in enumerate(rows):
        local = to_local(row["starts_at"])
        if not row["walk_in"] and (
            index % 12 == 7 or ((local.year, local.month) not in no_show_months and index % 5 == 3)
        ):
            no_show_months.add((local.year, local.month))
            await Booking.update(
                {
                    Booking.no_show_at: row["starts_at"] + timedelta(minutes=30),
                    Booking.updated_at: row["ends_at"],
                }
            ).where(Booking.id == row["id"])
            continue
        checked_in = row["starts_at"] - timedelta(minutes=rng.randint(0, 15))
        checked_out = row["ends_at"] - timedelta(minutes=rng.randint(0, 20))
        head = max(1, row["expected_head_count"] + rng.randint(-4, 2))
        key = f"{row['floor']}-{row['room']:02d}"
        await Booking.update(
            {
                Booking.checked_in_at: checked_in, Booking.checked_in_by: desk,
                Booking.actual_head_count: head, Booking.key_number: key, Booking.key_out_at: checked_in,
                Booking.checked_out_at: checked_out, Booking.key_returned_at: checked_out,
                Booking.updated_at: checked_out,
            }
        ).where(Booking.id == row["id"])  # fmt: skip
        if row["fee_total"]:
            method = "other" if index % 3 == 1 else "cash"
            paid.append(_payment(row["id"], row["fee_total"], method, checked_in))
    return paid


async def write_payments(paid: list[dict], desk: int | None) -> None:
    """The money, with receipt numbers in the order it was taken, per fiscal year, like
    bookings.desk_payments.next_receipt_number gives them."""
    numbers: dict[str, int] = {}
    rows = []
    for item in sorted(paid, key=lambda item: (item["paid_at"], item["booking"])):
        local = item["paid_at"].astimezone(TOKYO)
        prefix = f"R{local.year if local.month >= 4 else local.year - 1}-"
        if prefix not in numbers:
            numbers[prefix] = await Payment.count().where(Payment.receipt_number.like(prefix + "%"))
        numbers[prefix] += 1
        rows.append(Payment(**item, receipt_number=f"{prefix}{numbers[prefix]:05d}", recorded_by=desk))
    if rows:
        await Payment.insert(*rows)
