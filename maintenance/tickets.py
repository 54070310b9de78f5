"""Tickets and their life: open, edit, move through the workflow, comment, add photos. Each change
is one write transaction with a timeline line on the ticket and an audit line; illegal moves and
bad input are refused with a message and change nothing. The form's fields are read in
maintenance.ticket_fields, lists and timelines in maintenance.ticket_list (both re-exported here)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from center.accounts import audit
from center.accounts.actors import Actor
from center.lib import dates
from center.lib.db import write_transaction
from center.lib.errors import Conflict, NotFound, ValidationFailed
from center.lib.i18n import N_, both
from center.notices.service import notify
from maintenance import photos, report_history
from maintenance.access_notices import tell_groups
from maintenance.tables import Closure, Photo, Report, Ticket, TicketEvent
from maintenance.ticket_fields import MAX_TEXT
from maintenance.ticket_fields import location_choices as location_choices
from maintenance.ticket_fields import parse_fields as parse_fields
from maintenance.ticket_fields import project_choices as project_choices
from maintenance.ticket_fields import staff_choices as staff_choices
from maintenance.ticket_list import list_tickets as list_tickets
from maintenance.ticket_list import ticket_photos as ticket_photos
from maintenance.ticket_list import timeline as timeline
from maintenance.workflow import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    STATUSES,
    can_move,
    due_for,
)


class IllegalMove(Conflict):
    message = N_("A ticket cannot move from “%(current)s” to “%(target)s”.")


def _now() -> datetime:
    return datetime.now(UTC)


async def get_ticket(ticket_id: int) -> dict:
    row = await (
        Ticket.select(
            *Ticket.all_columns(),
            Ticket.location.name_ja.as_alias("location_name_ja"),
            Ticket.location.name_en.as_alias("location_name_en"),
            Ticket.location.floor.as_alias("location_floor"),
            Ticket.location.room.as_alias("location_room"),
            Ticket.assignee.display_name.as_alias("assignee_name"),
            Ticket.project.title_ja.as_alias("project_title_ja"),
            Ticket.project.title_en.as_alias("project_title_en"),
        )
        .where(Ticket.id == ticket_id)
        .first()
    )
    if row is None:
        raise NotFound(N_("That ticket does not exist."))
    return row


async def ticket_exists(ticket_id: int) -> bool:
    return await Ticket.exists().where(Ticket.id == ticket_id)


async def _event(
    ticket_id: int,
    actor: Actor,
    kind: str,
    *,
    note: str = "",
    changes: dict | None = None,
    from_status: str = "",
    to_status: str = "",
) -> None:
    await TicketEvent.insert(
        TicketEvent(
            ticket=ticket_id,
            at=_now(),
            actor=actor.id,
            actor_name=actor.display_name or "",
            kind=kind,
            from_status=from_status,
            to_status=to_status,
            note=note,
            changes=audit._plain(changes or {}),
        )
    )


async def create_ticket(
    fields: dict[str, Any],
    actor: Actor,
    *,
    status: str = "new",
    note: str = "",
    extra: dict[str, Any] | None = None,
) -> int:
    """Open a ticket (inside the caller's transaction if there is one)."""
    now = _now()
    async with write_transaction():
        rows = await Ticket.insert(
            Ticket(
                **fields,
                **(extra or {}),
                status=status,
                created_by=actor.id,
                created_at=now,
                updated_at=now,
            )
        ).returning(Ticket.id)
        ticket_id = rows[0]["id"]
        await _event(ticket_id, actor, "created", to_status=status, note=note)
        if fields.get("accessibility_feature") and status in OPEN_STATUSES:
            await _tell_groups(ticket_id, works_again=False)
        await audit.record(
            "create",
            "maintenance_ticket",
            ticket_id,
            actor=actor,
            after=await Ticket.select().where(Ticket.id == ticket_id).first(),
            note=note,
        )
    return ticket_id


EDITABLE = (
    "title",
    "description",
    "category",
    "priority",
    "location",
    "due_on",
    "assignee",
    "accessibility_feature",
    "project",
    "estimated_cost",
    "actual_cost",
    "contractor",
    "contractor_contact",
    "access_times",
)


async def update_ticket(ticket_id: int, fields: dict[str, Any], actor: Actor) -> dict:
    """Save edited fields; the timeline records what changed (assignment gets its own line)."""
    async with write_transaction():
        before = await Ticket.select().where(Ticket.id == ticket_id).first()
        if before is None:
            raise NotFound(N_("That ticket does not exist."))
        changes = {
            name: [before[name], fields[name]]
            for name in EDITABLE
            if name in fields and before[name] != fields[name]
        }
        if not changes:
            return before
        await Ticket.update(
            {**{getattr(Ticket, name): fields[name] for name in changes}, Ticket.updated_at: _now()}
        ).where(Ticket.id == ticket_id)
        kind = "assign" if set(changes) == {"assignee"} else "edit"
        await _event(ticket_id, actor, kind, changes=changes)
        if "accessibility_feature" in changes and before["status"] in OPEN_STATUSES:
            if before["accessibility_feature"]:
                await _tell_groups(ticket_id, works_again=True, feature=before["accessibility_feature"])
            if fields["accessibility_feature"]:
                await _tell_groups(ticket_id, works_again=False)
        after = await Ticket.select().where(Ticket.id == ticket_id).first()
        await audit.record("update", "maintenance_ticket", ticket_id, actor=actor, before=before, after=after)
        return after


REPORT_DONE = (
    N_("Your report %(reference)s: fixed"),
    N_("Thank you for your report %(reference)s about %(place)s. The problem has been dealt with."),
)


async def transition(
    ticket_id: int, target: str, actor: Actor, reason: str = "", public_note: str = ""
) -> dict:
    """Move a ticket through the workflow; rejecting needs a reason. Finishing a ticket (done or
    rejected) ends its closures that have not run out, freeing the rooms at once. The reports the
    ticket tracks get a step in their public history, with `public_note` for their reporters."""
    from maintenance.closures import end_closure  # closures build on tickets

    reason = reason.strip()
    public_note = report_history.clean_note(public_note)
    async with write_transaction():
        before = await Ticket.select().where(Ticket.id == ticket_id).first()
        if before is None:
            raise NotFound(N_("That ticket does not exist."))
        if target not in STATUSES or not can_move(before["status"], target):
            from center.lib.i18n import gettext

            raise IllegalMove(
                current=gettext(STATUSES.get(before["status"], before["status"])),
                target=gettext(STATUSES.get(target, N_("an unknown state"))),
            )
        if target == "rejected" and not reason:
            raise ValidationFailed({"reason": N_("Enter the reason for rejecting.")})
        if len(reason) > 1000:
            raise ValidationFailed({"reason": N_("Use at most 1,000 characters.")})
        values: dict = {Ticket.status: target, Ticket.updated_at: _now()}
        if target in CLOSED_STATUSES:
            values[Ticket.resolved_at] = _now()
        else:
            values[Ticket.resolved_at] = None
        if target == "rejected":
            values[Ticket.reject_reason] = reason
        updated = (
            await Ticket.update(values)
            .where((Ticket.id == ticket_id) & (Ticket.status == before["status"]))
            .returning(Ticket.id)
        )
        if not updated:
            raise Conflict()
        await _event(ticket_id, actor, "status", from_status=before["status"], to_status=target, note=reason)
        if before["accessibility_feature"]:
            was_open, now_open = before["status"] in OPEN_STATUSES, target in OPEN_STATUSES
            if was_open != now_open:
                await _tell_groups(ticket_id, works_again=not now_open)
        await report_history.record_ticket_move(ticket_id, target, note=public_note, actor=actor)
        if target in CLOSED_STATUSES:
            for closure in await Closure.select(Closure.id).where(
                (Closure.ticket == ticket_id) & (Closure.active == True) & (Closure.ends_at > _now())
            ):
                await end_closure(closure["id"], actor)
            if target == "done":
                await _tell_reporters(ticket_id)
                if before["inspection"] is not None:
                    await _record_inspection_done(before["inspection"])
        after = await Ticket.select().where(Ticket.id == ticket_id).first()
        await audit.record(
            "status", "maintenance_ticket", ticket_id, actor=actor, before=before, after=after, note=reason
        )
        return after


async def _tell_groups(ticket_id: int, *, works_again: bool, feature: str | None = None) -> None:
    """Groups booked in the rooms a barrier-free feature affects hear of the outage or its end."""
    await tell_groups(ticket_id, works_again=works_again, feature=feature)


async def _record_inspection_done(inspection_id: int) -> None:
    """An inspection's ticket is done: the inspection was last carried out today (Japan time)."""
    from maintenance.tables import Inspection

    await Inspection.update({Inspection.last_done: dates.today(), Inspection.updated_at: _now()}).where(
        Inspection.id == inspection_id
    )


async def _tell_reporters(ticket_id: int) -> None:
    """Reporters who left an e-mail address hear that their problem was dealt with."""
    reports = await Report.select(
        Report.id,
        Report.reference,
        Report.contact_email,
        Report.location.name_ja.as_alias("name_ja"),
        Report.location.name_en.as_alias("name_en"),
    ).where(Report.ticket == ticket_id)
    for report in reports:
        if report["contact_email"]:
            await notify(
                kind="maintenance.report_done",
                subject=REPORT_DONE[0],
                body=REPORT_DONE[1],
                params={
                    "reference": report["reference"],
                    "place": both(report),
                },
                email=report["contact_email"],
                link=f"/report/{report['reference']}",
                entity="maintenance_report",
                entity_id=report["id"],
            )


async def add_comment(ticket_id: int, text: str, actor: Actor) -> None:
    text = text.strip()
    if not text:
        raise ValidationFailed({"comment": N_("Write a comment.")})
    if len(text) > MAX_TEXT:
        raise ValidationFailed({"comment": N_("Use at most 4,000 characters.")})
    async with write_transaction():
        await get_ticket(ticket_id)
        await _event(ticket_id, actor, "comment", note=text)
        await Ticket.update({Ticket.updated_at: _now()}).where(Ticket.id == ticket_id)
        await audit.record("comment", "maintenance_ticket", ticket_id, actor=actor, note=text)


async def add_photo(ticket_id: int, content: bytes, actor: Actor, caption: str = "") -> int:
    """Check, store and attach a photo. The files are removed again if the write fails."""
    await get_ticket(ticket_id)
    if len(caption) > 200:
        raise ValidationFailed({"caption": N_("Use at most 200 characters.")})
    filename, thumb = await photos.save_upload(content)
    try:
        async with write_transaction():
            rows = await Photo.insert(
                Photo(
                    ticket=ticket_id,
                    filename=filename,
                    thumbnail=thumb,
                    caption=caption.strip(),
                    uploaded_by=actor.id,
                    created_at=_now(),
                )
            ).returning(Photo.id)
            await _event(ticket_id, actor, "photo", note=caption.strip())
            await audit.record(
                "photo", "maintenance_ticket", ticket_id, actor=actor, after={"photo": rows[0]["id"]}
            )
    except BaseException:
        photos.remove(filename, thumb)
        raise
    return rows[0]["id"]


DESK_TITLE_LENGTH = 60


async def open_repair_ticket(room_id: int, note: str, source: str, actor: Actor) -> int:
    """Open a normal-priority repair ticket for damage found in a room (the front desk's damage
    note): the room's location, the note's first line as the title, `source` (which booking)
    and the note as the description. Joins the caller's transaction. Other parts of the center
    call this; it needs nothing from them but the room's id."""
    from maintenance.locations import location_for_room  # locations build on the tables only

    note = note.strip()
    if not note:
        raise ValidationFailed({"note": N_("Write what is damaged to open a repair ticket.")})
    if len(note) > 1000:
        raise ValidationFailed({"note": N_("Use at most 1000 characters.")})
    location = await location_for_room(room_id)
    if location is None:
        raise ValidationFailed(
            {"note": N_("This room is not on the maintenance list of locations; ask the facilities staff.")}
        )
    first_line = note.splitlines()[0].strip()
    title = first_line if len(first_line) <= DESK_TITLE_LENGTH else first_line[: DESK_TITLE_LENGTH - 1] + "…"
    fields = {
        "title": title,
        "description": f"{source}\n\n{note}".strip(),
        "category": "repair",
        "priority": "normal",
        "location": location["id"],
        "due_on": due_for("normal", dates.today()),
    }
    return await create_ticket(fields, actor, note=source)
