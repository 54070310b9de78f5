"""Triage of the public reports: the list waiting (or dealt with), one report with the reporter's
contact, and accepting it as a ticket, merging it into one, or declining it."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from center.accounts.guards import requires_facilities
from center.lib.errors import DomainError, ValidationFailed
from center.lib.i18n import N_, gettext
from center.places import forms
from center.web.templating import flash
from maintenance import reports, tickets
from maintenance.ticket_list import open_ticket_choices
from maintenance.web.common import Form, labels, redirect


async def _report_page(
    request: Request,
    report_id: int,
    *,
    values: dict | None = None,
    errors: dict | None = None,
    message: str = "",
    status_code: int = 200,
) -> Template:
    report = await reports.get_report(report_id)
    open_tickets = await open_ticket_choices()
    same_place = [t for t in open_tickets if t["location"] == report["location"]]
    return Template(
        "maintenance/report.html",
        context={
            "report": report,
            "photos": await reports.report_photos(report_id),
            "open_tickets": same_place + [t for t in open_tickets if t["location"] != report["location"]],
            "values": values
            or {
                "title": report["description"][:60],
                "description": report["description"],
                "location": str(report["location"]),
                "category": "repair",
                "priority": "normal",
            },
            "errors": errors or {},
            "message": message,
            "locations": await tickets.location_choices(keep=report["location"]),
            "staff": await tickets.staff_choices(),
            **labels(),
        },
        status_code=status_code,
    )


async def _refused(
    request: Request, report_id: int, refused: DomainError, values: dict | None = None
) -> Template:
    if refused.status_code == 404:
        raise refused
    if isinstance(refused, ValidationFailed):
        return await _report_page(
            request, report_id, values=values, errors=refused.translated(), status_code=400
        )
    return await _report_page(
        request,
        report_id,
        message=gettext(refused.message, **refused.params),
        status_code=refused.status_code,
    )


class ReportTriageController(Controller):
    """Public reports for the facilities team to triage."""

    path = "/maintenance/reports"
    guards = (requires_facilities,)

    @get("/", name="maintenance:reports")
    async def report_list(self, request: Request) -> Template:
        """Public reports waiting for triage (or those dealt with, by status)."""
        status = request.query_params.get("status", "received")
        if status not in ("received", "accepted", "merged", "declined"):
            status = "received"
        return Template(
            "maintenance/reports.html",
            context={"rows": await reports.list_reports(status), "status": status, **labels()},
        )

    @get("/{report_id:int}", name="maintenance:report")
    async def report_page(self, request: Request, report_id: FromPath[int]) -> Template:
        """One report with the reporter's contact (staff only) and the triage forms."""
        return await _report_page(request, report_id)

    @post("/{report_id:int}/accept", name="maintenance:report_accept")
    async def report_accept(
        self, request: Request, report_id: FromPath[int], data: Form
    ) -> Template | Redirect:
        report = await reports.get_report(report_id)
        try:
            fields = await tickets.parse_fields(data, keep_location=report["location"])
            ticket_id = await reports.accept(report_id, fields, request.user)
        except DomainError as refused:
            return await _refused(request, report_id, refused, dict(data))
        flash(request, N_("The report became a ticket."))
        return redirect(request, "maintenance:ticket", ticket_id=ticket_id)

    @post("/{report_id:int}/merge", name="maintenance:report_merge")
    async def report_merge(
        self, request: Request, report_id: FromPath[int], data: Form
    ) -> Template | Redirect:
        await reports.get_report(report_id)
        raw = forms.text(data, "ticket")
        try:
            await reports.merge(report_id, int(raw) if raw.isdigit() else None, request.user)
        except DomainError as refused:
            return await _refused(request, report_id, refused)
        flash(request, N_("The report was merged into the ticket."))
        return redirect(request, "maintenance:ticket", ticket_id=int(raw))

    @post("/{report_id:int}/decline", name="maintenance:report_decline")
    async def report_decline(
        self, request: Request, report_id: FromPath[int], data: Form
    ) -> Template | Redirect:
        await reports.get_report(report_id)
        try:
            await reports.decline(report_id, forms.text(data, "note"), request.user)
        except DomainError as refused:
            return await _refused(request, report_id, refused)
        flash(request, N_("The report was closed without work."))
        return redirect(request, "maintenance:reports")


ROUTES = [ReportTriageController]
