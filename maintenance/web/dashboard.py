"""The facilities team's overview pages: the dashboard (open work by priority, overdue, costs),
the board by status, the bookings affected by barrier-free features out of order, and the monthly
report PDF."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.response import Template

from center.accounts.guards import requires_facilities
from center.lib import dates
from center.lib.months import parse_month
from maintenance import tickets
from maintenance.accessibility import affected_bookings, open_feature_tickets
from maintenance.dashboard import dashboard
from maintenance.documents import monthly_report_pdf
from maintenance.reports import waiting_count
from maintenance.web.common import labels
from maintenance.workflow import OPEN_STATUSES


class DashboardController(Controller):
    """The facilities team's overview of the work."""

    path = "/maintenance"
    guards = (requires_facilities,)

    @get("/", name="maintenance:dashboard")
    async def dashboard_page(self, request: Request) -> Template:
        """Open work by priority, overdue, time to resolve, this fiscal year's costs."""
        from maintenance.inspections import list_inspections

        overdue_tickets = await tickets.list_tickets({"overdue": True}, limit=20)
        inspections = [row for row in await list_inspections() if row["overdue"]]
        return Template(
            "maintenance/dashboard.html",
            context={
                "figures": await dashboard(),
                "overdue_tickets": overdue_tickets,
                "overdue_inspections": inspections,
                "reports_waiting": await waiting_count(),
                "today": dates.today(),
                **labels(),
            },
        )

    @get("/board", name="maintenance:board")
    async def board(self, request: Request) -> Template:
        """Open tickets in one column per status."""
        rows = await tickets.list_tickets({"status": "open"})
        columns = [(status, [row for row in rows if row["status"] == status]) for status in OPEN_STATUSES]
        return Template(
            "maintenance/board.html", context={"columns": columns, "today": dates.today(), **labels()}
        )

    @get("/accessibility", name="maintenance:accessibility")
    async def accessibility(self, request: Request) -> Template:
        """Barrier-free features out of order and the bookings in the rooms they affect."""
        return Template(
            "maintenance/accessibility.html",
            context={"tickets": await open_feature_tickets(), "rows": await affected_bookings(), **labels()},
        )

    @get("/monthly-report.pdf", name="maintenance:monthly_report")
    async def monthly_report(self, request: Request) -> Response[bytes]:
        """Opened, closed, overdue, costs and barrier-free progress for a month (?month=YYYY-MM)."""
        year, month = parse_month(request.query_params.get("month"), dates.today())
        data = await monthly_report_pdf(year, month)
        return Response(
            data,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'inline; filename="maintenance-{year:04d}-{month:02d}.pdf"',
                "Cache-Control": "private",
            },
        )


ROUTES = [DashboardController]
