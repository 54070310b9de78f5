"""Pages for everyone, no account needed: report a problem in the building (with an optional
photo and contact), follow a report by its reference number, and see the barrier-free
improvements done and planned."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import File, Redirect, Template

from center.accounts.guards import PUBLIC
from center.lib import codes
from center.lib.errors import DomainError, NotFound, ValidationFailed
from center.lib.i18n import N_, gettext
from center.places import forms
from center.places.contact import center_contact
from center.web.forwarded import client_address
from maintenance import report_history, reports
from maintenance.projects import projects_with_progress
from maintenance.ticket_list import find_photo
from maintenance.tickets import location_choices
from maintenance.web.common import Upload, labels, photo_file, redirect, upload_bytes


async def _report_form(
    values: dict, errors: dict, status_code: int = 200, message: str = "", headers: dict | None = None
) -> Template:
    return Template(
        "maintenance/report_form.html",
        context={
            "values": values,
            "errors": errors,
            "message": message,
            "locations": await location_choices(),
            **labels(),
        },
        status_code=status_code,
        headers=headers,
    )


async def _report_or_404(reference: str) -> dict:
    try:
        return await reports.report_by_reference(reference)
    except codes.CodeInvalid:
        raise NotFound(N_("No report has that reference number. Please check it and try again.")) from None


class ReportController(Controller):
    """Reporting a problem and following the report, for everyone."""

    path = "/report"
    opt = PUBLIC

    @get("/", name="maintenance:report_form")
    async def report_form(self, request: Request) -> Template:
        """Tell the center about a problem in the building."""
        return await _report_form({"location": request.query_params.get("location", "")}, {})

    @post("/", name="maintenance:report_submit")
    async def report_submit(self, request: Request, data: Upload) -> Template | Redirect:
        values = {key: value for key, value in data.items() if isinstance(value, str)}
        try:
            fields = await reports.parse_report(data)
            content = await upload_bytes(data, required=False)
            reference = await reports.submit_report(fields, content, address=client_address(request))
        except ValidationFailed as invalid:
            return await _report_form(values, invalid.translated(), status_code=400)
        except DomainError as refused:  # too many reports from this connection
            retry_after = getattr(refused, "retry_after", None)
            return await _report_form(
                values,
                {},
                status_code=refused.status_code,
                message=gettext(refused.message, **refused.params),
                headers={"Retry-After": str(retry_after)} if retry_after else None,
            )
        return redirect(request, "maintenance:report_status", reference=reference)

    @get("/status", name="maintenance:report_lookup")
    async def report_lookup(self, request: Request) -> Template | Redirect:
        """Find a report by the reference number its reporter was given."""
        raw = request.query_params.get("reference", "")
        errors = {}
        status_code = 200
        if raw:
            try:
                report = await reports.report_by_reference(raw)
            except codes.CodeInvalid as invalid:  # the wrong shape, or a typo the check character caught
                errors, status_code = {"reference": gettext(invalid.message)}, 400
            except NotFound as missing:
                errors, status_code = {"reference": gettext(missing.message)}, 404
            else:
                return redirect(request, "maintenance:report_status", reference=report["reference"])
        return Template(
            "maintenance/report_lookup.html",
            context={"values": {"reference": forms.text({"r": raw}, "r", 40)}, "errors": errors},
            status_code=status_code,
        )

    @get("/{reference:str}", name="maintenance:report_status")
    async def report_status(self, request: Request, reference: FromPath[str]) -> Template:
        """A report's status for its reporter: its public history with dates and the staff's notes,
        the photo sent with it, and how to reach the center (contact details are never shown here)."""
        report = await _report_or_404(reference)
        state = reports.public_state(report)
        return Template(
            "maintenance/report_status.html",
            context={
                "report": report,
                "state": state,
                "history": await report_history.history(report["id"]),
                "photos": await reports.report_photos(report["id"]),
                "contact": await center_contact(),
                "danger": state in ("received", "open", "in_progress"),
                **labels(),
            },
            headers={"X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer"},
        )

    @get(
        "/{reference:str}/photos/{photo_id:int}/{size:str}",
        name="maintenance:report_photo",
        include_in_schema=False,
    )
    async def report_photo(
        self, reference: FromPath[str], photo_id: FromPath[int], size: FromPath[str]
    ) -> File:
        """A photo sent with a report, for whoever holds its reference (the photo's number alone
        opens nothing: it must belong to that report)."""
        report = await _report_or_404(reference)
        row = await find_photo(photo_id, report_id=report["id"])
        return photo_file(row, size, {"X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer"})


class BarrierFreeController(Controller):
    """The barrier-free improvements done and planned, for everyone."""

    path = "/barrier-free"
    opt = PUBLIC

    @get("/", name="maintenance:barrier_free")
    async def barrier_free(self, request: Request) -> Template:
        """The building getting better: barrier-free improvements done and planned."""
        projects = await projects_with_progress(public_only=True)
        return Template(
            "maintenance/barrier_free.html",
            context={
                "done": [p for p in projects if p["status"] == "done"],
                "planned": [p for p in projects if p["status"] != "done"],
                **labels(),
            },
        )


ROUTES = [ReportController, BarrierFreeController]
