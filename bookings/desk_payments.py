"""Money at the front desk: fee payments (cash or other) with numbered receipts, refunds paid out
for cancelled bookings, and the day's cash summary that balances (payments − refunds = the cash
movement, per method)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from bookings.desk import money, money_of, walk_in_label
from bookings.service import get_booking
from bookings.tables import Booking, Payment
from center.accounts import audit
from center.accounts.actors import Actor
from center.accounts.tables import Group
from center.lib.dates import TOKYO, local_day_bounds, to_local
from center.lib.db import UNIQUE_VIOLATIONS, is_unique_violation, write_transaction
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_, gettext, pick
from center.places.tables import Room

METHODS = {"cash": N_("Cash"), "other": N_("Other (card, transfer)")}
KINDS = {"payment": N_("Payment"), "refund": N_("Refund")}
MAX_RECEIPT = 30
MAX_AMOUNT = 10_000_000


def method_label(method: str) -> str:
    return gettext(METHODS.get(method, METHODS["other"]))


def kind_label(kind: str) -> str:
    return gettext(KINDS.get(kind, KINDS["payment"]))


async def next_receipt_number(now: datetime | None = None) -> str:
    """The next free receipt number of the fiscal year (April–March), e.g. R2026-00042."""
    local = (now or datetime.now(UTC)).astimezone(TOKYO)
    fiscal_year = local.year if local.month >= 4 else local.year - 1
    prefix = f"R{fiscal_year}-"
    count = await Payment.count().where(Payment.receipt_number.like(prefix + "%"))
    number = count + 1
    while await Payment.exists().where(Payment.receipt_number == f"{prefix}{number:05d}"):
        number += 1
    return f"{prefix}{number:05d}"


DUPLICATE_RECEIPT = N_("Receipt number %(number)s is already used. Use the next number.")


async def _record(
    kind: str,
    booking_id: int,
    actor: Actor,
    amount: int | None,
    method: str,
    receipt_number: str,
    note: str,
    now: datetime | None,
) -> int:
    now = now or datetime.now(UTC)
    errors: dict[str, str] = {}
    if amount is None or not 1 <= amount <= MAX_AMOUNT:
        errors["amount"] = N_("Enter the amount in yen, 1 or more.")
    if method not in METHODS:
        errors["method"] = N_("Choose how the money was paid.")
    receipt_number = receipt_number.strip() or await next_receipt_number(now)
    if len(receipt_number) > MAX_RECEIPT:
        errors["receipt_number"] = N_("Use at most 30 characters.")
    if len(note) > 500:
        errors["note"] = N_("Use at most 500 characters.")
    if errors:
        raise ValidationFailed(errors)
    assert amount is not None
    try:
        async with write_transaction():
            booking = await get_booking(booking_id)
            paid = (await money_of([booking_id])).get(booking_id, (0, 0))
            state = money(booking, paid)
            if kind == "payment":
                if booking["status"] != "approved":
                    raise ValidationFailed({"amount": N_("Only an approved booking's fee can be paid.")})
                if amount > state.due:
                    raise ValidationFailed(
                        {"amount": N_("That is more than the %(due)s still due.")},
                        params={"due": f"¥{state.due:,}"},
                    )
            else:
                if booking["status"] != "cancelled":
                    raise ValidationFailed(
                        {"amount": N_("Only a cancelled booking's refund can be paid out.")}
                    )
                if amount > state.refund_outstanding:
                    raise ValidationFailed(
                        {"amount": N_("That is more than the %(due)s refund still to pay out.")},
                        params={"due": f"¥{state.refund_outstanding:,}"},
                    )
            if await Payment.exists().where(Payment.receipt_number == receipt_number):
                raise ValidationFailed(
                    {"receipt_number": DUPLICATE_RECEIPT}, params={"number": receipt_number}
                )
            rows = await Payment.insert(
                Payment(
                    booking=booking_id,
                    kind=kind,
                    amount=amount,
                    method=method,
                    receipt_number=receipt_number,
                    paid_at=now,
                    recorded_by=actor.id,
                    note=note.strip(),
                )
            ).returning(*Payment.all_columns())
            payment = rows[0]
            await Booking.update({Booking.updated_at: now}).where(Booking.id == booking_id)
            await audit.record(
                kind, "payment", payment["id"], actor=actor, after=payment, note=f"booking {booking_id}"
            )
            return payment["id"]
    except UNIQUE_VIOLATIONS as exc:
        if not is_unique_violation(exc):
            raise
        raise ValidationFailed(
            {"receipt_number": DUPLICATE_RECEIPT}, params={"number": receipt_number}
        ) from exc


async def record_payment(
    booking_id: int,
    actor: Actor,
    amount: int | None,
    method: str = "cash",
    receipt_number: str = "",
    note: str = "",
    now: datetime | None = None,
) -> int:
    """Take a fee payment for a booking (never more than is still due); returns the payment id.
    An empty receipt number gets the next one."""
    return await _record("payment", booking_id, actor, amount, method, receipt_number, note, now)


async def pay_refund(
    booking_id: int,
    actor: Actor,
    amount: int | None,
    method: str = "cash",
    receipt_number: str = "",
    note: str = "",
    now: datetime | None = None,
) -> int:
    """Pay out a cancelled booking's refund (never more than is due and was paid)."""
    return await _record("refund", booking_id, actor, amount, method, receipt_number, note, now)


@dataclass
class MethodTotal:
    method: str
    payments: int = 0
    refunds: int = 0

    @property
    def net(self) -> int:
        return self.payments - self.refunds

    @property
    def label(self) -> str:
        return method_label(self.method)


@dataclass
class CashSummary:
    day: date
    rows: list[dict] = field(default_factory=list)
    methods: list[MethodTotal] = field(default_factory=list)

    @property
    def payments(self) -> int:
        return sum(total.payments for total in self.methods)

    @property
    def refunds(self) -> int:
        return sum(total.refunds for total in self.methods)

    @property
    def net(self) -> int:
        return self.payments - self.refunds

    @property
    def balances(self) -> bool:
        """The per-method lines add up to the totals and to the listed movements."""
        listed = sum(row["amount"] if row["kind"] == "payment" else -row["amount"] for row in self.rows)
        return listed == self.net == sum(total.net for total in self.methods)


async def cash_summary(day: date) -> CashSummary:
    """Every payment and refund recorded on `day` (Tokyo), with totals per method."""
    start, end = local_day_bounds(day)
    rows = await (
        Payment.select(
            *Payment.all_columns(),
            Payment.booking.permit_number.as_alias("permit_number"),
            Payment.booking.walk_in_name.as_alias("walk_in_name"),
            Payment.booking.group.name.as_alias("group_name"),
            Payment.booking.room.name_ja.as_alias("room_name_ja"),
            Payment.booking.room.name_en.as_alias("room_name_en"),
            Payment.recorded_by.display_name.as_alias("recorded_by_name"),
        )
        .where((Payment.paid_at >= start) & (Payment.paid_at < end))
        .order_by(Payment.paid_at)
    )
    totals = {method: MethodTotal(method) for method in METHODS}
    for row in rows:
        total = totals.setdefault(row["method"], MethodTotal(row["method"]))
        if row["kind"] == "payment":
            total.payments += row["amount"]
        else:
            total.refunds += row["amount"]
        row["name"] = row["walk_in_name"] or row["group_name"]
        row["room_name"] = pick(row["room_name_ja"], row["room_name_en"])
    return CashSummary(day=day, rows=rows, methods=list(totals.values()))


async def cash_summaries(first: date, last: date) -> dict[date, CashSummary]:
    """The cash summary of every day from `first` to `last` (Tokyo) on which money moved, in one
    query: the same totals per method as cash_summary(day) gives, with `rows` holding the day's
    movements summed per method and kind instead of the receipts (for reports over many days)."""
    start, end = local_day_bounds(first)[0], local_day_bounds(last)[1]
    moved = await Payment.select(Payment.paid_at, Payment.kind, Payment.method, Payment.amount).where(
        (Payment.paid_at >= start) & (Payment.paid_at < end)
    )
    sums: dict[date, dict[tuple[str, str], dict]] = {}
    totals: dict[date, dict[str, MethodTotal]] = {}
    for row in moved:
        day = to_local(row["paid_at"]).date()  # the day whose local_day_bounds hold paid_at
        if day not in totals:
            sums[day], totals[day] = {}, {method: MethodTotal(method) for method in METHODS}
        key = (row["method"], row["kind"])
        listed = sums[day].setdefault(key, {"method": row["method"], "kind": row["kind"], "amount": 0})
        listed["amount"] += row["amount"]
        total = totals[day].setdefault(row["method"], MethodTotal(row["method"]))
        if row["kind"] == "payment":
            total.payments += row["amount"]
        else:
            total.refunds += row["amount"]
    return {
        day: CashSummary(day=day, rows=list(sums[day].values()), methods=list(totals[day].values()))
        for day in sorted(totals)
    }


async def receipt_context(payment_id: int) -> dict:
    """What a printed receipt (領収書) shows."""
    from center.lib.errors import NotFound
    from center.places.calendar import load_profile

    payment = await Payment.select().where(Payment.id == payment_id).first()
    if payment is None:
        raise NotFound(N_("That payment does not exist."))
    booking = await get_booking(payment["booking"])
    group = await Group.select().where(Group.id == booking["group"]).first()
    room = await Room.select().where(Room.id == booking["room"]).first()
    profile = await load_profile() or {}
    return {
        "payment": payment,
        "booking": booking,
        "name": walk_in_label(booking, group),
        "room_name": pick(room["name_ja"], room["name_en"]),
        "center_name": pick(profile.get("name_ja", ""), profile.get("name_en", "")),
        "paid_at": to_local(payment["paid_at"]),
        "kind_label": kind_label(payment["kind"]),
        "method_label": method_label(payment["method"]),
    }
