"""Tickets on the web: the filtered list, opening and editing one, its page with the workflow,
timeline, photos, comments and closures, the work-order PDF, and the stored photos."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import File, Redirect, Template

from center.accounts.guards import requires_facilities
from center.lib import dates
from center.lib.errors import DomainError, ValidationFailed
from center.lib.i18n import N_, gettext
from center.places import forms
from center.web.templating import flash
from maintenance import tickets
from maintenance.accessibility import affected_bookings
from maintenance.closures import closures_of
from maintenance.documents import work_order_pdf
from maintenance.reports import reports_of_ticket
from maintenance.ticket_list import find_photo
from maintenance.web.common import Form, Upload, labels, photo_file, redirect, upload_bytes
from maintenance.workflow import OPEN_STATUSES, TRANSITIONS


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


async def _detail(
    request: Request, ticket_id: int, *, errors: dict | None = None, message: str = "", status_code: int = 200
) -> Template:
    ticket = await tickets.get_ticket(ticket_id)
    reports = await reports_of_ticket(ticket_id)
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


class TicketController(Controller):
    """Tickets: list, open, edit, move through the workflow, comment, add photos."""

    path = "/maintenance/tickets"
    guards = (requires_facilities,)

    @get("/", name="maintenance:tickets")
    async def ticket_list(self, request: Request) -> Template:
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

    @get("/new", name="maintenance:ticket_form")
    async def new_ticket_form(self, request: Request) -> Template:
        values = {
            "priority": "normal",
            "category": request.query_params.get("category", "repair"),
            "location": request.query_params.get("location", ""),
        }
        return await _form_page(request, values, {})

    @post("/new", name="maintenance:ticket_create")
    async def create_ticket(self, request: Request, data: Form) -> Template | Redirect:
        try:
            fields = await tickets.parse_fields(data)
        except ValidationFailed as invalid:
            return await _form_page(request, dict(data), invalid.translated(), status_code=400)
        ticket_id = await tickets.create_ticket(fields, request.user)
        flash(request, N_("The ticket was opened."))
        return redirect(request, "maintenance:ticket", ticket_id=ticket_id)

    @get("/{ticket_id:int}/edit", name="maintenance:ticket_edit_form")
    async def edit_ticket_form(self, request: Request, ticket_id: FromPath[int]) -> Template:
        ticket = await tickets.get_ticket(ticket_id)
        return await _form_page(
            request, _as_values(ticket), {}, ticket_id=ticket_id, keep_location=ticket["location"]
        )

    @post("/{ticket_id:int}/edit", name="maintenance:ticket_edit")
    async def edit_ticket(
        self, request: Request, ticket_id: FromPath[int], data: Form
    ) -> Template | Redirect:
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

    @get("/{ticket_id:int}", name="maintenance:ticket")
    async def ticket_page(self, request: Request, ticket_id: FromPath[int]) -> Template:
        """The ticket: facts, workflow buttons, photos, closures, comments and its whole timeline."""
        return await _detail(request, ticket_id)

    @post("/{ticket_id:int}/status", name="maintenance:ticket_status")
    async def change_status(
        self, request: Request, ticket_id: FromPath[int], data: Form
    ) -> Template | Redirect:
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

    @post("/{ticket_id:int}/comment", name="maintenance:ticket_comment")
    async def comment(self, request: Request, ticket_id: FromPath[int], data: Form) -> Template | Redirect:
        try:
            await tickets.add_comment(ticket_id, forms.text(data, "comment"), request.user)
        except ValidationFailed as invalid:
            return await _detail(request, ticket_id, errors=invalid.translated(), status_code=400)
        flash(request, N_("The comment was added."))
        return redirect(request, "maintenance:ticket", ticket_id=ticket_id)

    @post("/{ticket_id:int}/photos", name="maintenance:ticket_photo")
    async def upload_photo(
        self, request: Request, ticket_id: FromPath[int], data: Upload
    ) -> Template | Redirect:
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

    @get("/{ticket_id:int}/work-order.pdf", name="maintenance:work_order")
    async def work_order(self, ticket_id: FromPath[int]) -> Response[bytes]:
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


class PhotoController(Controller):
    """Stored photos of tickets and reports, for staff only: reports may show people or places."""

    path = "/maintenance/photos"
    guards = (requires_facilities,)

    @get("/{photo_id:int}/{size:str}", name="maintenance:photo", include_in_schema=False)
    async def photo(self, photo_id: FromPath[int], size: FromPath[str]) -> File:
        """A stored photo ("full" or "thumb"), for staff only: reports may show people or places."""
        return photo_file(await find_photo(photo_id), size)


ROUTES = [TicketController, PhotoController]
