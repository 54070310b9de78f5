"""Public problem reports: anyone can report a problem without an account and follow it by its
reference number, a short code (center.lib.codes) read out on the phone; references made before
the codes (R-XXXX-XXXX) still resolve. Each step the reporter sees is kept with its date and a
public note (maintenance.report_history). Staff triage each report: accept it as a new ticket,
merge it into the ticket already open for the same problem, or decline it with a note the
reporter sees. Contact details are shown to staff only."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from center.accounts import audit, throttle
from center.accounts.actors import VISITOR, Actor
from center.lib import codes
from center.lib.db import write_transaction
from center.lib.errors import Conflict, NotFound, ValidationFailed
from center.lib.i18n import N_, both
from center.lib.settings import get_settings
from center.notices.service import notify
from center.places import forms
from maintenance import photos, report_history
from maintenance.tables import Location, Photo, Report, Ticket
from maintenance.tickets import _event, create_ticket
from maintenance.workflow import STATUSES

# References before the short codes: "R-" and eight characters of the same alphabet, no check.
OLD_REFERENCE = re.compile(r"^R[2-9A-HJKMNP-Z]{8}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# What a reporter sees, from the report's own state and then its ticket's.
PUBLIC_STATES = {
    "received": N_("Received: waiting to be checked by staff"),
    "declined": N_("Closed without work"),
    "open": N_("Accepted: the work is planned"),
    "in_progress": N_("Being worked on"),
    "done": N_("Fixed"),
    "rejected": N_("Closed without work"),
}

REPORT_NOTICES = {
    "received": (
        N_("Your report %(reference)s was received"),
        N_("Thank you. We received your report about %(place)s. Its reference number is %(reference)s."),
    ),
    "accepted": (
        N_("Your report %(reference)s was accepted"),
        N_("Your report %(reference)s about %(place)s was accepted and the work is planned."),
    ),
    "declined": (
        N_("Your report %(reference)s was closed"),
        N_(
            "Your report %(reference)s about %(place)s was closed without work. Note from the staff: %(note)s"
        ),
    ),
}


def new_reference() -> str:
    return codes.new_code()


def normal_reference(raw: str) -> str:
    """A reference as typed (any case, hyphens or spaces or none, full-width) in its stored form:
    a short code "ABCD-2345", or an older "R-ABCD-2345". Raises codes.CodeInvalid (saying whether
    it is the shape or a typo) for anything else."""
    typed = codes.compact(raw)
    if OLD_REFERENCE.match(typed):
        return f"R-{typed[1:5]}-{typed[5:]}"
    return codes.parse(typed)


async def parse_report(data: Mapping[str, Any]) -> dict[str, Any]:
    errors = forms.FieldErrors()
    location = forms.whole(data, "location", errors, N_("Choose where the problem is."), low=1)
    if location is not None and not await Location.exists().where(
        (Location.id == location) & (Location.active == True)
    ):
        errors.add("location", N_("Choose where the problem is."))
    description = forms.text(data, "description")
    if not description:
        errors.add("description", N_("Describe what is wrong."))
    elif len(description) > 2000:
        errors.add("description", N_("Use at most 2000 characters."))
    name = forms.text(data, "contact_name")
    email = forms.text(data, "contact_email")
    phone = forms.text(data, "contact_phone")
    if len(name) > 120:
        errors.add("contact_name", N_("Use at most 120 characters."))
    if email and (len(email) > 200 or not EMAIL.match(email)):
        errors.add("contact_email", N_("Enter an e-mail address such as name@example.jp, or leave it empty."))
    if len(phone) > 40:
        errors.add("contact_phone", N_("Use at most 40 characters."))
    if errors:
        raise ValidationFailed(dict(errors))
    return {
        "location": location,
        "description": description,
        "contact_name": name,
        "contact_email": email,
        "contact_phone": phone,
    }


async def _place(location_id: int) -> dict:
    row = await Location.select(Location.name_ja, Location.name_en).where(Location.id == location_id).first()
    return both(row) if row else {"ja": "-", "en": "-"}


async def _notify_reporter(report: dict, which: str, note: str = "") -> None:
    if not report["contact_email"]:
        return
    subject, body = REPORT_NOTICES[which]
    await notify(
        kind=f"maintenance.report_{which}",
        subject=subject,
        body=body,
        params={
            "reference": report["reference"],
            "place": await _place(report["location"]),
            "note": note or "-",
        },
        email=report["contact_email"],
        link=f"/report/{report['reference']}",
        entity="maintenance_report",
        entity_id=report["id"],
    )


async def submit_report(fields: dict[str, Any], photo: bytes | None = None, *, address: str = "") -> str:
    """Record a report (and its photo, checked and stripped of metadata); returns the reference.
    Reports from the web are limited per client `address` (TooManySubmissions, nothing kept)."""
    if address:  # before the photo is saved, so a refused report leaves no file behind
        await throttle.check_rate(
            throttle.PROBLEM_REPORT,
            address,
            limit=get_settings().problem_reports_per_hour,
            window=timedelta(hours=1),
        )
    stored = await photos.save_upload(photo) if photo else None
    now = datetime.now(UTC)
    try:
        async with write_transaction():
            for _attempt in range(5):
                reference = new_reference()
                if not await Report.exists().where(Report.reference == reference):
                    break
            rows = await Report.insert(
                Report(**fields, reference=reference, status="received", created_at=now, updated_at=now)
            ).returning(*Report.all_columns())
            report = rows[0]
            await report_history.record(report["id"], "received")
            if stored:
                await Photo.insert(
                    Photo(report=report["id"], filename=stored[0], thumbnail=stored[1], created_at=now)
                )
            await audit.record("report", "maintenance_report", report["id"], actor=VISITOR, after=report)
            await _notify_reporter(report, "received")
    except BaseException:
        if stored:
            photos.remove(*stored)
        raise
    return reference


async def report_by_reference(reference: str) -> dict:
    """The report behind a reference as typed, or NotFound (codes.CodeInvalid for a typo)."""
    reference = normal_reference(reference)
    row = None
    if reference:
        row = (
            await Report.select(
                *Report.all_columns(),
                Report.location.name_ja.as_alias("location_name_ja"),
                Report.location.name_en.as_alias("location_name_en"),
                Report.ticket.status.as_alias("ticket_status"),
                Report.ticket.reject_reason.as_alias("ticket_reject_reason"),
                Report.ticket.updated_at.as_alias("ticket_updated_at"),
            )
            .where(Report.reference == reference)
            .first()
        )
    if row is None:
        raise NotFound(N_("No report has that reference number. Please check it and try again."))
    return row


def public_state(report: dict) -> str:
    """The reporter's view: the report's own state until it becomes (part of) a ticket."""
    if report["status"] in ("received", "declined"):
        return report["status"]
    return report_history.state_of_ticket(report.get("ticket_status") or "new")


async def get_report(report_id: int) -> dict:
    row = (
        await Report.select(
            *Report.all_columns(),
            Report.location.name_ja.as_alias("location_name_ja"),
            Report.location.name_en.as_alias("location_name_en"),
            Report.ticket.title.as_alias("ticket_title"),
            Report.ticket.status.as_alias("ticket_status"),
        )
        .where(Report.id == report_id)
        .first()
    )
    if row is None:
        raise NotFound(N_("That report does not exist."))
    return row


async def list_reports(status: str = "received") -> list[dict]:
    query = Report.select(
        *Report.all_columns(),
        Report.location.name_ja.as_alias("location_name_ja"),
        Report.location.name_en.as_alias("location_name_en"),
    )
    if status in ("received", "accepted", "merged", "declined"):
        query = query.where(Report.status == status)
    return await query.order_by(Report.created_at, ascending=status != "received").limit(300)


async def _untriaged(report_id: int) -> dict:
    report = await Report.select().where(Report.id == report_id).first()
    if report is None:
        raise NotFound(N_("That report does not exist."))
    if report["status"] != "received":
        raise Conflict(N_("This report has already been dealt with."))
    return report


async def accept(report_id: int, fields: dict[str, Any], actor: Actor) -> int:
    """Make a ticket from the report (staff set title, category, priority ...); returns its id."""
    async with write_transaction():
        report = await _untriaged(report_id)
        ticket_id = await create_ticket(
            {**fields, "description": fields["description"] or report["description"]},
            actor,
            status="triaged",
            note=report["reference"],
        )
        await _link(report, ticket_id, "accepted", actor)
        await report_history.record(report_id, "open", actor=actor)
        await _notify_reporter(report, "accepted")
    return ticket_id


async def merge(report_id: int, ticket_id: int | None, actor: Actor) -> None:
    """The report describes a problem a ticket already tracks: it follows that ticket."""
    if ticket_id is None or not await Ticket.exists().where(Ticket.id == ticket_id):
        raise ValidationFailed({"ticket": N_("Choose the ticket this report duplicates.")})
    async with write_transaction():
        report = await _untriaged(report_id)
        await _link(report, ticket_id, "merged", actor)
        status = await Ticket.select(Ticket.status).where(Ticket.id == ticket_id).first()
        await report_history.record(report_id, report_history.state_of_ticket(status["status"]), actor=actor)
        await _notify_reporter(report, "accepted")


async def _link(report: dict, ticket_id: int, status: str, actor: Actor) -> None:
    await Report.update(
        {Report.status: status, Report.ticket: ticket_id, Report.updated_at: datetime.now(UTC)}
    ).where(Report.id == report["id"])
    await _event(
        ticket_id, actor, "report", note=report["reference"], changes={"report": report["id"], "as": status}
    )
    after = await Report.select().where(Report.id == report["id"]).first()
    await audit.record(status, "maintenance_report", report["id"], actor=actor, before=report, after=after)


async def decline(report_id: int, note: str, actor: Actor) -> None:
    note = note.strip()
    if not note:
        raise ValidationFailed({"note": N_("Enter a note for the reporter.")})
    if len(note) > 500:
        raise ValidationFailed({"note": N_("Use at most 500 characters.")})
    async with write_transaction():
        report = await _untriaged(report_id)
        await Report.update(
            {Report.status: "declined", Report.staff_note: note, Report.updated_at: datetime.now(UTC)}
        ).where(Report.id == report_id)
        after = await Report.select().where(Report.id == report_id).first()
        await audit.record(
            "decline", "maintenance_report", report_id, actor=actor, before=report, after=after, note=note
        )
        await report_history.record(report_id, "declined", note=note, actor=actor)
        await _notify_reporter(report, "declined", note)


async def report_photos(report_id: int) -> list[dict]:
    return await Photo.select().where(Photo.report == report_id).order_by(Photo.id)


def status_label(status: str) -> str:
    return STATUSES.get(status, status)


async def waiting_count() -> int:
    """How many public reports wait for triage."""
    return await Report.count().where(Report.status == "received")


async def reports_of_ticket(ticket_id: int) -> list[dict]:
    """The public reports accepted as or merged into a ticket (id, reference, status)."""
    return await Report.select(Report.id, Report.reference, Report.status).where(Report.ticket == ticket_id)
