"""Where a booking's fee stands: 未納 (unpaid), 一部納付 (partly paid), 納付済 (paid), 還付待ち
(a cancelled booking's refund not yet paid out) or 還付済 (refunded), with what was paid, what is
still due, the deadline, the last payment's date and receipt number. Free bookings need no payment.
Lists ask for many bookings at once (one query for their payments, one for the settings)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bookings.tables import Booking, Payment, PaymentSettings
from center.lib.dates import local_day_bounds, to_local, today
from center.lib.i18n import N_, gettext
from center.lib.prepared import Prepared
from center.lib.versions import reference_cached

UNPAID, PARTLY, PAID, REFUND_DUE, REFUNDED, FREE, PENDING, NONE = (
    "unpaid",
    "partly",
    "paid",
    "refund_due",
    "refunded",
    "free",
    "pending",
    "none",
)
LABELS = {
    UNPAID: N_("Unpaid"),
    PARTLY: N_("Partly paid"),
    PAID: N_("Paid in full"),
    REFUND_DUE: N_("Refund to be paid out"),
    REFUNDED: N_("Refunded"),
    FREE: N_("No payment needed"),
    PENDING: N_("Payable once approved"),
    NONE: N_("Nothing to pay"),
}
# Shown with the word, so the state never rests on colour alone.
SYMBOLS = {
    UNPAID: "⚠",
    PARTLY: "◐",
    PAID: "✓",
    REFUND_DUE: "↩",
    REFUNDED: "✓",
    FREE: "－",
    PENDING: "…",
    NONE: "－",
}
OWING = (UNPAID, PARTLY)
# The columns a booking row must carry for status_of / statuses.
NEEDED = ("id", "status", "fee_total", "refund_due", "starts_at")


@dataclass(frozen=True)
class PaymentStatus:
    booking_id: int
    state: str
    fee: int
    paid: int  # paid less refunds paid out
    due: int  # still to pay (an approved booking)
    refunded: int
    refund_outstanding: int
    deadline: date | None  # the last day to pay; None when nothing is to be paid
    deadline_at: datetime | None  # the instant it passes (use starts, or the end of that day)
    last_paid_at: datetime | None
    receipt_number: str
    overdue: bool
    starts_at: datetime | None = None

    @property
    def label(self) -> str:
        return gettext(LABELS[self.state])

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.state]

    @property
    def owing(self) -> bool:
        return self.state in OWING

    @property
    def before_use(self) -> bool:
        """The deadline is the day of use itself: pay before use starts."""
        return self.deadline_at is not None and self.deadline_at == self.starts_at


def deadline_of(starts_at: datetime, days_before: int) -> tuple[date, datetime]:
    """The last day to pay and the instant it passes: on the day of use, before use starts
    (days_before 0), or by the end of the day that many days before."""
    day = to_local(starts_at).date() - timedelta(days=days_before)
    if days_before <= 0:
        return day, starts_at
    return day, local_day_bounds(day)[1]


async def pay_days_before() -> int:
    """Days before use by which a fee is due; kept per process until the settings change."""
    row = await reference_cached(
        "pay_days_before", lambda: PaymentSettings.select(PaymentSettings.pay_days_before).first().run()
    )
    return row["pay_days_before"] if row else 0


def _status(booking: dict, payments: list[dict], days_before: int, now: datetime) -> PaymentStatus:
    paid = sum(p["amount"] for p in payments if p["kind"] == "payment")
    refunded = sum(p["amount"] for p in payments if p["kind"] == "refund")
    taken = [p for p in payments if p["kind"] == "payment"]
    last = max(taken, key=lambda p: (p["paid_at"], p["id"])) if taken else None
    fee, net = booking["fee_total"], paid - refunded
    due = max(fee - net, 0) if booking["status"] == "approved" else 0
    outstanding = max(min(booking["refund_due"] - refunded, net), 0)
    if booking["status"] == "cancelled":
        state = REFUND_DUE if outstanding else REFUNDED if refunded else NONE
    elif booking["status"] == "requested":
        state = FREE if fee == 0 else PENDING
    elif booking["status"] != "approved":
        state = NONE
    elif fee == 0:
        state = FREE
    else:
        state = PAID if due == 0 else PARTLY if net > 0 else UNPAID
    deadline = deadline_at = None
    if state in (UNPAID, PARTLY, PENDING):
        deadline, deadline_at = deadline_of(booking["starts_at"], days_before)
    return PaymentStatus(
        booking_id=booking["id"],
        state=state,
        fee=fee,
        paid=net,
        due=due,
        refunded=refunded,
        refund_outstanding=outstanding if booking["status"] == "cancelled" else 0,
        deadline=deadline,
        deadline_at=deadline_at,
        last_paid_at=last["paid_at"] if last else None,
        receipt_number=last["receipt_number"] if last else "",
        overdue=state in OWING and deadline_at is not None and now >= deadline_at,
        starts_at=booking["starts_at"],
    )


def _payments() -> Any:
    return Payment.select(
        Payment.id, Payment.booking, Payment.kind, Payment.amount, Payment.paid_at, Payment.receipt_number
    )


_PAYMENTS_OF = Prepared(lambda booking_id: _payments().where(Payment.booking == booking_id))


async def statuses(bookings: list[dict], now: datetime | None = None) -> dict[int, PaymentStatus]:
    """The payment status of each booking (rows carrying NEEDED), by booking id: one query for
    all their payments, one for the deadline rule."""
    if not bookings:
        return {}
    now = now or datetime.now(UTC)
    ids = [booking["id"] for booking in bookings]
    if len(ids) == 1:  # one booking's page: the query compiled once
        rows = await _PAYMENTS_OF.run(booking_id=ids[0])
    else:
        rows = await _payments().where(Payment.booking.is_in(ids))
    by_booking: dict[int, list[dict]] = {}
    for row in rows:
        by_booking.setdefault(row["booking"], []).append(row)
    days_before = await pay_days_before()
    return {
        booking["id"]: _status(booking, by_booking.get(booking["id"], []), days_before, now)
        for booking in bookings
    }


async def status_of(booking: dict, now: datetime | None = None) -> PaymentStatus:
    """One booking's payment status."""
    return (await statuses([booking], now))[booking["id"]]


async def unpaid(since: date | None = None, now: datetime | None = None) -> list[tuple[dict, PaymentStatus]]:
    """Approved bookings with a fee not fully paid, used from `since` (default: 60 days ago) on,
    earliest deadline first, with their group and room names."""
    since = since or today() - timedelta(days=60)
    rows = await Booking.select(
        *Booking.all_columns(),
        Booking.room.name_ja.as_alias("room_name_ja"),
        Booking.room.name_en.as_alias("room_name_en"),
        Booking.group.name.as_alias("group_name"),
    ).where(
        (Booking.status == "approved")
        & (Booking.fee_total > 0)
        & (Booking.starts_at >= local_day_bounds(since)[0])
    )
    found = await statuses(rows, now)
    owing = [(row, found[row["id"]]) for row in rows if found[row["id"]].owing]
    owing.sort(key=lambda pair: (pair[1].deadline_at, pair[0]["starts_at"], pair[0]["id"]))
    return owing
