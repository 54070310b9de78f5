"""The income report (使用料収入): fees charged, reductions (減免) by reason, heating fees,
refunds and the money taken at the front desk, balanced against the desk's daily cash records.

Counting rules (shown on the report page too):

- Fees charged are those of approved bookings whose use starts in the period (Tokyo time), as
  fixed on the booking: the room fee before surcharges and reductions (使用料), the equipment
  fees (附属設備使用料), surcharges for commercial use or users from outside the city (加算額),
  the heating fee (暖房料), the reduction (減免額) and the fee charged (請求額 = room fee +
  equipment fees + surcharges + heating fee − reduction). A full reduction is a booking with a
  reduction and nothing to pay.
- Reductions are grouped by the reduction category kept on the booking when its fee was fixed
  (Booking.reduction_category: 福祉団体・公益団体), not by the group's category today, so a group
  whose category changes later does not move its earlier reductions. A reduction granted under no
  category (an override) shows as "Other reductions".
- Cancelled bookings whose use would have started in the period are counted with the refunds
  they are due (返金予定額).
- Money at the desk is counted by the day it was taken or paid out (領収日), payments and refunds
  per method; it therefore covers bookings of other periods too. The balance check adds up the
  desk's own daily cash summaries for every day of the period, read in one query by
  bookings.desk_payments.cash_summaries (each day's figures are those the desk's cash_summary
  gives for that day), and compares them with these totals: they must agree to the yen, every
  day must balance on its own, and the difference is shown when they do not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bookings import reporting as booking_reads
from bookings.desk_payments import METHODS, cash_summaries, method_label
from center.lib.dates import to_local
from center.lib.i18n import N_, gettext, pick
from center.shell.reports.periods import Period

REDUCTION_REASONS = {
    "welfare": N_("Welfare groups"),
    "public_interest": N_("Public-interest groups"),
    "none": N_("Other reductions"),
}


@dataclass
class Charges:
    bookings: int = 0
    room_fee: int = 0
    equipment_fee: int = 0
    surcharge_fee: int = 0
    heating_fee: int = 0
    reduction_fee: int = 0
    fee_total: int = 0
    full_reductions: int = 0
    reduced: int = 0

    def add_booking(self, row: dict) -> None:
        self.bookings += 1
        self.room_fee += row["room_fee"]
        self.equipment_fee += row["equipment_fee"]
        self.surcharge_fee += row["surcharge_fee"]
        self.heating_fee += row["heating_fee"]
        self.reduction_fee += row["reduction_fee"]
        self.fee_total += row["fee_total"]
        if row["reduction_fee"] > 0:
            self.reduced += 1
            if row["fee_total"] == 0:
                self.full_reductions += 1


@dataclass
class IncomeReport:
    period: Period
    charges: Charges
    rooms: list[dict]  # name, charges
    months: list[tuple[Period, Charges]]
    reductions: list[dict]  # reason, label, bookings, amount, full
    cancellations: int
    cancelled_fees: int
    refunds_due: int
    methods: list[dict]  # method, label, payments, refunds, net
    payments: int
    refunds: int
    desk_payments: int
    desk_refunds: int
    unbalanced_days: list[dict] = field(default_factory=list)  # day, listed, summary

    @property
    def net(self) -> int:
        return self.payments - self.refunds

    @property
    def balances(self) -> bool:
        return (
            self.payments == self.desk_payments
            and self.refunds == self.desk_refunds
            and not self.unbalanced_days
        )

    @property
    def difference(self) -> int:
        return (self.payments - self.refunds) - (self.desk_payments - self.desk_refunds)


async def income_report(period: Period) -> IncomeReport:
    """Fees, reductions and refunds of the period's bookings; the desk's money in the period."""
    rows = await booking_reads.income_rows(period.start, period.end)
    charges = Charges()
    months = {(month.year, month.month or 0): (month, Charges()) for month in period.months()}
    rooms: dict[int, dict] = {}
    reductions = {
        key: {"reason": key, "label": gettext(label), "bookings": 0, "amount": 0, "full": 0}
        for key, label in REDUCTION_REASONS.items()
    }
    cancellations = cancelled_fees = refunds_due = 0
    for row in rows:
        if row["status"] == "cancelled":
            cancellations += 1
            cancelled_fees += row["fee_total"]
            refunds_due += row["refund_due"]
            continue
        local = to_local(row["starts_at"])
        charges.add_booking(row)
        months[(local.year, local.month)][1].add_booking(row)
        room = rooms.setdefault(
            row["room"],
            {
                "name": pick(row["room_name_ja"], row["room_name_en"]),
                "order": (row["room_order"], row["room"]),
                "charges": Charges(),
            },
        )
        room["charges"].add_booking(row)
        if row["reduction_fee"] > 0:
            category = row["reduction_category"]
            reason = reductions[category if category in reductions else "none"]
            reason["bookings"] += 1
            reason["amount"] += row["reduction_fee"]
            reason["full"] += 1 if row["fee_total"] == 0 else 0
    money = await booking_reads.payments_between(period.start, period.end)
    methods = {key: {"method": key, "payments": 0, "refunds": 0} for key in METHODS}
    for item in money:
        total = methods.setdefault(item["method"], {"method": item["method"], "payments": 0, "refunds": 0})
        total["payments" if item["kind"] == "payment" else "refunds"] += item["amount"]
    for total in methods.values():
        total["label"] = method_label(total["method"])
        total["net"] = total["payments"] - total["refunds"]
    desk_payments = desk_refunds = 0
    unbalanced = []
    for day, summary in (await cash_summaries(period.first, period.last)).items():
        desk_payments += summary.payments
        desk_refunds += summary.refunds
        if not summary.balances:
            unbalanced.append({"day": day, "net": summary.net})
    return IncomeReport(
        period=period,
        charges=charges,
        rooms=[
            {"name": room["name"], "charges": room["charges"]}
            for room in sorted(rooms.values(), key=lambda room: room["order"])
        ],
        months=list(months.values()),
        reductions=list(reductions.values()),
        cancellations=cancellations,
        cancelled_fees=cancelled_fees,
        refunds_due=refunds_due,
        methods=list(methods.values()),
        payments=sum(total["payments"] for total in methods.values()),
        refunds=sum(total["refunds"] for total in methods.values()),
        desk_payments=desk_payments,
        desk_refunds=desk_refunds,
        unbalanced_days=unbalanced,
    )
