"""The one way to take or release room time. Everything that occupies a room (a booking, a
screening, a closure, a programme) goes through `take_hold` and `release_hold`; the database
refuses overlaps even when two requests race, and the refusal names the conflicting holds."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
from piccolo.columns.combination import WhereRaw

from center.ledger.tables import Hold
from center.lib.db import get_engine, is_postgres, write_transaction
from center.lib.errors import Conflict, NotFound, ValidationFailed
from center.lib.i18n import N_
from center.lib.prepared import Prepared, PreparedInsert

HOLD_KINDS = ("booking", "screening", "closure", "programme")
MAX_HOLD = timedelta(days=366)  # longer closures are entered as consecutive holds
ROOM_LOCK_SPACE = 7301  # first key of the advisory locks the ledger takes per room


@dataclass(frozen=True)
class HoldInfo:
    """What a conflict names: which hold, in which room, when and for what."""

    id: int
    room_id: int
    starts_at: datetime
    ends_at: datetime
    kind: str
    ref: int | None
    label: str


class HoldConflict(Conflict):
    """The room is already held for part of the requested time."""

    message = N_("The room is already in use at that time.")

    def __init__(self, conflicts: list[HoldInfo]) -> None:
        self.conflicts = conflicts
        super().__init__()


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("hold times must be timezone-aware")
    return value.astimezone(UTC)


def _info(row: dict) -> HoldInfo:
    return HoldInfo(
        id=row["id"],
        room_id=row["room"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        kind=row["kind"],
        ref=row["ref"],
        label=row["label"],
    )


def _is_overlap_refusal(exc: BaseException) -> bool:
    if isinstance(exc, asyncpg.exceptions.ExclusionViolationError):
        return True
    return isinstance(exc, sqlite3.IntegrityError) and "center_hold_no_overlap" in str(exc)


def overlapping(starts_at: datetime, ends_at: datetime):
    """The where-clause for active holds overlapping [starts_at, ends_at), written so the lookup
    stays an index range scan however much history piles up: on PostgreSQL the range operator
    uses the exclusion constraint's GiST index; elsewhere a lower bound on starts_at (no hold is
    longer than MAX_HOLD) bounds the (room, starts_at) index scan."""
    start, end = _utc(starts_at), _utc(ends_at)
    if is_postgres():
        return _overlapping_ranges(start, end)
    return _overlapping_bounded(start, end, start - MAX_HOLD)


def _overlapping_ranges(start, end):
    return (Hold.active == True) & WhereRaw(
        "tstzrange(starts_at, ends_at, '[)') && tstzrange({}, {}, '[)')", start, end
    )


def _overlapping_bounded(start, end, floor):
    return (Hold.active == True) & (Hold.starts_at > floor) & (Hold.starts_at < end) & (Hold.ends_at > start)


def _conflicts(room_id, overlap, exclude_id):
    where = (Hold.room == room_id) & overlap & (Hold.id != exclude_id)
    return Hold.select().where(where).order_by(Hold.starts_at)


# The conflict check of every hold taken: compiled once per engine (center.lib.prepared). No hold
# has id -1, so that stands for "exclude none".
_CONFLICTS_PG = Prepared(
    lambda room_id, start, end, exclude_id: _conflicts(room_id, _overlapping_ranges(start, end), exclude_id)
)
_CONFLICTS_SQLITE = Prepared(
    lambda room_id, start, end, floor, exclude_id: _conflicts(
        room_id, _overlapping_bounded(start, end, floor), exclude_id
    )
)
_INSERT_HOLD = PreparedInsert(Hold, returning=tuple(Hold.all_columns()))


async def find_conflicts(
    room_id: int, starts_at: datetime, ends_at: datetime, exclude_id: int | None = None
) -> list[HoldInfo]:
    """Active holds on the room that overlap [starts_at, ends_at)."""
    start, end = _utc(starts_at), _utc(ends_at)
    exclude = -1 if exclude_id is None else exclude_id
    if is_postgres():
        rows = await _CONFLICTS_PG.run(room_id=room_id, start=start, end=end, exclude_id=exclude)
    else:
        rows = await _CONFLICTS_SQLITE.run(
            room_id=room_id, start=start, end=end, floor=start - MAX_HOLD, exclude_id=exclude
        )
    return [_info(row) for row in rows]


def _check_range(starts_at: datetime, ends_at: datetime) -> None:
    if _utc(starts_at) >= _utc(ends_at):
        raise ValidationFailed({"ends_at": N_("The end must be after the start.")})
    if _utc(ends_at) - _utc(starts_at) > MAX_HOLD:
        raise ValidationFailed({"ends_at": N_("A room can be held for at most a year at a time.")})


async def lock_rooms(*room_ids: int) -> None:
    """Serialise writers per room for the rest of the transaction. On PostgreSQL two transactions
    inserting overlapping holds can otherwise deadlock inside the exclusion constraint (40P01);
    with a transaction-level advisory lock per room, taken in id order, the second waits and then
    sees the first's hold. SQLite's immediate transactions already serialise all writers."""
    if not is_postgres():
        return
    for room_id in sorted(set(room_ids)):
        await Hold.raw("SELECT pg_advisory_xact_lock({}, {})", ROOM_LOCK_SPACE, room_id)


async def _guarded_write(room_id: int, starts_at: datetime, ends_at: datetime, exclude_id, write):
    """Run `write` under a savepoint; turn the database's refusal into a HoldConflict."""
    transaction = get_engine().current_transaction.get()
    savepoint = await transaction.savepoint()
    try:
        result = await write()
    except Exception as exc:
        if not _is_overlap_refusal(exc):
            raise
        await savepoint.rollback_to()
        raise HoldConflict(await find_conflicts(room_id, starts_at, ends_at, exclude_id=exclude_id)) from exc
    await savepoint.release()
    return result


async def take_hold(
    room_id: int,
    starts_at: datetime,
    ends_at: datetime,
    kind: str,
    *,
    ref: int | None = None,
    label: str = "",
    actor_id: int | None = None,
) -> HoldInfo:
    """Hold the room for [starts_at, ends_at) or raise HoldConflict naming what holds it.
    Joins the caller's write transaction if there is one."""
    if kind not in HOLD_KINDS:
        raise ValueError(f"unknown hold kind {kind!r}")
    _check_range(starts_at, ends_at)
    async with write_transaction():
        await lock_rooms(room_id)
        existing = await find_conflicts(room_id, starts_at, ends_at)
        if existing:
            raise HoldConflict(existing)

        async def write():
            return await _INSERT_HOLD.run(
                {
                    "room": room_id,
                    "starts_at": _utc(starts_at),
                    "ends_at": _utc(ends_at),
                    "kind": kind,
                    "ref": ref,
                    "label": label,
                    "active": True,
                    "created_at": datetime.now(UTC),
                    "created_by": actor_id,
                }
            )

        rows = await _guarded_write(room_id, starts_at, ends_at, None, write)
        return _info(rows[0])


async def move_hold(hold_id: int, room_id: int, starts_at: datetime, ends_at: datetime) -> HoldInfo:
    """Move an active hold to another room or time, atomically; refused if that time is held."""
    _check_range(starts_at, ends_at)
    async with write_transaction():
        current = await Hold.select().where(Hold.id == hold_id).first()
        if current is None or not current["active"]:
            raise NotFound(N_("That hold does not exist or was released."))
        await lock_rooms(current["room"], room_id)
        existing = await find_conflicts(room_id, starts_at, ends_at, exclude_id=hold_id)
        if existing:
            raise HoldConflict(existing)

        async def write():
            return (
                await Hold.update(
                    {Hold.room: room_id, Hold.starts_at: _utc(starts_at), Hold.ends_at: _utc(ends_at)}
                )
                .where(Hold.id == hold_id)
                .returning(*Hold.all_columns())
            )

        rows = await _guarded_write(room_id, starts_at, ends_at, hold_id, write)
        return _info(rows[0])


async def release_hold(hold_id: int, reason: str = "") -> bool:
    """Release a hold at once, keeping it as history. Returns False if it was already released."""
    async with write_transaction():
        rows = (
            await Hold.update(
                {Hold.active: False, Hold.released_at: datetime.now(UTC), Hold.release_reason: reason}
            )
            .where((Hold.id == hold_id) & (Hold.active == True))
            .returning(Hold.id)
        )
        return bool(rows)


async def holds_between(
    starts_at: datetime, ends_at: datetime, room_ids: list[int] | None = None
) -> list[HoldInfo]:
    """Active holds overlapping the period, for availability views."""
    query = Hold.select().where(overlapping(starts_at, ends_at))
    if room_ids is not None:
        query = query.where(Hold.room.is_in(room_ids or [-1]))
    return [_info(row) for row in await query.order_by(Hold.room, Hold.starts_at)]
