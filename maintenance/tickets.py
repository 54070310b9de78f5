"""Tickets and their life: open, edit, move through the workflow, comment, add photos. Each change
is one write transaction with a timeline line on the ticket and an audit line; illegal moves and
bad input are refused with a message and change nothing."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

from center.accounts import audit
from center.accounts.roles import FACILITIES, MANAGER
from center.accounts.tables import User, UserRole
from center.lib import dates
from center.lib.db import write_transaction
from center.lib.errors import Conflict, NotFound, ValidationFailed
from center.lib.i18n import N_
from center.notices.service import notify
from center.places import forms
from maintenance import photos, report_history
from maintenance.tables import Closure, Location, Photo, Project, Report, Ticket, TicketEvent
from maintenance.workflow import (
    CATEGORIES,
    CLOSED_STATUSES,
    FEATURES,
    OPEN_STATUSES,
    PRIORITIES,
    STATUSES,
    can_move,
    due_for,
)

SYSTEM = SimpleNamespace(id=None, display_name="system")
MAX_TITLE = 200
MAX_TEXT = 4000
MAX_COST = 999_999_999


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


async def staff_choices() -> list[dict]:
    """People a ticket can be assigned to: active facilities staff and managers."""
    ids = [
        row["user"]
        for row in await UserRole.select(UserRole.user).where(UserRole.role.is_in([FACILITIES, MANAGER]))
    ]
    if not ids:
        return []
    return (
        await User.select(User.id, User.display_name)
        .where(User.id.is_in(ids) & (User.active == True))
        .order_by(User.display_name)
    )


async def location_choices(*, keep: Any = None, everything: bool = False) -> list[dict]:
    """Active locations for the forms; `keep` (a ticket's current place) stays even if inactive,
    and `everything` lists inactive ones too (the filters, where old tickets are searched)."""
    where = Location.active == True
    if everything:
        return await Location.select().order_by(Location.sort_order, Location.id)
    if isinstance(keep, int):
        where = where | (Location.id == keep)
    return await Location.select().where(where).order_by(Location.sort_order, Location.id)


async def project_choices() -> list[dict]:
    return await Project.select(Project.id, Project.title_ja, Project.title_en).order_by(Project.id)


async def parse_fields(
    data: Mapping[str, Any], *, opened: date | None = None, keep_location: int | None = None
) -> dict[str, Any]:
    """The ticket's fields from a form, or ValidationFailed naming every bad field. Only active
    locations may be chosen, except `keep_location` (the ticket's own, deactivated since)."""
    errors = forms.FieldErrors()
    title = forms.text(data, "title")
    if not title:
        errors.add("title", N_("Enter the title."))
    elif len(title) > MAX_TITLE:
        errors.add("title", N_("Use at most 200 characters."))
    description = forms.text(data, "description")
    if len(description) > MAX_TEXT:
        errors.add("description", N_("Use at most 4,000 characters."))
    category = forms.text(data, "category")
    if category not in CATEGORIES:
        errors.add("category", N_("Choose a category."))
    priority = forms.text(data, "priority") or "normal"
    if priority not in PRIORITIES:
        errors.add("priority", N_("Choose a priority."))
    location_id = forms.whole(data, "location", errors, N_("Choose a location."), low=1)
    if location_id is not None and not await Location.exists().where(
        (Location.id == location_id) & ((Location.active == True) | (Location.id == (keep_location or 0)))
    ):
        errors.add("location", N_("Choose a location."))
    due_on = None
    if forms.text(data, "due_on"):
        due_on = forms.day(data, "due_on", errors, N_("Enter a date as YYYY-MM-DD."))
    elif priority in PRIORITIES:
        due_on = due_for(priority, opened or dates.today())
    assignee = forms.whole(
        data, "assignee", errors, N_("Choose someone from the list."), low=1, required=False
    )
    if assignee is not None and assignee not in {row["id"] for row in await staff_choices()}:
        errors.add("assignee", N_("Choose someone from the list."))
    feature = forms.text(data, "accessibility_feature")
    if feature and feature not in FEATURES:
        errors.add("accessibility_feature", N_("Choose a feature from the list."))
    project = forms.whole(
        data, "project", errors, N_("Choose a project from the list."), low=1, required=False
    )
    if project is not None and not await Project.exists().where(Project.id == project):
        errors.add("project", N_("Choose a project from the list."))
    cost_msg = N_("Enter an amount in yen (0 or more, digits only).")
    estimated = forms.whole(data, "estimated_cost", errors, cost_msg, low=0, high=MAX_COST, required=False)
    actual = forms.whole(data, "actual_cost", errors, cost_msg, low=0, high=MAX_COST, required=False)
    texts = {}
    for name, limit in (("contractor", 200), ("contractor_contact", 200), ("access_times", 300)):
        texts[name] = forms.text(data, name)
        if len(texts[name]) > limit:
            errors.add(
                name, N_("Use at most 300 characters.") if limit == 300 else N_("Use at most 200 characters.")
            )
    if errors:
        raise ValidationFailed(dict(errors))
    return {
        "title": title,
        "description": description,
        "category": category,
        "priority": priority,
        "location": location_id,
        "due_on": due_on,
        "assignee": assignee,
        "accessibility_feature": feature,
        "project": project,
        "estimated_cost": estimated,
        "actual_cost": actual,
        **texts,
    }


async def _event(
    ticket_id: int,
    actor: Any,
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
            actor=getattr(actor, "id", None),
            actor_name=getattr(actor, "display_name", "") or "",
            kind=kind,
            from_status=from_status,
            to_status=to_status,
            note=note,
            changes=audit._plain(changes or {}),
        )
    )


async def create_ticket(
    fields: dict[str, Any],
    actor: Any,
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
                created_by=getattr(actor, "id", None),
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


async def update_ticket(ticket_id: int, fields: dict[str, Any], actor: Any) -> dict:
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
    ticket_id: int, target: str, actor: Any, reason: str = "", public_note: str = ""
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
    from maintenance.access_notices import tell_groups  # reads bookings; tickets stay below them

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
                    "place": {"ja": report["name_ja"], "en": report["name_en"] or report["name_ja"]},
                },
                email=report["contact_email"],
                link=f"/report/{report['reference']}",
                entity="maintenance_report",
                entity_id=report["id"],
            )


async def add_comment(ticket_id: int, text: str, actor: Any) -> None:
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


async def add_photo(ticket_id: int, content: bytes, actor: Any, caption: str = "") -> int:
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
                    uploaded_by=getattr(actor, "id", None),
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


async def timeline(ticket_id: int) -> list[dict]:
    return (
        await TicketEvent.select()
        .output(load_json=True)
        .where(TicketEvent.ticket == ticket_id)
        .order_by(TicketEvent.at)
        .order_by(TicketEvent.id)
    )


async def ticket_photos(ticket_id: int) -> list[dict]:
    """Photos taken by staff and those sent with the public reports merged into the ticket."""
    report_ids = [row["id"] for row in await Report.select(Report.id).where(Report.ticket == ticket_id)]
    where = Photo.ticket == ticket_id
    if report_ids:
        where = where | Photo.report.is_in(report_ids)
    return await Photo.select().where(where).order_by(Photo.id)


LIST_COLUMNS = (
    Ticket.id,
    Ticket.title,
    Ticket.category,
    Ticket.priority,
    Ticket.status,
    Ticket.due_on,
    Ticket.accessibility_feature,
    Ticket.created_at,
    Ticket.resolved_at,
    Ticket.estimated_cost,
    Ticket.actual_cost,
    Ticket.location,
    Ticket.assignee,
    Ticket.contractor,
)


async def list_tickets(filters: Mapping[str, Any] | None = None, *, limit: int = 500) -> list[dict]:
    """Tickets matching the filters (category, location, priority, assignee, status, overdue),
    most urgent first."""
    filters = filters or {}
    query = Ticket.select(
        *LIST_COLUMNS,
        Ticket.location.name_ja.as_alias("location_name_ja"),
        Ticket.location.name_en.as_alias("location_name_en"),
        Ticket.assignee.display_name.as_alias("assignee_name"),
    )
    if filters.get("category") in CATEGORIES:
        query = query.where(Ticket.category == filters["category"])
    if filters.get("priority") in PRIORITIES:
        query = query.where(Ticket.priority == filters["priority"])
    if filters.get("location"):
        query = query.where(Ticket.location == filters["location"])
    if filters.get("assignee"):
        query = query.where(Ticket.assignee == filters["assignee"])
    status = filters.get("status")
    if status == "open" or filters.get("overdue"):
        query = query.where(Ticket.status.is_in(list(OPEN_STATUSES)))
    elif status in STATUSES:
        query = query.where(Ticket.status == status)
    if filters.get("overdue"):
        query = query.where(Ticket.due_on < dates.today())
    rows = await query.limit(limit)
    from maintenance.workflow import PRIORITY_ORDER

    rows.sort(
        key=lambda row: (
            row["status"] in CLOSED_STATUSES,
            PRIORITY_ORDER.get(row["priority"], 9),
            row["due_on"] or date.max,
            row["id"],
        )
    )
    return rows


DESK_TITLE_LENGTH = 60


async def open_repair_ticket(room_id: int, note: str, source: str, actor: Any) -> int:
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
