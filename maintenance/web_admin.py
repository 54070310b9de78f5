"""Facilities pages around the tickets: triage of public reports (accept as a ticket, merge into
one, decline), closing a room with the clash flow, inspections, renovation projects, the list of
bookings affected by barrier-free features out of order, and the monthly report PDF."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from center.accounts.guards import requires_facilities
from center.lib import dates
from center.lib.errors import DomainError, NotFound, ValidationFailed
from center.lib.i18n import N_, gettext
from center.places import forms
from center.places.tables import Room
from center.web.templating import flash
from maintenance import closure_clashes, closures, inspections, projects, reports, tickets
from maintenance.accessibility import affected_bookings, open_feature_tickets
from maintenance.documents import monthly_report_pdf
from maintenance.tables import Ticket
from maintenance.web_common import Form, labels, redirect
from maintenance.workflow import OPEN_STATUSES

GUARD: dict[str, Any] = {"guards": [requires_facilities]}


# Reports ---------------------------------------------------------------------------------------


@get("/maintenance/reports", name="maintenance:reports", **GUARD)
async def report_list(request: Request) -> Template:
    """Public reports waiting for triage (or those dealt with, by status)."""
    status = request.query_params.get("status", "received")
    if status not in ("received", "accepted", "merged", "declined"):
        status = "received"
    return Template(
        "maintenance/reports.html",
        context={"rows": await reports.list_reports(status), "status": status, **labels()},
    )


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
    open_tickets = (
        await Ticket.select(Ticket.id, Ticket.title, Ticket.location)
        .where(Ticket.status.is_in(list(OPEN_STATUSES)))
        .order_by(Ticket.id, ascending=False)
    )
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


@get("/maintenance/reports/{report_id:int}", name="maintenance:report", **GUARD)
async def report_page(request: Request, report_id: FromPath[int]) -> Template:
    """One report with the reporter's contact (staff only) and the triage forms."""
    return await _report_page(request, report_id)


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


@post("/maintenance/reports/{report_id:int}/accept", name="maintenance:report_accept", **GUARD)
async def report_accept(request: Request, report_id: FromPath[int], data: Form) -> Template | Redirect:
    report = await reports.get_report(report_id)
    try:
        fields = await tickets.parse_fields(data, keep_location=report["location"])
        ticket_id = await reports.accept(report_id, fields, request.user)
    except DomainError as refused:
        return await _refused(request, report_id, refused, dict(data))
    flash(request, N_("The report became a ticket."))
    return redirect(request, "maintenance:ticket", ticket_id=ticket_id)


@post("/maintenance/reports/{report_id:int}/merge", name="maintenance:report_merge", **GUARD)
async def report_merge(request: Request, report_id: FromPath[int], data: Form) -> Template | Redirect:
    await reports.get_report(report_id)
    raw = forms.text(data, "ticket")
    try:
        await reports.merge(report_id, int(raw) if raw.isdigit() else None, request.user)
    except DomainError as refused:
        return await _refused(request, report_id, refused)
    flash(request, N_("The report was merged into the ticket."))
    return redirect(request, "maintenance:ticket", ticket_id=int(raw))


@post("/maintenance/reports/{report_id:int}/decline", name="maintenance:report_decline", **GUARD)
async def report_decline(request: Request, report_id: FromPath[int], data: Form) -> Template | Redirect:
    await reports.get_report(report_id)
    try:
        await reports.decline(report_id, forms.text(data, "note"), request.user)
    except DomainError as refused:
        return await _refused(request, report_id, refused)
    flash(request, N_("The report was closed without work."))
    return redirect(request, "maintenance:reports")


# Closures --------------------------------------------------------------------------------------

DECISION = re.compile(r"^decision-(\d+)$")
SCREENING_DECISION = re.compile(r"^screening-(\d+)$")


def _field(row: dict) -> str:
    """The form field holding the choice for one clash."""
    return row["field"]


def _unchosen(row: dict) -> str:
    return gettext(closure_clashes.choice_missing(row["hold"]))


async def _closure_page(
    request: Request,
    ticket_id: int,
    *,
    values: dict,
    errors: dict | None = None,
    message: str = "",
    clashes: list | None = None,
    period: closures.Period | None = None,
    status_code: int = 200,
) -> Template:
    return Template(
        "maintenance/closure.html",
        context={
            "period": period,
            "ticket": await tickets.get_ticket(ticket_id),
            "rooms": await Room.select(
                Room.id, Room.name_ja, Room.name_en, Room.floor, Room.capacity
            ).order_by(Room.sort_order, Room.id),
            "values": values,
            "errors": errors or {},
            "message": message,
            "clashes": clashes or [],
            **labels(),
        },
        status_code=status_code,
    )


@get("/maintenance/tickets/{ticket_id:int}/closure", name="maintenance:closure_form", **GUARD)
async def closure_form(request: Request, ticket_id: FromPath[int]) -> Template:
    """Close a room for this ticket's work."""
    ticket = await tickets.get_ticket(ticket_id)
    room = str(ticket["location_room"] or "")
    return await _closure_page(
        request, ticket_id, values={"room": room, "start_time": "09:00", "end_time": "21:00"}
    )


@post("/maintenance/tickets/{ticket_id:int}/closure", name="maintenance:closure", **GUARD)
async def close_room(request: Request, ticket_id: FromPath[int], data: Form) -> Template | Redirect:
    """Check the period; if bookings hold it, show them with alternatives until each has a
    decision; then move or cancel them and close the room, all at once."""
    await tickets.get_ticket(ticket_id)
    values = {key: forms.text(data, key) for key in data}
    decisions = {int(m[1]): forms.text(data, key) for key in data if (m := DECISION.match(key))}
    screening_decisions = {
        int(m[1]): forms.text(data, key) for key in data if (m := SCREENING_DECISION.match(key))
    }
    found: list = []
    period = None
    try:
        await closures.open_ticket(ticket_id)
        period = closures.parse_period(data)
        found = await closures.clashes(period)
        pending = [row for row in found if not values.get(_field(row))]
        if pending:
            errors = {}
            if decisions or screening_decisions or "confirm" in data:
                # A second round with some clashes left undecided: refused, nothing changed.
                errors = {_field(row): _unchosen(row) for row in pending}
            return await _closure_page(
                request,
                ticket_id,
                values=values,
                errors=errors,
                clashes=found,
                period=period,
                message=gettext(
                    N_("Bookings or screenings hold this room at that time: move or cancel each one.")
                ),
                status_code=409 if not errors else 400,
            )
        await closures.close_room(
            ticket_id,
            period,
            request.user,
            reason=forms.text(data, "reason"),
            decisions=decisions,
            screening_decisions=screening_decisions,
        )
    except ValidationFailed as invalid:
        return await _closure_page(
            request,
            ticket_id,
            values=values,
            errors=invalid.translated(),
            clashes=found,
            period=period,
            message=gettext(invalid.message),
            status_code=400,
        )
    except DomainError as refused:
        if refused.status_code == 404:
            raise
        return await _closure_page(
            request,
            ticket_id,
            values=values,
            clashes=found,
            period=period,
            message=gettext(refused.message, **refused.params),
            status_code=refused.status_code,
        )
    flash(request, N_("The room is closed for the work. Affected groups were notified."))
    return redirect(request, "maintenance:ticket", ticket_id=ticket_id)


@post("/maintenance/closures/{closure_id:int}/end", name="maintenance:closure_end", **GUARD)
async def end_closure(request: Request, closure_id: FromPath[int]) -> Redirect:
    """Reopen the room now."""
    from maintenance.tables import Closure

    row = await Closure.select(Closure.ticket).where(Closure.id == closure_id).first()
    if row is None:
        raise NotFound(N_("That closure does not exist."))
    await closures.end_closure(closure_id, request.user)
    flash(request, N_("The room is open again."))
    return redirect(request, "maintenance:ticket", ticket_id=row["ticket"])


# Accessibility ---------------------------------------------------------------------------------


@get("/maintenance/accessibility", name="maintenance:accessibility", **GUARD)
async def accessibility(request: Request) -> Template:
    """Barrier-free features out of order and the bookings in the rooms they affect."""
    return Template(
        "maintenance/accessibility.html",
        context={"tickets": await open_feature_tickets(), "rows": await affected_bookings(), **labels()},
    )


# Inspections -----------------------------------------------------------------------------------


@get("/maintenance/inspections", name="maintenance:inspections", **GUARD)
async def inspection_list(request: Request) -> Template:
    """Recurring inspections, overdue first, and the form to add one."""
    return await _inspections_page({"every": "1", "unit": "month", "lead_days": "7"}, {})


async def _inspections_page(values: dict, errors: dict, status_code: int = 200) -> Template:
    return Template(
        "maintenance/inspections.html",
        context={
            "rows": await inspections.list_inspections(),
            "values": values,
            "errors": errors,
            "locations": await tickets.location_choices(),
            "units": {key: gettext(value) for key, value in inspections.UNITS.items()},
            "today": dates.today(),
            **labels(),
        },
        status_code=status_code,
    )


@post("/maintenance/inspections", name="maintenance:inspection_create", **GUARD)
async def inspection_create(request: Request, data: Form) -> Template | Redirect:
    try:
        fields = await inspections.parse_inspection(data)
    except ValidationFailed as invalid:
        return await _inspections_page(dict(data), invalid.translated(), status_code=400)
    await inspections.create_inspection(fields, request.user)
    await inspections.open_due()
    flash(request, N_("The inspection was added."))
    return redirect(request, "maintenance:inspections")


# Projects --------------------------------------------------------------------------------------


@get("/maintenance/projects", name="maintenance:projects", **GUARD)
async def project_list(request: Request) -> Template:
    return Template(
        "maintenance/projects.html",
        context={
            "projects": await projects.projects_with_progress(),
            "values": {"public": "on", "barrier_free": "on"},
            "errors": {},
            **labels(),
        },
    )


@post("/maintenance/projects", name="maintenance:project_create", **GUARD)
async def project_create(request: Request, data: Form) -> Template | Redirect:
    try:
        fields = await projects.parse_project(data)
    except ValidationFailed as invalid:
        return Template(
            "maintenance/projects.html",
            context={
                "projects": await projects.projects_with_progress(),
                "values": dict(data),
                "errors": invalid.translated(),
                **labels(),
            },
            status_code=400,
        )
    project_id = await projects.create_project(fields, request.user)
    flash(request, N_("The project was added."))
    return redirect(request, "maintenance:project", project_id=project_id)


@get("/maintenance/projects/{project_id:int}", name="maintenance:project", **GUARD)
async def project_page(request: Request, project_id: FromPath[int]) -> Template:
    project = await projects.project_with_progress(project_id)
    values = {
        key: "" if project[key] is None else str(project[key])
        for key in (
            "title_ja",
            "title_en",
            "summary_ja",
            "summary_en",
            "status",
            "budget",
            "planned_on",
            "completed_on",
        )
    }
    values.update(
        public="on" if project["public"] else "", barrier_free="on" if project["barrier_free"] else ""
    )
    return Template(
        "maintenance/project.html", context={"project": project, "values": values, "errors": {}, **labels()}
    )


@post("/maintenance/projects/{project_id:int}", name="maintenance:project_update", **GUARD)
async def project_update(request: Request, project_id: FromPath[int], data: Form) -> Template | Redirect:
    project = await projects.project_with_progress(project_id)
    try:
        fields = await projects.parse_project(data)
    except ValidationFailed as invalid:
        return Template(
            "maintenance/project.html",
            context={"project": project, "values": dict(data), "errors": invalid.translated(), **labels()},
            status_code=400,
        )
    await projects.update_project(project_id, fields, request.user)
    flash(request, N_("The project was saved."))
    return redirect(request, "maintenance:project", project_id=project_id)


# Monthly report --------------------------------------------------------------------------------


@get("/maintenance/monthly-report.pdf", name="maintenance:monthly_report", **GUARD)
async def monthly_report(request: Request) -> Response[bytes]:
    """Opened, closed, overdue, costs and barrier-free progress for a month (?month=YYYY-MM)."""
    from center.places.web import parse_month

    year, month = parse_month(request.query_params.get("month"))
    data = await monthly_report_pdf(year, month)
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="maintenance-{year:04d}-{month:02d}.pdf"',
            "Cache-Control": "private",
        },
    )


ROUTES = [
    report_list,
    report_page,
    report_accept,
    report_merge,
    report_decline,
    closure_form,
    close_room,
    end_closure,
    accessibility,
    inspection_list,
    inspection_create,
    project_list,
    project_create,
    project_page,
    project_update,
    monthly_report,
]
