"""The public history of a problem report: each step its reporter sees (received, accepted, being
worked on, fixed or closed without work) with its date and the note the staff wrote for the
public. Written in the same transaction as the change it records, by the report's triage and by
the ticket's workflow (which cannot import the reports module: reports build on tickets)."""

from __future__ import annotations

from datetime import UTC, datetime

from center.accounts.actors import Actor
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_
from maintenance.tables import Report, ReportEvent

MAX_NOTE = 500
MSG_NOTE_LONG = N_("Use at most 500 characters.")


def state_of_ticket(status: str) -> str:
    """What a reporter sees of a ticket's status (a key of reports.PUBLIC_STATES)."""
    return status if status in ("done", "rejected", "in_progress") else "open"


def clean_note(note: str, field: str = "public_note") -> str:
    """The public note trimmed, or ValidationFailed on `field` when too long."""
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationFailed({field: MSG_NOTE_LONG})
    return note


async def record(report_id: int, state: str, *, note: str = "", actor: Actor | None = None) -> None:
    """Add one step to a report's public history (call inside the change's transaction)."""
    await ReportEvent.insert(
        ReportEvent(
            report=report_id,
            at=datetime.now(UTC),
            state=state,
            note=note,
            actor=actor.id if actor is not None else None,
        )
    )


async def record_ticket_move(
    ticket_id: int, target: str, *, note: str = "", actor: Actor | None = None
) -> int:
    """A ticket moved to `target`: each report it tracks gets a step when what the reporter sees
    changes, or when the staff wrote a public note. Returns how many steps were added."""
    state = state_of_ticket(target)
    reports = await Report.select(Report.id).where(
        (Report.ticket == ticket_id) & Report.status.is_in(["accepted", "merged"])
    )
    added = 0
    for report in reports:
        last = await (
            ReportEvent.select(ReportEvent.state)
            .where(ReportEvent.report == report["id"])
            .order_by(ReportEvent.at, ascending=False)
            .order_by(ReportEvent.id, ascending=False)
            .first()
        )
        if note or last is None or last["state"] != state:
            await record(report["id"], state, note=note, actor=actor)
            added += 1
    return added


async def history(report_id: int) -> list[dict]:
    """A report's public steps, oldest first (no staff names: only the state, date and note)."""
    return await (
        ReportEvent.select(ReportEvent.id, ReportEvent.at, ReportEvent.state, ReportEvent.note)
        .where(ReportEvent.report == report_id)
        .order_by(ReportEvent.at)
        .order_by(ReportEvent.id)
    )
