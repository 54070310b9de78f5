"""Reading tickets: the filtered list (most urgent first), a ticket's timeline and its photos."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from center.lib import dates
from maintenance.tables import Photo, Report, Ticket, TicketEvent
from maintenance.workflow import (
    CATEGORIES,
    CLOSED_STATUSES,
    OPEN_STATUSES,
    PRIORITIES,
    PRIORITY_ORDER,
    STATUSES,
)


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
    rows.sort(
        key=lambda row: (
            row["status"] in CLOSED_STATUSES,
            PRIORITY_ORDER.get(row["priority"], 9),
            row["due_on"] or date.max,
            row["id"],
        )
    )
    return rows


async def open_ticket_choices() -> list[dict]:
    """Open tickets (id, title, location), newest first: where a report can be merged."""
    return (
        await Ticket.select(Ticket.id, Ticket.title, Ticket.location)
        .where(Ticket.status.is_in(list(OPEN_STATUSES)))
        .order_by(Ticket.id, ascending=False)
    )


async def find_photo(photo_id: int, *, report_id: int | None = None) -> dict | None:
    """A stored photo's row, or None; with `report_id` only if it was sent with that report."""
    where = Photo.id == photo_id
    if report_id is not None:
        where = where & (Photo.report == report_id)
    return await Photo.select().where(where).first()
