"""The income report's sections: charges by kind, reductions, and the cash check against the desk's
takings."""

from __future__ import annotations

from center.lib.dates import format_date
from center.lib.i18n import N_, gettext
from center.shell.reports.cells import Section, Table, money, n
from center.shell.reports.charts import Series, bar_chart, line_chart
from center.shell.reports.income import Charges, IncomeReport
from center.web.templating import yen


def _charge_cells(c: Charges) -> list[str]:
    return [
        n(c.bookings),
        money(c.room_fee),
        money(c.equipment_fee),
        money(c.surcharge_fee),
        money(c.heating_fee),
        money(-c.reduction_fee),
        money(c.fee_total),
        n(c.reduced),
        n(c.full_reductions),
    ]


CHARGE_COLUMNS = (
    N_("Number of bookings"),
    N_("Room fees"),
    N_("Equipment fees"),
    N_("Surcharges"),
    N_("Heating fees"),
    N_("Reductions"),
    N_("Fees charged"),
    N_("Reduced bookings"),
    N_("Full reductions"),
)


def _cash_check(report: IncomeReport) -> Section:
    """The desk's money against its own daily cash records: their totals, the difference, and the
    days whose record does not add up."""
    desk_net = report.desk_payments - report.desk_refunds
    if report.balances:
        note = gettext(
            "Balanced: the front desk's daily cash summaries add up to the same %(net)s.", net=yen(desk_net)
        )
    else:
        note = gettext(
            "Does not balance: the front desk's daily cash summaries add up to %(desk)s, "
            "a difference of %(difference)s.",
            desk=yen(desk_net),
            difference=yen(report.difference),
        )
    if report.unbalanced_days:
        days = ", ".join(format_date(item["day"], weekday=False) for item in report.unbalanced_days)
        note += " " + gettext("Days whose cash record does not balance: %(days)s.", days=days)
    table = Table(
        gettext("The front desk's daily cash summaries for the period"),
        [gettext("Figure"), gettext("Value")],
        [
            [gettext("Payments received"), money(report.desk_payments)],
            [gettext("Refunds paid"), money(report.desk_refunds)],
            [gettext("Net"), money(desk_net)],
            [gettext("Difference from the money above"), money(report.difference)],
            [gettext("Days whose cash record does not balance"), n(len(report.unbalanced_days))],
        ],
    )
    return Section("income-check", gettext("Checked against the daily cash summaries"), table, note=note)


def income_sections(report: IncomeReport) -> list[Section]:
    by_room = Table(
        gettext("Fees charged by room"),
        [gettext("Room"), *map(gettext, CHARGE_COLUMNS)],
        [[room["name"], *_charge_cells(room["charges"])] for room in report.rooms],
        [gettext("Total"), *_charge_cells(report.charges)],
    )
    chart = bar_chart(
        "chart-income-rooms",
        gettext("Fees charged and reductions by room (yen)"),
        [room["name"] for room in report.rooms],
        [
            Series(gettext("Fees charged"), [room["charges"].fee_total for room in report.rooms]),
            Series(gettext("Reductions"), [room["charges"].reduction_fee for room in report.rooms]),
        ],
        fmt=lambda value: yen(int(value)),
    )
    sections = [Section("income-rooms", gettext("Fees charged"), by_room, chart)]
    if len(report.months) > 1:
        # The monthly line chart sits with the monthly table, whose figures it draws.
        months_chart = line_chart(
            "chart-income-months",
            gettext("Fees charged and reductions per month (yen)"),
            [month.short_title for month, _ in report.months],
            [
                Series(gettext("Fees charged"), [c.fee_total for _, c in report.months]),
                Series(gettext("Reductions"), [c.reduction_fee for _, c in report.months]),
            ],
            fmt=lambda value: f"{value / 1000:,.0f}k",
        )
        sections.append(
            Section(
                "income-months",
                gettext("Fees charged by month"),
                Table(
                    gettext("Fees charged by month"),
                    [gettext("Month"), *map(gettext, CHARGE_COLUMNS)],
                    [[month.title, *_charge_cells(c)] for month, c in report.months],
                    [gettext("Total"), *_charge_cells(report.charges)],
                ),
                months_chart,
            )
        )
    reductions = Table(
        gettext("Reductions by reason"),
        [gettext("Reason"), gettext("Reduced bookings"), gettext("Full reductions"), gettext("Reductions")],
        [[r["label"], n(r["bookings"]), n(r["full"]), money(r["amount"])] for r in report.reductions],
        [
            gettext("Total"),
            n(sum(r["bookings"] for r in report.reductions)),
            n(sum(r["full"] for r in report.reductions)),
            money(report.charges.reduction_fee),
        ],
    )
    sections.append(
        Section(
            "income-reductions",
            gettext("Reductions (減免) by reason"),
            reductions,
            bar_chart(
                "chart-income-reductions",
                gettext("Reductions by reason (yen)"),
                [r["label"] for r in report.reductions],
                [Series(gettext("Reductions"), [r["amount"] for r in report.reductions])],
                fmt=lambda value: yen(int(value)),
            ),
        )
    )
    sections.append(
        Section(
            "income-cancellations",
            gettext("Cancellations and refunds"),
            Table(
                gettext("Cancelled bookings whose use fell in the period"),
                [gettext("Figure"), gettext("Value")],
                [
                    [gettext("Cancellations"), n(report.cancellations)],
                    [gettext("Fees of cancelled bookings"), money(report.cancelled_fees)],
                    [gettext("Refunds due"), money(report.refunds_due)],
                ],
            ),
        )
    )
    desk = Table(
        gettext("Money taken and paid out at the front desk"),
        [gettext("Method"), gettext("Payments received"), gettext("Refunds paid"), gettext("Net")],
        [[m["label"], money(m["payments"]), money(m["refunds"]), money(m["net"])] for m in report.methods],
        [gettext("Total"), money(report.payments), money(report.refunds), money(report.net)],
    )
    sections.append(Section("income-desk", gettext("Payments and refunds at the front desk"), desk))
    sections.append(_cash_check(report))
    return sections


INCOME_RULES = (
    N_(
        "Fees charged: approved bookings whose use starts in the period, as fixed on the booking. "
        "Fees charged = room fees + equipment fees + surcharges + heating fees − reductions."
    ),
    N_(
        "A full reduction is a booking with a reduction and nothing to pay. Reductions are grouped "
        "by the reduction category the booking's fee was fixed under, even if the group's category "
        "has changed since; a reduction under no category shows as other reductions."
    ),
    N_(
        "Cancelled bookings whose use would have started in the period are counted with the refunds"
        " they are due."
    ),
    N_(
        "Money at the front desk is counted by the day it was taken or paid out, whichever booking "
        "it was for, and is checked against the desk's daily cash summaries."
    ),
)


# --- maintenance -------------------------------------------------------------------------------
