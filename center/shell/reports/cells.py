"""The building blocks of a report section: the table, the section, and numbers formatted once as
the page, the PDF and the CSV show them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from markupsafe import Markup

from center.lib.i18n import N_, gettext
from center.shell.reports.charts import percent
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
