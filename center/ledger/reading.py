"""What the feeds and reports read from the ledger: holds in a window, released ones included
(the ledger keeps them, inactive), and when the ledger last changed. Plain rows, read only."""

from __future__ import annotations

from datetime import datetime

from center.ledger.tables import Hold
from center.lib.db import column_max


async def hold_rows(start: datetime, end: datetime, room_id: int | None = None) -> list[dict]:
    """Every hold overlapping [start, end), active or released, with its room's names."""
    query = Hold.select(
        Hold.id,
        Hold.room,
        Hold.kind,
        Hold.ref,
        Hold.label,
        Hold.active,
        Hold.starts_at,
        Hold.ends_at,
        Hold.created_at,
        Hold.released_at,
        Hold.room.name_ja.as_alias("room_name_ja"),
        Hold.room.name_en.as_alias("room_name_en"),
    ).where((Hold.starts_at < end) & (Hold.ends_at > start))
    if room_id is not None:
        query = query.where(Hold.room == room_id)
    return await query


async def holds_changed(room_id: int | None = None) -> tuple[datetime | None, datetime | None]:
    """When the ledger (of one room) last changed: the latest hold taken, the latest released."""
    where = [] if room_id is None else [Hold.room == room_id]
    return await column_max(Hold.created_at, *where), await column_max(Hold.released_at, *where)


async def closure_hold_rows(start: datetime, end: datetime) -> list[dict]:
    """Closure holds (rooms closed for works) overlapping [start, end), released ones included:
    room, starts_at, ends_at, active, released_at."""
    return await Hold.select(Hold.room, Hold.starts_at, Hold.ends_at, Hold.active, Hold.released_at).where(
        (Hold.kind == "closure") & (Hold.starts_at < end) & (Hold.ends_at > start)
    )
