"""Pages for everyone, no account needed: report a problem in the building (with an optional
photo and contact), follow a report by its reference number, and see the barrier-free
improvements done and planned."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from center.errors import DomainError, NotFound, ValidationFailed
from center.i18n import gettext
from center.places import forms
from center.web.auth import PUBLIC
from center.web.pages import client_address
from maintenance import reports
from maintenance.projects import projects_with_progress
from maintenance.tickets import location_choices
from maintenance.web_common import Upload, labels, redirect, upload_bytes


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


@get("/report", name="maintenance:report_form", opt=PUBLIC)
async def report_form(request: Request) -> Template:
    """Tell the center about a problem in the building."""
    return await _report_form({"location": request.query_params.get("location", "")}, {})


@post("/report", name="maintenance:report_submit", opt=PUBLIC)
async def report_submit(request: Request, data: Upload) -> Template | Redirect:
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


@get("/report/status", name="maintenance:report_lookup", opt=PUBLIC)
async def report_lookup(request: Request) -> Template | Redirect:
    """Find a report by the reference number its reporter was given."""
    raw = request.query_params.get("reference", "")
    errors = {}
    if raw:
        try:
            report = await reports.report_by_reference(raw)
        except NotFound as missing:
            errors = {"reference": gettext(missing.message)}
        else:
            return redirect(request, "maintenance:report_status", reference=report["reference"])
    return Template(
        "maintenance/report_lookup.html",
        context={"values": {"reference": forms.text({"r": raw}, "r", 40)}, "errors": errors},
        status_code=404 if errors else 200,
    )


@get("/report/{reference:str}", name="maintenance:report_status", opt=PUBLIC)
async def report_status(request: Request, reference: FromPath[str]) -> Template:
    """A report's status for its reporter (contact details are never shown here)."""
    report = await reports.report_by_reference(reference)
    return Template(
        "maintenance/report_status.html",
        context={"report": report, "state": reports.public_state(report), **labels()},
    )


@get("/barrier-free", name="maintenance:barrier_free", opt=PUBLIC)
async def barrier_free(request: Request) -> Template:
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


ROUTES = [report_form, report_submit, report_lookup, report_status, barrier_free]
