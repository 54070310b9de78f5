"""What the lottery's modules share: the actor of its scheduled jobs and the statuses of an entry."""

from __future__ import annotations

from bookings import service

SYSTEM = service.Actor(None, "system", staff=True)
ENTRY_STATUSES = ("applied", "won", "lost", "confirmed", "forfeited", "withdrawn")
WIN_STATUSES = ("won", "confirmed", "forfeited")  # the entry the draw picked for its slot
