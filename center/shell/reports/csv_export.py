"""The reports as CSV for Excel: UTF-8 with a byte-order mark (so Japanese Excel opens it
correctly), CRLF line ends, text in the user's language (Japanese by default). Every cell goes
through write(), the one function that turns rows into CSV bytes.

The usage and income reports are one file each with everything their page shows, in the page's
order: a heading (the report, its period and its dates), then one block per section of the page,
each block its section's title, the table's caption when it says more, the header row, the rows,
the total row and the section's note, with an empty row between blocks. One file with blocks
rather than one file per section: it opens with a double click as one sheet, where several files
would arrive as a zip that Excel cannot open directly. The figures are those of the page in plain
form: money is whole yen without separators or sign of currency (a reduction in the fee tables is
negative, as the page shows it), rates are percentages with one decimal and the heading says
(%), changes in rates are percentage points, hours have one decimal, "—" is an empty cell.

The maintenance and programmes reports stay one table each: a header row, one row per category
or month and a total row.
Every cell goes through `cell()`: text that a spreadsheet would read as a formula (starting with
= + - @, a tab or a carriage return, e.g. a room named `=HYPERLINK(...)`) gets a leading single
quote, so it shows as text and never runs. Numbers stay numbers (a negative amount is not text)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from center.lib.i18n import N_, gettext
from center.shell.reports.maintenance_report import MaintenanceReport
from center.shell.reports.periods import Period
from center.shell.reports.programmes_report import ProgrammesReport
from center.shell.reports.sections import Section, Shown

BOM = "\ufeff"
TOTAL = N_("Total")

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


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f}"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """One CSV cell, safe to open in a spreadsheet: text starting like a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write(rows: Iterable[Sequence[object]]) -> bytes:
    """The CSV bytes: BOM, then the rows as they are (headings already translated), CRLF; every
    cell through `cell()`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([cell(value) for value in row] for row in rows)
    return (BOM + buffer.getvalue()).encode("utf-8")


def _header(columns: Sequence[str]) -> list[str]:
    return [gettext(column) for column in columns]


def _plain(cell: object) -> object:
    """A page's figure in the form a spreadsheet reads (see the module's notes)."""
    return cell.plain if isinstance(cell, Shown) else cell


def sections_csv(title: str, period: Period, period_range: str, sections: Sequence[Section]) -> bytes:
    """A report page as CSV: its heading, then each section as a block (see the module's notes)."""
    rows: list[Sequence[object]] = [[title, period.title], [period_range]]
    for section in sections:
        table = section.table
        rows.append([])
        rows.append([section.title])
        if table.caption != section.title:
            rows.append([table.caption])
        rows.append([_plain(column) for column in table.columns])
        rows.extend([_plain(cell) for cell in row] for row in table.rows)
        if not table.rows:
            rows.append([gettext("None.")])
        if table.total:
            rows.append([_plain(cell) for cell in table.total])
        if section.note:
            rows.append([section.note])
    return write(rows)


def maintenance_csv(report: MaintenanceReport) -> bytes:
    rows: list[list[object]] = [
        [item["label"], item["opened"], item["closed"], item["overdue"], item["cost"]]
        for item in report.categories
    ]
    rows.append([gettext(TOTAL), report.opened, report.closed, report.overdue, report.cost])
    return write([_header(MAINTENANCE_COLUMNS), *rows])


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
    return write([_header(PROGRAMME_COLUMNS), *rows])
