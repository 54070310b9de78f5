"""The usage report's sections: figures by room, slot, weekday and purpose, compared with the month
and year before."""

from __future__ import annotations

from center.lib.i18n import N_, gettext
from center.shell.reports.cells import Section, Shown, Table, by_hours, by_slot, change, hours, n, occupancy
from center.shell.reports.charts import Series, bar_chart, line_chart, percent
from center.shell.reports.usage import TOP_PURPOSES, Figures, UsageReport


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
