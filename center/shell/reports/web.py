"""The reports pages for managers: choose a month or a fiscal year, then each report as a page
with charts and tables, as a PDF for the city and as CSV for Excel. Periods come from the query
string (?month=2026-11 or ?year=2026); a bad value is a 400 with the reason."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from center.accounts.guards import requires_manager
from center.lib import dates
from center.lib.errors import NotFound
from center.lib.i18n import N_, current_locale, gettext, pick
from center.lib.months import fiscal_year, shift_month
from center.places.calendar import load_profile
from center.shell.reports import csv_export
from center.shell.reports.income import income_report
from center.shell.reports.maintenance_report import maintenance_report
from center.shell.reports.periods import Period, parse_period
from center.shell.reports.programmes_report import programmes_report
from center.shell.reports.sections import (
    KINDS,
    RULES,
    Section,
    income_sections,
    maintenance_sections,
    programmes_sections,
    usage_sections,
)
from center.shell.reports.usage import usage_report
from center.web.pdf import render_pdf

UNKNOWN_REPORT = N_("There is no such report.")


async def build(kind: str, period: Period) -> tuple[Any, list[Section]]:
    """The report and the sections its page and PDF show."""
    if kind == "usage":
        report = await usage_report(period)
        return report, usage_sections(report)
    if kind == "income":
        report = await income_report(period)
        return report, income_sections(report)
    if kind == "maintenance":
        report = await maintenance_report(period)
        return report, maintenance_sections(report)
    if kind == "programmes":
        report = await programmes_report(period)
        return report, programmes_sections(report)
    raise NotFound(UNKNOWN_REPORT)


def period_range(period: Period) -> str:
    """令和8年11月1日 – 令和8年11月30日: the period's first and last day, as the page shows them."""
    return (
        f"{dates.format_date(period.first, weekday=False)} – {dates.format_date(period.last, weekday=False)}"
    )


async def csv_bytes(kind: str, period: Period) -> bytes:
    """The report as CSV (UTF-8 with BOM); usage and income carry every section of their page."""
    if kind in ("usage", "income"):
        _, sections = await build(kind, period)
        return csv_export.sections_csv(gettext(KINDS[kind]), period, period_range(period), sections)
    if kind == "maintenance":
        return csv_export.maintenance_csv(await maintenance_report(period))
    if kind == "programmes":
        return csv_export.programmes_csv(await programmes_report(period))
    raise NotFound(UNKNOWN_REPORT)


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise NotFound(UNKNOWN_REPORT)
    return kind


def _neighbours(period: Period) -> tuple[Period, Period]:
    if period.month is None:
        return Period(period.year - 1), Period(period.year + 1)
    return Period(*shift_month(period.year, period.month, -1)), Period(
        *shift_month(period.year, period.month, 1)
    )


def _links(kind: str, period: Period) -> dict[str, str]:
    query = period.query()
    return {
        "page": f"/reports/{kind}?{query}",
        "pdf": f"/reports/{kind}/pdf?{query}",
        "csv": f"/reports/{kind}/csv?{query}",
    }


def _choices(period: Period) -> dict[str, Any]:
    this_year = fiscal_year(dates.today())
    return {
        "month_value": f"{period.first:%Y-%m}",  # a fiscal year offers its April
        "year_value": period.year if period.month is None else fiscal_year(period.first),
        "years": list(range(this_year, this_year - 8, -1)),
        "fiscal_label": lambda year: Period(year).title,
    }


async def report_pdf_bytes(kind: str, period: Period) -> bytes:
    """The report as an A4 PDF: the center and the council, the era-dated period, page numbers."""
    _, sections = await build(kind, period)
    profile = await load_profile() or {}
    return await render_pdf(
        "pdf/report_document.html",
        {
            "locale": current_locale.get(),
            "title": gettext(KINDS[kind]),
            "period": period,
            "period_range": period_range(period),
            "center_name": pick(profile.get("name_ja", ""), profile.get("name_en", "")),
            "generated": dates.format_date(datetime.now(UTC), weekday=False),
            "sections": sections,
            "rules": [gettext(rule) for rule in RULES[kind]],
        },
    )


class ReportsController(Controller):
    """The reports to the city: the index, each report's page for a month or fiscal year, its
    PDF and its CSV."""

    path = "/reports"
    guards = (requires_manager,)

    @get("/", name="reports:index")
    async def index(self, request: Request) -> Template:
        """Choose a period; the four reports for it, each as a page, a PDF and CSV."""
        period = parse_period(request.query_params)
        reports = [
            {"kind": kind, "title": gettext(title), **_links(kind, period)} for kind, title in KINDS.items()
        ]
        return Template(
            "reports/index.html",
            context={"period": period, "reports": reports, **_choices(period)},
        )

    @get("/{kind:str}", name="reports:page")
    async def report_page(self, request: Request, kind: FromPath[str]) -> Template:
        """One report as a page: charts with their data tables, the counting rules, downloads."""
        kind = _kind(kind)
        period = parse_period(request.query_params)
        _, sections = await build(kind, period)
        earlier, later = _neighbours(period)
        return Template(
            "reports/report.html",
            context={
                "kind": kind,
                "title": gettext(KINDS[kind]),
                "period": period,
                "sections": sections,
                "rules": [gettext(rule) for rule in RULES[kind]],
                "links": _links(kind, period),
                "earlier": (earlier, _links(kind, earlier)["page"]),
                "later": (later, _links(kind, later)["page"]),
                "others": [
                    {"title": gettext(title), "href": _links(other, period)["page"]}
                    for other, title in KINDS.items()
                    if other != kind
                ],
                **_choices(period),
            },
        )

    @get("/{kind:str}/pdf", name="reports:pdf")
    async def report_pdf(self, request: Request, kind: FromPath[str]) -> Response[bytes]:
        kind = _kind(kind)
        period = parse_period(request.query_params)
        data = await report_pdf_bytes(kind, period)
        return Response(
            data,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'inline; filename="{kind}-{period.slug}.pdf"',
                "Cache-Control": "private, no-store",
            },
        )

    @get("/{kind:str}/csv", name="reports:csv")
    async def report_csv(self, request: Request, kind: FromPath[str]) -> Response[bytes]:
        kind = _kind(kind)
        period = parse_period(request.query_params)
        data = await csv_bytes(kind, period)
        return Response(
            data,
            media_type="text/csv",  # Litestar adds the charset (utf-8) to text types itself
            headers={
                "Content-Disposition": f'attachment; filename="{kind}-{period.slug}.csv"',
                "Cache-Control": "private, no-store",
            },
        )


ROUTES = [ReportsController]
