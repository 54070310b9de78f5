"""What each report shows, as sections the page and the PDF render alike: a heading, an optional
chart, and the table of the same figures (the chart's text alternative). Numbers are formatted
here once, so the page, the PDF and the tests read the same text."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from markupsafe import Markup

from center.lib.dates import format_date
from center.lib.i18n import N_, gettext, pgettext, pick
from center.shell.reports.charts import Series, bar_chart, line_chart, percent
from center.shell.reports.income import Charges, IncomeReport
from center.shell.reports.maintenance_report import MaintenanceReport
from center.shell.reports.programmes_report import ProgrammesReport
from center.shell.reports.usage import TOP_PURPOSES, Figures, UsageReport
from center.web.templating import yen

KINDS = {
    "usage": N_("Usage report"),
    "income": N_("Income report"),
    "maintenance": N_("Maintenance report"),
    "programmes": N_("Programmes report"),
}


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    total: list[str] | None = None


@dataclass
class Section:
    id: str
    title: str
    table: Table
    chart: Markup | None = None
    note: str = ""


class Shown(str):
    """A figure as the page shows it (¥1,200, 62.5%, 1,234) that also carries its plain form for
    a spreadsheet (1200, 62.5, 1234): the CSV writes `plain`, so page, PDF and CSV are one table.
    Figures stay numbers (int, or Decimal with one place) so the CSV writer can tell a negative
    amount from text that merely starts with a minus."""

    plain: object

    def __new__(cls, text: str, plain: object) -> Shown:
        shown = super().__new__(cls, text)
        shown.plain = "" if plain is None else plain
        return shown


def _one_place(value: float) -> Decimal:
    return Decimal(f"{value:.1f}")


def n(value: int | float) -> Shown:
    if isinstance(value, int):
        return Shown(f"{value:,}", value)
    return Shown(f"{value:,.1f}", _one_place(value))


def hours(minutes: int) -> Shown:
    return Shown(f"{minutes / 60:,.1f}", _one_place(minutes / 60))


def money(amount: int) -> Shown:
    """¥1,200 on the page, 1200 (whole yen) in the CSV."""
    return Shown(yen(amount), amount)


def occupancy(value: float | None) -> Shown:
    """62.5% on the page, 62.5 in the CSV (whose heading says %); — and empty when undefined."""
    return Shown(percent(value), None if value is None else _one_place(value * 100))


def by_slot() -> Shown:
    """The heading of slot occupancy; the CSV's says (%), as its cells have no % sign."""
    return Shown(gettext("Occupancy by slot"), gettext("Occupancy by slot (%)"))


def by_hours() -> Shown:
    return Shown(gettext("Occupancy by hours"), gettext("Occupancy by hours (%)"))


def change(now: float | None, before: float | None, *, rate: bool = False) -> Shown:
    """+12 / −3 / +4.5 pt, or — when there is nothing to compare."""
    if now is None or before is None:
        return Shown("—", None)
    if rate:
        diff = (now - before) * 100
        return Shown(f"{diff:+.1f} pt".replace("-", "−"), _one_place(diff))
    return Shown(f"{now - before:+,}".replace("-", "−"), now - before)


# --- usage -------------------------------------------------------------------------------------


def _usage_cells(f: Figures) -> list[str]:
    return [
        n(f.available_slots),
        n(f.closed_slots),
        n(f.booked_slots),
        occupancy(f.slot_rate),
        hours(f.available_minutes),
        hours(f.booked_minutes),
        occupancy(f.hour_rate),
        n(f.bookings),
        n(f.counted),
        n(f.head_count),
        n(f.no_shows),
        n(f.cancellations),
    ]


def _usage_columns(first: str) -> list[str]:
    return [
        first,
        gettext("Available slots"),
        gettext("Slots closed for works"),
        gettext("Booked slots"),
        by_slot(),
        gettext("Available hours"),
        gettext("Booked hours"),
        by_hours(),
        gettext("Number of bookings"),
        gettext("Bookings with a head count"),
        gettext("Head count"),
        gettext("No-shows"),
        gettext("Cancellations"),
    ]


def _compare_section(report: UsageReport, previous: Figures) -> Section:
    now = report.total
    rows = []
    for label, value, before, is_rate in (
        (gettext("Available slots"), now.available_slots, previous.available_slots, False),
        (gettext("Slots closed for works"), now.closed_slots, previous.closed_slots, False),
        (gettext("Booked slots"), now.booked_slots, previous.booked_slots, False),
        (by_slot(), now.slot_rate, previous.slot_rate, True),
        (by_hours(), now.hour_rate, previous.hour_rate, True),
        (gettext("Number of bookings"), now.bookings, previous.bookings, False),
        (gettext("Head count"), now.head_count, previous.head_count, False),
        (gettext("No-shows"), now.no_shows, previous.no_shows, False),
        (gettext("Cancellations"), now.cancellations, previous.cancellations, False),
    ):
        shown = occupancy if is_rate else n
        rows.append([label, shown(value), shown(before), change(value, before, rate=is_rate)])
    table = Table(
        gettext("Compared with the same period a year earlier"),
        [gettext("Figure"), report.period.title, report.period.year_earlier().title, gettext("Change")],
        rows,
    )
    return Section("usage-compare", gettext("Compared with a year earlier"), table)


def _compare_months_section(report: UsageReport) -> Section:
    """A fiscal year's slot occupancy month by month beside the same months a year earlier: the
    line chart's figures, so the chart has its table and the CSV its rows."""
    this, earlier = report.period.title, report.period.year_earlier().title
    caption = gettext("Occupancy by slot per month, this year and a year earlier")
    chart = line_chart(
        "chart-usage-trend",
        caption,
        [month.short_title for month, _ in report.months],
        [
            Series(this, [f.slot_rate for _, f in report.months]),
            Series(earlier, [f.slot_rate for _, f in report.previous_months]),
        ],
        fmt=percent,
    )
    rows = [
        [
            month.title,
            occupancy(f.slot_rate),
            occupancy(p.slot_rate),
            change(f.slot_rate, p.slot_rate, rate=True),
        ]
        for (month, f), (_, p) in zip(report.months, report.previous_months, strict=True)
    ]
    table = Table(
        caption,
        [gettext("Month"), Shown(this, f"{this} (%)"), Shown(earlier, f"{earlier} (%)"), gettext("Change")],
        rows,
    )
    return Section(
        "usage-compare-months", gettext("Occupancy by month compared with a year earlier"), table, chart
    )


def usage_sections(report: UsageReport) -> list[Section]:
    rooms = Table(
        gettext("Usage by room"),
        _usage_columns(gettext("Room")),
        [[room["name"], *_usage_cells(room["figures"])] for room in report.rooms],
        [gettext("Total"), *_usage_cells(report.total)],
    )
    by_room_chart = bar_chart(
        "chart-usage-rooms",
        gettext("Occupancy by room"),
        [room["name"] for room in report.rooms],
        [
            Series(gettext("Occupancy by slot"), [room["figures"].slot_rate for room in report.rooms]),
            Series(gettext("Occupancy by hours"), [room["figures"].hour_rate for room in report.rooms]),
        ],
        fmt=percent,
        maximum=1,
    )
    sections = [Section("usage-rooms", gettext("Occupancy by room"), rooms, by_room_chart)]
    if report.previous is not None:
        sections.append(_compare_section(report, report.previous))
        if len(report.months) > 1 and report.previous_months:
            sections.append(_compare_months_section(report))
    if len(report.months) > 1:
        sections.append(
            Section(
                "usage-months",
                gettext("Usage by month"),
                Table(
                    gettext("Usage by month"),
                    _usage_columns(gettext("Month")),
                    [[month.title, *_usage_cells(f)] for month, f in report.months],
                    [gettext("Total"), *_usage_cells(report.total)],
                ),
            )
        )
    kinds = Table(
        gettext("Bookings by kind of group"),
        [
            gettext("Kind of group"),
            gettext("Number of bookings"),
            gettext("Bookings with a head count"),
            gettext("Head count"),
        ],
        [[k["label"], n(k["bookings"]), n(k["counted"]), n(k["head_count"])] for k in report.by_kind],
    )
    kinds_chart = bar_chart(
        "chart-usage-kinds",
        gettext("Bookings by kind of group"),
        [k["label"] for k in report.by_kind],
        [Series(gettext("Number of bookings"), [k["bookings"] for k in report.by_kind])],
    )
    sections.append(Section("usage-kinds", gettext("By kind of group"), kinds, kinds_chart))
    purposes = Table(
        gettext("Bookings by purpose"),
        [
            gettext("Purpose"),
            gettext("Number of bookings"),
            gettext("Bookings with a head count"),
            gettext("Head count"),
        ],
        [[p["purpose"], n(p["bookings"]), n(p["counted"]), n(p["head_count"])] for p in report.by_purpose],
    )
    sections.append(
        Section(
            "usage-purposes",
            gettext("By purpose"),
            purposes,
            note=gettext(
                "The %(count)s most frequent purposes as written on the bookings; the rest together.",
                count=TOP_PURPOSES - 1,
            ),
        )
    )
    return sections


USAGE_RULES = (
    N_(
        "Available slots: each slot a room offers on each day the center is open (within the "
        "opening hours), less the slots closed for works. A room booked by the hour counts the "
        "center's slots of the day; its available hours are the opening hours less the time it was "
        "closed for works."
    ),
    N_(
        "Slots closed for works: slots that a room closure for maintenance overlaps, even in part. "
        "A closure counts from its start until it ran out or was ended, whichever came first; one "
        "cancelled before it began does not count."
    ),
    N_(
        "Booked: approved bookings only. Requests not yet approved, declined and lapsed requests "
        "never count. Cancelled bookings are excluded and counted separately; a no-show still "
        "counts as booked and is counted separately."
    ),
    N_(
        "A slot counts as booked once when any approved booking overlaps it. Booked hours are the "
        "part of approved bookings within the available hours, on the day the time falls on, so a "
        "booking that runs into the next month counts its hours in each month."
    ),
    N_(
        "Occupancy (稼働率) is booked slots ÷ available slots, and booked hours ÷ available hours, "
        "after the slots and hours closed for works are taken off."
    ),
    N_(
        "Bookings, head counts, no-shows and cancellations count once per booking, in the period "
        "the booking starts in. Head counts are the front desk's actual counts; bookings without a "
        "count are not estimated."
    ),
    N_(
        "Kind of group: commercial use first, then the group's reduction category (welfare, public-"
        "interest), individuals booking at the desk, and other groups."
    ),
)


# --- income ------------------------------------------------------------------------------------


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


def maintenance_sections(report: MaintenanceReport) -> list[Section]:
    table = Table(
        gettext("Tickets and costs by category"),
        [
            gettext("Category"),
            gettext("Tickets opened"),
            gettext("Tickets closed"),
            gettext("Overdue"),
            gettext("Costs"),
        ],
        [
            [c["label"], n(c["opened"]), n(c["closed"]), n(c["overdue"]), yen(c["cost"])]
            for c in report.categories
        ],
        [gettext("Total"), n(report.opened), n(report.closed), n(report.overdue), yen(report.cost)],
    )
    chart = bar_chart(
        "chart-maintenance",
        gettext("Tickets opened and closed by category"),
        [c["label"] for c in report.categories],
        [
            Series(gettext("Tickets opened"), [c["opened"] for c in report.categories]),
            Series(gettext("Tickets closed"), [c["closed"] for c in report.categories]),
        ],
    )
    sections = [Section("maintenance-categories", gettext("Tickets by category"), table, chart)]
    sections.append(
        Section(
            "maintenance-overdue",
            gettext("Overdue at the end of the period"),
            Table(
                gettext("Overdue at the end of the period"),
                [gettext("No."), gettext("Title"), gettext("Location"), gettext("Due")],
                [
                    [str(t["id"]), t["title"], t["location"], format_date(t["due_on"], weekday=False)]
                    for t in report.overdue_tickets
                ],
            ),
        )
    )
    done = [
        [
            p["title"],
            gettext("Renovation project"),
            format_date(p["completed_on"], weekday=False),
            yen(p["budget"]),
        ]
        for p in report.projects
    ] + [
        [
            t["title"],
            gettext("Ticket"),
            format_date(t["resolved_at"], weekday=False),
            yen(t["actual_cost"] or 0),
        ]
        for t in report.barrier_free_tickets
    ]
    sections.append(
        Section(
            "maintenance-barrier-free",
            gettext("Barrier-free improvements completed"),
            Table(
                gettext("Barrier-free improvements completed"),
                [gettext("Title"), gettext("Kind"), gettext("Completed"), gettext("Cost or budget")],
                done,
            ),
        )
    )
    return sections


MAINTENANCE_RULES = (
    N_("Opened: tickets created in the period. Closed: tickets done or rejected in the period."),
    N_("Overdue: tickets still open at the end of the period whose due date had passed by then."),
    N_("Costs: the actual cost of tickets done in the period; rejected tickets cost nothing."),
    N_(
        "Barrier-free improvements: barrier-free renovation projects completed in the period and "
        "barrier-free tickets done in it."
    ),
)


# --- programmes --------------------------------------------------------------------------------


def programmes_sections(report: ProgrammesReport) -> list[Section]:
    t = report.total
    summary = Table(
        gettext("Programmes in figures"),
        [gettext("Figure"), gettext("Value")],
        [
            [gettext("Flower-bed days held"), n(t.days_held)],
            [gettext("Flower-bed days cancelled"), n(t.days_cancelled)],
            [gettext("Flower-bed days still planned"), n(t.days_planned)],
            [gettext("Participants"), n(t.people)],
            [gettext("Volunteers (people)"), n(report.volunteers)],
            [gettext("Registered volunteers"), n(report.registered)],
            [gettext("Volunteer hours"), hours(t.minutes)],
            [gettext("Points awarded"), n(t.points)],
            [gettext("Volunteers awarded points"), n(report.point_earners)],
            [gettext("Beds planted"), n(t.beds)],
            [gettext("Screenings held"), n(t.screenings)],
            [gettext("Screenings cancelled"), n(t.screenings_cancelled)],
            [gettext("Screening attendance"), n(t.attendance)],
            [gettext("Screenings with a count"), n(t.screenings_counted)],
            [
                gettext("Average attendance per counted screening"),
                "—" if t.average_attendance is None else f"{t.average_attendance:.1f}",
            ],
        ],
    )
    chart = None
    if len(report.months) > 1:
        chart = line_chart(
            "chart-programmes",
            gettext("Flower-bed participants and screening attendance per month"),
            [month.short_title for month, _ in report.months],
            [
                Series(gettext("Participants"), [f.people for _, f in report.months]),
                Series(gettext("Screening attendance"), [f.attendance for _, f in report.months]),
            ],
        )
    sections = [Section("programmes-summary", gettext("Programmes in figures"), summary, chart)]
    if len(report.months) > 1:
        sections.append(
            Section(
                "programmes-months",
                gettext("Programmes by month"),
                Table(
                    gettext("Programmes by month"),
                    [
                        gettext("Month"),
                        gettext("Flower-bed days held"),
                        gettext("Participants"),
                        gettext("Volunteer hours"),
                        gettext("Points awarded"),
                        gettext("Screenings held"),
                        gettext("Screening attendance"),
                    ],
                    [
                        [
                            month.title,
                            n(f.days_held),
                            n(f.people),
                            hours(f.minutes),
                            n(f.points),
                            n(f.screenings),
                            n(f.attendance),
                        ]
                        for month, f in report.months
                    ],
                ),
            )
        )
    sections.append(
        Section(
            "programmes-days",
            gettext("Flower-bed days held"),
            Table(
                gettext("Flower-bed days held"),
                [
                    gettext("Date"),
                    pgettext("programme", "Title"),
                    gettext("Participants"),
                    gettext("Volunteer hours"),
                ],
                [
                    [
                        format_date(d["day"], weekday=False),
                        pick(d["title_ja"], d["title_en"]),
                        n(d["people"]),
                        hours(d["minutes"]),
                    ]
                    for d in report.days
                ],
            ),
        )
    )
    return sections


PROGRAMME_RULES = (
    N_(
        "Flower-bed days count on the day they took place or were planned for; a postponed day "
        "counts on its new date."
    ),
    N_(
        "Participants: people who attended a day that was held, each signup with its companions. "
        "Volunteers: distinct people who attended."
    ),
    N_(
        "Volunteer hours: attended minutes × party size. Points: volunteer points earned for days "
        "in the period."
    ),
    N_(
        "Screenings held: screenings not cancelled that started in the period before the report was"
        " made; attendance is the people counted at them."
    ),
)

RULES = {
    "usage": USAGE_RULES,
    "income": INCOME_RULES,
    "maintenance": MAINTENANCE_RULES,
    "programmes": PROGRAMME_RULES,
}
