"""What the lottery's modules share: the actor of its scheduled jobs and the statuses of an entry."""

from __future__ import annotations

from center.accounts.actors import SYSTEM as SYSTEM  # the lottery's jobs act as the center's system

ENTRY_STATUSES = ("applied", "won", "lost", "confirmed", "forfeited", "withdrawn")
WIN_STATUSES = ("won", "confirmed", "forfeited")  # the entry the draw picked for its slot
