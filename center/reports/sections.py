"""What each report shows, as sections the page and the PDF render alike: a heading, an optional
chart, and the table of the same figures (the chart's text alternative). Numbers are formatted
here once, so the page, the PDF and the tests read the same text."""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from center.dates import format_date
from center.i18n import N_, gettext, pick
from center.reports.charts import Series, bar_chart, line_chart, percent
from center.reports.income import Charges, IncomeReport
from center.reports.maintenance_report import MaintenanceReport
from center.reports.programmes_report import ProgrammesReport
from center.reports.usage import TOP_PURPOSES, Figures, UsageReport
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


def n(value: int | float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


def hours(minutes: int) -> str:
    return f"{minutes / 60:,.1f}"


def change(now: float | None, before: float | None, *, rate: bool = False) -> str:
    """+12 / −3 / +4.5 pt, or — when there is nothing to compare."""
    if now is None or before is None:
        return "—"
    if rate:
        diff = (now - before) * 100
        return f"{diff:+.1f} pt".replace("-", "−")
    return f"{now - before:+,}".replace("-", "−")


def _t(msgid: str, **params: object) -> str:
    return gettext(msgid, **params)


# --- usage -------------------------------------------------------------------------------------


def _usage_cells(f: Figures) -> list[str]:
    return [
        n(f.available_slots),
        n(f.booked_slots),
        percent(f.slot_rate),
        hours(f.available_minutes),
        hours(f.booked_minutes),
        percent(f.hour_rate),
        n(f.bookings),
        n(f.head_count),
        n(f.no_shows),
        n(f.cancellations),
    ]


USAGE_ROOM_COLUMNS = (
    N_("Available slots"),
    N_("Booked slots"),
    N_("Occupancy by slot"),
    N_("Available hours"),
    N_("Booked hours"),
    N_("Occupancy by hours"),
    N_("Bookings"),
    N_("Head count"),
    N_("No-shows"),
    N_("Cancellations"),
)


def usage_sections(report: UsageReport) -> list[Section]:
    rooms = Table(
        _t("Usage by room"),
        [_t("Room"), *map(_t, USAGE_ROOM_COLUMNS)],
        [[room["name"], *_usage_cells(room["figures"])] for room in report.rooms],
        [_t("Total"), *_usage_cells(report.total)],
    )
    by_room_chart = bar_chart(
        "chart-usage-rooms",
        _t("Occupancy by room"),
        [room["name"] for room in report.rooms],
        [
            Series(_t("Occupancy by slot"), [room["figures"].slot_rate for room in report.rooms]),
            Series(_t("Occupancy by hours"), [room["figures"].hour_rate for room in report.rooms]),
        ],
        fmt=percent,
        maximum=1,
    )
    sections = [Section("usage-rooms", _t("Occupancy by room"), rooms, by_room_chart)]
    previous = report.previous
    if previous is not None:
        rows = []
        for label, now, before, is_rate in (
            (_t("Available slots"), report.total.available_slots, previous.available_slots, False),
            (_t("Booked slots"), report.total.booked_slots, previous.booked_slots, False),
            (_t("Occupancy by slot"), report.total.slot_rate, previous.slot_rate, True),
            (_t("Occupancy by hours"), report.total.hour_rate, previous.hour_rate, True),
            (_t("Bookings"), report.total.bookings, previous.bookings, False),
            (_t("Head count"), report.total.head_count, previous.head_count, False),
            (_t("No-shows"), report.total.no_shows, previous.no_shows, False),
            (_t("Cancellations"), report.total.cancellations, previous.cancellations, False),
        ):
            shown = percent if is_rate else n
            rows.append([label, shown(now), shown(before), change(now, before, rate=is_rate)])
        table = Table(
            _t("Compared with the same period a year earlier"),
            [_t("Figure"), report.period.title, report.period.year_earlier().title, _t("Change")],
            rows,
        )
        chart = None
        if len(report.months) > 1:
            chart = line_chart(
                "chart-usage-trend",
                _t("Occupancy by slot per month, this year and a year earlier"),
                [month.short_title for month, _ in report.months],
                [
                    Series(report.period.title, [f.slot_rate for _, f in report.months]),
                    Series(
                        report.period.year_earlier().title, [f.slot_rate for _, f in report.previous_months]
                    ),
                ],
                fmt=percent,
                maximum=1,
            )
        sections.append(Section("usage-compare", _t("Compared with a year earlier"), table, chart))
    if len(report.months) > 1:
        sections.append(
            Section(
                "usage-months",
                _t("Usage by month"),
                Table(
                    _t("Usage by month"),
                    [_t("Month"), *map(_t, USAGE_ROOM_COLUMNS)],
                    [[month.title, *_usage_cells(f)] for month, f in report.months],
                    [_t("Total"), *_usage_cells(report.total)],
                ),
            )
        )
    kinds = Table(
        _t("Bookings by kind of group"),
        [_t("Kind of group"), _t("Bookings"), _t("Bookings with a head count"), _t("Head count")],
        [[k["label"], n(k["bookings"]), n(k["counted"]), n(k["head_count"])] for k in report.by_kind],
    )
    kinds_chart = bar_chart(
        "chart-usage-kinds",
        _t("Bookings by kind of group"),
        [k["label"] for k in report.by_kind],
        [Series(_t("Bookings"), [k["bookings"] for k in report.by_kind])],
    )
    sections.append(Section("usage-kinds", _t("By kind of group"), kinds, kinds_chart))
    purposes = Table(
        _t("Bookings by purpose"),
        [_t("Purpose"), _t("Bookings"), _t("Bookings with a head count"), _t("Head count")],
        [[p["purpose"], n(p["bookings"]), n(p["counted"]), n(p["head_count"])] for p in report.by_purpose],
    )
    sections.append(
        Section(
            "usage-purposes",
            _t("By purpose"),
            purposes,
            note=_t(
                "The %(count)s most frequent purposes as written on the bookings; the rest together.",
                count=TOP_PURPOSES - 1,
            ),
        )
    )
    return sections


USAGE_RULES = (
    N_(
        "Available slots: each slot a room offers on each day the center is open (within the "
        "opening hours). A room booked by the hour counts the center's slots of the day; its "
        "available hours are the opening hours."
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
        "Occupancy (稼働率) is booked slots ÷ available slots, and booked hours ÷ available hours. "
        "Room closures for repairs are not taken off the available slots."
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
        yen(c.room_fee),
        yen(c.surcharge_fee),
        yen(c.heating_fee),
        yen(-c.reduction_fee) if c.reduction_fee else yen(0),
        yen(c.fee_total),
        n(c.full_reductions),
    ]


CHARGE_COLUMNS = (
    N_("Bookings"),
    N_("Room fees"),
    N_("Surcharges"),
    N_("Heating fees"),
    N_("Reductions"),
    N_("Fees charged"),
    N_("Full reductions"),
)


def income_sections(report: IncomeReport) -> list[Section]:
    by_room = Table(
        _t("Fees charged by room"),
        [_t("Room"), *map(_t, CHARGE_COLUMNS)],
        [[room["name"], *_charge_cells(room["charges"])] for room in report.rooms],
        [_t("Total"), *_charge_cells(report.charges)],
    )
    if len(report.months) > 1:
        chart = line_chart(
            "chart-income-months",
            _t("Fees charged and reductions per month (yen)"),
            [month.short_title for month, _ in report.months],
            [
                Series(_t("Fees charged"), [c.fee_total for _, c in report.months]),
                Series(_t("Reductions"), [c.reduction_fee for _, c in report.months]),
            ],
            fmt=lambda value: f"{value / 1000:,.0f}k",
        )
    else:
        chart = bar_chart(
            "chart-income-rooms",
            _t("Fees charged and reductions by room (yen)"),
            [room["name"] for room in report.rooms],
            [
                Series(_t("Fees charged"), [room["charges"].fee_total for room in report.rooms]),
                Series(_t("Reductions"), [room["charges"].reduction_fee for room in report.rooms]),
            ],
            fmt=lambda value: yen(int(value)),
        )
    sections = [Section("income-rooms", _t("Fees charged"), by_room, chart)]
    if len(report.months) > 1:
        sections.append(
            Section(
                "income-months",
                _t("Fees charged by month"),
                Table(
                    _t("Fees charged by month"),
                    [_t("Month"), *map(_t, CHARGE_COLUMNS)],
                    [[month.title, *_charge_cells(c)] for month, c in report.months],
                    [_t("Total"), *_charge_cells(report.charges)],
                ),
            )
        )
    reductions = Table(
        _t("Reductions by reason"),
        [_t("Reason"), _t("Reduced bookings"), _t("Full reductions"), _t("Reductions")],
        [[r["label"], n(r["bookings"]), n(r["full"]), yen(r["amount"])] for r in report.reductions],
        [
            _t("Total"),
            n(sum(r["bookings"] for r in report.reductions)),
            n(sum(r["full"] for r in report.reductions)),
            yen(report.charges.reduction_fee),
        ],
    )
    sections.append(
        Section(
            "income-reductions",
            _t("Reductions (減免) by reason"),
            reductions,
            bar_chart(
                "chart-income-reductions",
                _t("Reductions by reason (yen)"),
                [r["label"] for r in report.reductions],
                [Series(_t("Reductions"), [r["amount"] for r in report.reductions])],
                fmt=lambda value: yen(int(value)),
            ),
        )
    )
    sections.append(
        Section(
            "income-cancellations",
            _t("Cancellations and refunds"),
            Table(
                _t("Cancelled bookings whose use fell in the period"),
                [_t("Figure"), _t("Value")],
                [
                    [_t("Cancellations"), n(report.cancellations)],
                    [_t("Fees of cancelled bookings"), yen(report.cancelled_fees)],
                    [_t("Refunds due"), yen(report.refunds_due)],
                ],
            ),
        )
    )
    desk = Table(
        _t("Money taken and paid out at the front desk"),
        [_t("Method"), _t("Payments received"), _t("Refunds paid"), _t("Net")],
        [[m["label"], yen(m["payments"]), yen(m["refunds"]), yen(m["net"])] for m in report.methods],
        [_t("Total"), yen(report.payments), yen(report.refunds), yen(report.net)],
    )
    if report.balances:
        note = _t(
            "Balanced: the front desk's daily cash summaries add up to the same %(net)s.",
            net=yen(report.desk_payments - report.desk_refunds),
        )
    else:
        note = _t(
            "Does not balance: the front desk's daily cash summaries add up to %(desk)s, "
            "a difference of %(difference)s.",
            desk=yen(report.desk_payments - report.desk_refunds),
            difference=yen(report.difference),
        )
    sections.append(Section("income-desk", _t("Payments and refunds at the front desk"), desk, note=note))
    return sections


INCOME_RULES = (
    N_(
        "Fees charged: approved bookings whose use starts in the period, as fixed on the booking. "
        "Fees charged = room fees + surcharges + heating fees − reductions."
    ),
    N_(
        "A full reduction is a booking with a reduction and nothing to pay. Reductions are grouped "
        "by the group's reduction category."
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
        _t("Tickets and costs by category"),
        [_t("Category"), _t("Tickets opened"), _t("Tickets closed"), _t("Overdue"), _t("Costs")],
        [
            [c["label"], n(c["opened"]), n(c["closed"]), n(c["overdue"]), yen(c["cost"])]
            for c in report.categories
        ],
        [_t("Total"), n(report.opened), n(report.closed), n(report.overdue), yen(report.cost)],
    )
    chart = bar_chart(
        "chart-maintenance",
        _t("Tickets opened and closed by category"),
        [c["label"] for c in report.categories],
        [
            Series(_t("Tickets opened"), [c["opened"] for c in report.categories]),
            Series(_t("Tickets closed"), [c["closed"] for c in report.categories]),
        ],
    )
    sections = [Section("maintenance-categories", _t("Tickets by category"), table, chart)]
    sections.append(
        Section(
            "maintenance-overdue",
            _t("Overdue at the end of the period"),
            Table(
                _t("Overdue at the end of the period"),
                [_t("No."), _t("Title"), _t("Location"), _t("Due")],
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
            _t("Renovation project"),
            format_date(p["completed_on"], weekday=False),
            yen(p["budget"]),
        ]
        for p in report.projects
    ] + [
        [t["title"], _t("Ticket"), format_date(t["resolved_at"], weekday=False), yen(t["actual_cost"] or 0)]
        for t in report.barrier_free_tickets
    ]
    sections.append(
        Section(
            "maintenance-barrier-free",
            _t("Barrier-free improvements completed"),
            Table(
                _t("Barrier-free improvements completed"),
                [_t("Title"), _t("Kind"), _t("Completed"), _t("Cost or budget")],
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
        _t("Programmes in figures"),
        [_t("Figure"), _t("Value")],
        [
            [_t("Flower-bed days held"), n(t.days_held)],
            [_t("Flower-bed days cancelled"), n(t.days_cancelled)],
            [_t("Flower-bed days still planned"), n(t.days_planned)],
            [_t("Participants"), n(t.people)],
            [_t("Volunteers (people)"), n(report.volunteers)],
            [_t("Registered volunteers"), n(report.registered)],
            [_t("Volunteer hours"), hours(t.minutes)],
            [_t("Points awarded"), n(t.points)],
            [_t("Volunteers awarded points"), n(report.point_earners)],
            [_t("Beds planted"), n(t.beds)],
            [_t("Screenings held"), n(t.screenings)],
            [_t("Screenings cancelled"), n(t.screenings_cancelled)],
            [_t("Screening attendance"), n(t.attendance)],
            [_t("Screenings with a count"), n(t.screenings_counted)],
            [
                _t("Average attendance per counted screening"),
                "—" if t.average_attendance is None else f"{t.average_attendance:.1f}",
            ],
        ],
    )
    chart = None
    if len(report.months) > 1:
        chart = line_chart(
            "chart-programmes",
            _t("Flower-bed participants and screening attendance per month"),
            [month.short_title for month, _ in report.months],
            [
                Series(_t("Participants"), [f.people for _, f in report.months]),
                Series(_t("Screening attendance"), [f.attendance for _, f in report.months]),
            ],
        )
    sections = [Section("programmes-summary", _t("Programmes in figures"), summary, chart)]
    if len(report.months) > 1:
        sections.append(
            Section(
                "programmes-months",
                _t("Programmes by month"),
                Table(
                    _t("Programmes by month"),
                    [
                        _t("Month"),
                        _t("Flower-bed days held"),
                        _t("Participants"),
                        _t("Volunteer hours"),
                        _t("Points awarded"),
                        _t("Screenings held"),
                        _t("Screening attendance"),
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
            _t("Flower-bed days held"),
            Table(
                _t("Flower-bed days held"),
                [_t("Date"), _t("Title"), _t("Participants"), _t("Volunteer hours")],
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
