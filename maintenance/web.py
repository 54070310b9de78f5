"""The facilities team's pages: dashboard, board by status, filtered list, each ticket's page with
its workflow, timeline, photos, comments and closures, and the work-order PDF. Public pages, the
triage of reports, inspections, projects and closures live in sibling modules; all routes are
exported from here."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import File, Redirect, Template

from center.accounts.guards import requires_facilities
from center.lib import dates
from center.lib.errors import DomainError, ValidationFailed
from center.lib.i18n import N_, gettext
from center.places import forms
from center.web.templating import flash
from maintenance import photos, tickets
from maintenance.accessibility import affected_bookings
from maintenance.closures import closures_of
from maintenance.dashboard import dashboard
from maintenance.documents import work_order_pdf
from maintenance.tables import Photo, Report
from maintenance.web_admin import ROUTES as ADMIN_ROUTES
from maintenance.web_common import Form, Upload, labels, redirect, upload_bytes
from maintenance.web_public import ROUTES as PUBLIC_ROUTES
from maintenance.web_setup import ROUTES as SETUP_ROUTES
from maintenance.workflow import OPEN_STATUSES, TRANSITIONS

GUARD: dict[str, Any] = {"guards": [requires_facilities]}


def _filters(request: Request) -> dict[str, Any]:
    params = request.query_params

    def number(name: str) -> int | None:
        raw = params.get(name, "")
        return int(raw) if raw.isdigit() else None

    return {
        "category": params.get("category", ""),
        "priority": params.get("priority", ""),
        "status": params.get("status", "open"),
        "location": number("location"),
        "assignee": number("assignee"),
        "overdue": params.get("overdue") == "1",
    }


@get("/maintenance", name="maintenance:dashboard", **GUARD)
async def dashboard_page(request: Request) -> Template:
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
            "reports_waiting": await Report.count().where(Report.status == "received"),
            "today": dates.today(),
            **labels(),
        },
    )


@get("/maintenance/board", name="maintenance:board", **GUARD)
async def board(request: Request) -> Template:
    """Open tickets in one column per status."""
    rows = await tickets.list_tickets({"status": "open"})
    columns = [(status, [row for row in rows if row["status"] == status]) for status in OPEN_STATUSES]
    return Template(
        "maintenance/board.html", context={"columns": columns, "today": dates.today(), **labels()}
    )


@get("/maintenance/tickets", name="maintenance:tickets", **GUARD)
async def ticket_list(request: Request) -> Template:
    """Tickets filtered by category, location, priority, assignee, status and overdue."""
    filters = _filters(request)
    return Template(
        "maintenance/tickets.html",
        context={
            "rows": await tickets.list_tickets(filters),
            "filters": filters,
            "locations": await tickets.location_choices(everything=True),
            "staff": await tickets.staff_choices(),
            "today": dates.today(),
            **labels(),
        },
    )


async def _form_page(
    request: Request,
    values: dict,
    errors: dict,
    *,
    ticket_id: int | None = None,
    keep_location: int | None = None,
    message: str = "",
    status_code: int = 200,
) -> Template:
    return Template(
        "maintenance/ticket_form.html",
        context={
            "values": values,
            "errors": errors,
            "message": message,
            "ticket_id": ticket_id,
            "locations": await tickets.location_choices(keep=keep_location),
            "staff": await tickets.staff_choices(),
            "projects": await tickets.project_choices(),
            **labels(),
        },
        status_code=status_code,
    )


def _as_values(row: dict) -> dict[str, str]:
    return {key: "" if row.get(key) is None else str(row[key]) for key in (*tickets.EDITABLE,)}


@get("/maintenance/tickets/new", name="maintenance:ticket_form", **GUARD)
async def new_ticket_form(request: Request) -> Template:
    values = {
        "priority": "normal",
        "category": request.query_params.get("category", "repair"),
        "location": request.query_params.get("location", ""),
    }
    return await _form_page(request, values, {})


@post("/maintenance/tickets/new", name="maintenance:ticket_create", **GUARD)
async def create_ticket(request: Request, data: Form) -> Template | Redirect:
    try:
        fields = await tickets.parse_fields(data)
    except ValidationFailed as invalid:
        return await _form_page(request, dict(data), invalid.translated(), status_code=400)
    ticket_id = await tickets.create_ticket(fields, request.user)
    flash(request, N_("The ticket was opened."))
    return redirect(request, "maintenance:ticket", ticket_id=ticket_id)


@get("/maintenance/tickets/{ticket_id:int}/edit", name="maintenance:ticket_edit_form", **GUARD)
async def edit_ticket_form(request: Request, ticket_id: FromPath[int]) -> Template:
    ticket = await tickets.get_ticket(ticket_id)
    return await _form_page(
        request, _as_values(ticket), {}, ticket_id=ticket_id, keep_location=ticket["location"]
    )


@post("/maintenance/tickets/{ticket_id:int}/edit", name="maintenance:ticket_edit", **GUARD)
async def edit_ticket(request: Request, ticket_id: FromPath[int], data: Form) -> Template | Redirect:
    ticket = await tickets.get_ticket(ticket_id)
    try:
        fields = await tickets.parse_fields(
            data, opened=dates.to_local(ticket["created_at"]).date(), keep_location=ticket["location"]
        )
    except ValidationFailed as invalid:
        return await _form_page(
            request,
            dict(data),
            invalid.translated(),
            ticket_id=ticket_id,
            keep_location=ticket["location"],
            status_code=400,
        )
    await tickets.update_ticket(ticket_id, fields, request.user)
    flash(request, N_("The ticket was saved."))
    return redirect(request, "maintenance:ticket", ticket_id=ticket_id)


async def _detail(
    request: Request, ticket_id: int, *, errors: dict | None = None, message: str = "", status_code: int = 200
) -> Template:
    ticket = await tickets.get_ticket(ticket_id)
    reports = await Report.select(Report.id, Report.reference, Report.status).where(
        Report.ticket == ticket_id
    )
    return Template(
        "maintenance/ticket.html",
        context={
            "ticket": ticket,
            "moves": TRANSITIONS.get(ticket["status"], ()),
            "events": await tickets.timeline(ticket_id),
            "photos": await tickets.ticket_photos(ticket_id),
            "closures": await closures_of(ticket_id),
            "reports": reports,
            "affected": await affected_bookings(ticket)
            if ticket["accessibility_feature"] and ticket["status"] in OPEN_STATUSES
            else [],
            "errors": errors or {},
            "message": message,
            "today": dates.today(),
            **labels(),
        },
        status_code=status_code,
    )


@get("/maintenance/tickets/{ticket_id:int}", name="maintenance:ticket", **GUARD)
async def ticket_page(request: Request, ticket_id: FromPath[int]) -> Template:
    """The ticket: facts, workflow buttons, photos, closures, comments and its whole timeline."""
    return await _detail(request, ticket_id)


@post("/maintenance/tickets/{ticket_id:int}/status", name="maintenance:ticket_status", **GUARD)
async def change_status(request: Request, ticket_id: FromPath[int], data: Form) -> Template | Redirect:
    target = forms.text(data, "to")
    try:
        await tickets.transition(
            ticket_id, target, request.user, forms.text(data, "reason"), forms.text(data, "public_note")
        )
    except ValidationFailed as invalid:
        errors = invalid.translated()
        if "public_note" in errors:  # each move's form has its own public note field
            errors[f"public_note-{target}"] = errors.pop("public_note")
        return await _detail(request, ticket_id, errors=errors, status_code=400)
    except DomainError as refused:
        if refused.status_code == 404:
            raise
        return await _detail(
            request,
            ticket_id,
            message=gettext(refused.message, **refused.params),
            status_code=refused.status_code,
        )
    flash(request, N_("The ticket's status was changed."))
    return redirect(request, "maintenance:ticket", ticket_id=ticket_id)


@post("/maintenance/tickets/{ticket_id:int}/comment", name="maintenance:ticket_comment", **GUARD)
async def comment(request: Request, ticket_id: FromPath[int], data: Form) -> Template | Redirect:
    try:
        await tickets.add_comment(ticket_id, forms.text(data, "comment"), request.user)
    except ValidationFailed as invalid:
        return await _detail(request, ticket_id, errors=invalid.translated(), status_code=400)
    flash(request, N_("The comment was added."))
    return redirect(request, "maintenance:ticket", ticket_id=ticket_id)


@post("/maintenance/tickets/{ticket_id:int}/photos", name="maintenance:ticket_photo", **GUARD)
async def upload_photo(request: Request, ticket_id: FromPath[int], data: Upload) -> Template | Redirect:
    """Add a photo: JPEG or PNG by content, 5 MB at most, re-encoded without metadata."""
    await tickets.get_ticket(ticket_id)
    try:
        content = await upload_bytes(data)
        assert content is not None
        await tickets.add_photo(ticket_id, content, request.user, forms.text(data, "caption"))
    except ValidationFailed as invalid:
        return await _detail(request, ticket_id, errors=invalid.translated(), status_code=400)
    flash(request, N_("The photo was saved."))
    return redirect(request, "maintenance:ticket", ticket_id=ticket_id)


@get(
    "/maintenance/photos/{photo_id:int}/{size:str}",
    name="maintenance:photo",
    include_in_schema=False,
    **GUARD,
)
async def photo(photo_id: FromPath[int], size: FromPath[str]) -> File:
    """A stored photo ("full" or "thumb"), for staff only: reports may show people or places."""
    row = await Photo.select().where(Photo.id == photo_id).first()
    if row is None or size not in ("full", "thumb"):
        raise NotFoundException()
    path = photos.stored_path(row["filename"] if size == "full" else row["thumbnail"])
    if path is None:
        raise NotFoundException()
    return File(
        path=path,
        media_type=photos.media_type(path),
        content_disposition_type="inline",
        headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


@get("/maintenance/tickets/{ticket_id:int}/work-order.pdf", name="maintenance:work_order", **GUARD)
async def work_order(ticket_id: FromPath[int]) -> Response[bytes]:
    """The work order for the contractor: place, description, photos, access times, contact."""
    data = await work_order_pdf(ticket_id)
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="work-order-{ticket_id}.pdf"',
            "Cache-Control": "private",
        },
    )


ROUTES = [
    dashboard_page,
    board,
    ticket_list,
    new_ticket_form,
    create_ticket,
    edit_ticket_form,
    edit_ticket,
    ticket_page,
    change_status,
    comment,
    upload_photo,
    photo,
    work_order,
    *ADMIN_ROUTES,
    *PUBLIC_ROUTES,
    *SETUP_ROUTES,
]
