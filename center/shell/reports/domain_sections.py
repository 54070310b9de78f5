"""The maintenance and programmes reports' sections: tickets and works; flower-bed days, screenings
and volunteer points."""

from __future__ import annotations

from center.lib.dates import format_date
from center.lib.i18n import N_, gettext, pgettext, pick
from center.shell.reports.cells import Section, Table, hours, n
from center.shell.reports.charts import Series, bar_chart, line_chart
from center.shell.reports.maintenance_report import MaintenanceReport
from center.shell.reports.programmes_report import ProgrammesReport
from center.web.templating import yen


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
