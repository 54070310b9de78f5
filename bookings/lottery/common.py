"""What the lottery's modules share: the actor of its scheduled jobs, the statuses of an entry,
and telling a unique-index violation on either engine."""

from __future__ import annotations

import sqlite3

import asyncpg

from bookings import service

SYSTEM = service.Actor(None, "system", staff=True)
ENTRY_STATUSES = ("applied", "won", "lost", "confirmed", "forfeited", "withdrawn")
WIN_STATUSES = ("won", "confirmed", "forfeited")  # the entry the draw picked for its slot


def _is_unique_violation(exc: BaseException, marker: str) -> bool:
    if isinstance(exc, asyncpg.exceptions.UniqueViolationError):
        return True
    return isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc) and marker in str(exc)
