"""The reports as CSV for Excel: UTF-8 with a byte-order mark (so Japanese Excel opens it
correctly), CRLF line ends, one header row in the user's language (Japanese by default), then
one row per room, category or month and a total row. Rates are percentages with one decimal,
hours have one decimal, money is whole yen without separators.

Every cell goes through `cell()`: text that a spreadsheet would read as a formula (starting with
= + - @, a tab or a carriage return, e.g. a room named `=HYPERLINK(...)`) gets a leading single
quote, so it shows as text and never runs."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from center.i18n import N_, gettext
from center.reports.income import IncomeReport
from center.reports.maintenance_report import MaintenanceReport
from center.reports.programmes_report import ProgrammesReport
from center.reports.usage import Figures, UsageReport

BOM = "\ufeff"
TOTAL = N_("Total")

USAGE_COLUMNS = (
    N_("Room"),
    N_("Available slots"),
    N_("Slots closed for works"),
    N_("Booked slots"),
    N_("Occupancy by slot (%)"),
    N_("Available hours"),
    N_("Booked hours"),
    N_("Occupancy by hours (%)"),
    N_("Number of bookings"),
    N_("Bookings with a head count"),
    N_("Head count"),
    N_("No-shows"),
    N_("Cancellations"),
)
INCOME_COLUMNS = (
    N_("Room"),
    N_("Number of bookings"),
    N_("Room fees"),
    N_("Surcharges"),
    N_("Heating fees"),
    N_("Reductions"),
    N_("Fees charged"),
    N_("Reduced bookings"),
    N_("Full reductions"),
)
MAINTENANCE_COLUMNS = (
    N_("Category"),
    N_("Tickets opened"),
    N_("Tickets closed"),
    N_("Overdue at the end of the period"),
    N_("Costs (yen)"),
)
PROGRAMME_COLUMNS = (
    N_("Month"),
    N_("Flower-bed days held"),
    N_("Flower-bed days cancelled"),
    N_("Participants"),
    N_("Volunteer hours"),
    N_("Points awarded"),
    N_("Screenings held"),
    N_("Screenings with a count"),
    N_("Screening attendance"),
)


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f}"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """One CSV cell, safe to open in a spreadsheet: text starting like a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """The CSV bytes: BOM, translated header row, the rows; every cell through `cell()`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([cell(gettext(column)) for column in columns])
    writer.writerows([cell(value) for value in row] for row in rows)
    return (BOM + buffer.getvalue()).encode("utf-8")


def _usage_row(name: str, f: Figures) -> list[object]:
    return [
        name,
        f.available_slots,
        f.closed_slots,
        f.booked_slots,
        _rate(f.slot_rate),
        _hours(f.available_minutes),
        _hours(f.booked_minutes),
        _rate(f.hour_rate),
        f.bookings,
        f.counted,
        f.head_count,
        f.no_shows,
        f.cancellations,
    ]


def usage_csv(report: UsageReport) -> bytes:
    rows = [_usage_row(room["name"], room["figures"]) for room in report.rooms]
    rows.append(_usage_row(gettext(TOTAL), report.total))
    return write(USAGE_COLUMNS, rows)


def income_csv(report: IncomeReport) -> bytes:
    def row(name: str, c) -> list[object]:
        return [
            name,
            c.bookings,
            c.room_fee,
            c.surcharge_fee,
            c.heating_fee,
            c.reduction_fee,
            c.fee_total,
            c.reduced,
            c.full_reductions,
        ]

    rows = [row(room["name"], room["charges"]) for room in report.rooms]
    rows.append(row(gettext(TOTAL), report.charges))
    return write(INCOME_COLUMNS, rows)


def maintenance_csv(report: MaintenanceReport) -> bytes:
    rows: list[list[object]] = [
        [item["label"], item["opened"], item["closed"], item["overdue"], item["cost"]]
        for item in report.categories
    ]
    rows.append([gettext(TOTAL), report.opened, report.closed, report.overdue, report.cost])
    return write(MAINTENANCE_COLUMNS, rows)


def programmes_csv(report: ProgrammesReport) -> bytes:
    def row(name: str, f) -> list[object]:
        return [
            name,
            f.days_held,
            f.days_cancelled,
            f.people,
            _hours(f.minutes),
            f.points,
            f.screenings,
            f.screenings_counted,
            f.attendance,
        ]

    rows = [row(month.title, figures) for month, figures in report.months]
    if len(report.months) > 1:
        rows.append(row(gettext(TOTAL), report.total))
    return write(PROGRAMME_COLUMNS, rows)
