"""What the facilities team's calendar feed reads from maintenance: tickets due in a window with
how often each changed, room closures in a window, and when any of it last changed. Plain rows,
read only; inspections are inspections.list_inspections."""

from __future__ import annotations

from datetime import date, datetime

from center.lib.db import column_max
from maintenance.tables import Closure, Inspection, Ticket, TicketEvent


async def due_ticket_rows(first: date, last: date) -> list[dict]:
    """Tickets due on the days first..last (inclusive), with their location's names."""
    return await Ticket.select(
        Ticket.id,
        Ticket.title,
        Ticket.status,
        Ticket.priority,
        Ticket.due_on,
        Ticket.created_at,
        Ticket.updated_at,
        Ticket.location.name_ja.as_alias("location_ja"),
        Ticket.location.name_en.as_alias("location_en"),
    ).where(Ticket.due_on.is_not_null() & (Ticket.due_on >= first) & (Ticket.due_on <= last))


async def change_counts(ticket_ids: list[int]) -> dict[int, int]:
    """How many times each ticket's status or fields were changed (its status and edit events);
    tickets never changed are absent."""
    changes: dict[int, int] = {}
    if ticket_ids:
        for row in await TicketEvent.select(TicketEvent.ticket).where(
            TicketEvent.ticket.is_in(ticket_ids) & TicketEvent.kind.is_in(["status", "edit"])
        ):
            changes[row["ticket"]] = changes.get(row["ticket"], 0) + 1
    return changes


async def closure_rows(start: datetime, end: datetime) -> list[dict]:
    """Room closures overlapping [start, end), ended ones included, with the room's names."""
    return await Closure.select(
        Closure.id,
        Closure.ticket,
        Closure.starts_at,
        Closure.ends_at,
        Closure.active,
        Closure.reason,
        Closure.created_at,
        Closure.ended_at,
        Closure.room.name_ja.as_alias("room_name_ja"),
        Closure.room.name_en.as_alias("room_name_en"),
    ).where((Closure.starts_at < end) & (Closure.ends_at > start))


async def facilities_changed() -> list[datetime | None]:
    """The latest change of tickets, ticket events, closures (made, ended) and inspections."""
    return [
        await column_max(Ticket.updated_at),
        await column_max(TicketEvent.at),
        await column_max(Closure.created_at),
        await column_max(Closure.ended_at),
        await column_max(Inspection.updated_at),
    ]
