"""What each report shows, as sections the page and the PDF render alike: a heading, an optional
chart, and the table of the same figures (the chart's text alternative). Numbers are formatted
once (center.shell.reports.cells), so the page, the PDF and the tests read the same text. This
module is the index: each report's sections and the rules printed under it."""

from __future__ import annotations

from center.shell.reports.cells import KINDS, Section, Shown
from center.shell.reports.domain_sections import (
    MAINTENANCE_RULES,
    PROGRAMME_RULES,
    maintenance_sections,
    programmes_sections,
)
from center.shell.reports.income_sections import INCOME_RULES, income_sections
from center.shell.reports.usage_sections import USAGE_RULES, usage_sections

__all__ = [
    "KINDS",
    "RULES",
    "Section",
    "Shown",
    "income_sections",
    "maintenance_sections",
    "programmes_sections",
    "usage_sections",
]

RULES = {
    "usage": USAGE_RULES,
    "income": INCOME_RULES,
    "maintenance": MAINTENANCE_RULES,
    "programmes": PROGRAMME_RULES,
}
