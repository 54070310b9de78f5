"""Report a repair for a room: the front desk finds damage after a booking and turns its note into a
repair ticket. Tickets belong to a domain (maintenance) that the core and the bookings domain cannot
import, so that domain registers its two functions here from the app shell
(center/shell/wiring.py) and the desk calls them through this port."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from center.accounts.actors import Actor

OpenTicket = Callable[[int, str, str, Any], Awaitable[int]]
TicketExists = Callable[[int], Awaitable[bool]]


@dataclass(frozen=True)
class RepairDesk:
    """What the desk needs from whoever keeps the repair tickets.

    `open_ticket(room id, note, source, actor)` opens a repair ticket for damage found in a room,
    joining the caller's transaction, and returns its number (it raises ValidationFailed for a
    note it cannot accept, keyed "note"); `ticket_exists(ticket id)` says whether a ticket of that
    number exists (the desk shows a number only then)."""

    open_ticket: OpenTicket
    ticket_exists: TicketExists


class NoRepairDesk(RuntimeError):
    """Nothing registered a repair desk: the entry point did not call center.shell.wiring.wire()."""


_DESK: list[RepairDesk] = []


def register_repair_desk(provider: RepairDesk) -> None:
    """Register the repair desk (once; registering again replaces it, so wiring stays idempotent)."""
    _DESK[:] = [provider]


def _desk() -> RepairDesk:
    if not _DESK:
        raise NoRepairDesk("no repair desk registered; call center.shell.wiring.wire() at start-up")
    return _DESK[0]


async def open_repair_ticket(room_id: int, note: str, source: str, actor: Actor) -> int:
    """Open a repair ticket for damage in a room (the desk's note, `source` naming the booking);
    joins the caller's transaction and returns the ticket number."""
    return await _desk().open_ticket(room_id, note, source, actor)


async def ticket_exists(ticket_id: int) -> bool:
    """Whether a repair ticket with this number exists."""
    return await _desk().ticket_exists(ticket_id)
