"""On PostgreSQL the database tells every process when the data versions move (LISTEN/NOTIFY), so a
visitor's revalidation need not ask it (center.web.revalidation): the process keeps the versions it
last read until a notification says they changed.

The trigger function that bumps a version (center.lib.versions.PG_FUNCTION) also notifies
CHANNEL; PostgreSQL delivers a notification when its transaction commits, to every connection
listening, and collapses repeats within one transaction. Each server process listens on one
connection of its own (outside the pool: a listening connection must stay idle). What it keeps is
dropped on every notification, and a reading is kept only if no notification came while it was
being read (a generation count), so a value read before a commit is never kept after it.

The version row stays the truth: when the listening connection is not open (SQLite, before start,
or lost: it is opened again every RETRY_SECONDS) nothing is kept and every check reads the row.
Only revalidation uses what is kept; every page that is built reads the row inside its request, so
a notification still on its way (a fraction of a millisecond after the commit) can at worst delay
a 304 → 200 by that long, never put old data on a page.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg

logger = logging.getLogger("center.versions")

CHANNEL = "center_version"
RETRY_SECONDS = 2.0


class _Listening:
    def __init__(self) -> None:
        self.connection: asyncpg.Connection | None = None
        self.engine_id: int | None = None
        self.kept: Any = None
        self.generation = 0
        self.retry: asyncio.Task | None = None
        self.config: dict[str, Any] = {}


_state = _Listening()


def kept(engine: Any) -> Any:
    """The versions last read by this process, if none has changed since (else None)."""
    if _state.connection is None or _state.engine_id != id(engine):
        return None
    return _state.kept


def generation() -> int:
    return _state.generation


def keep(engine: Any, versions: Any, read_at_generation: int) -> None:
    """Keep a committed reading made outside any transaction, unless a change was notified
    since the reading began."""
    listening = _state.connection is not None and _state.engine_id == id(engine)
    if listening and _state.generation == read_at_generation:
        _state.kept = versions


def _changed(*_args: Any) -> None:
    _state.generation += 1
    _state.kept = None


def _lost(*_args: Any) -> None:
    _changed()
    _state.connection = None
    if _state.engine_id is not None and (_state.retry is None or _state.retry.done()):
        logger.warning(
            "the version notifications' connection closed; checking the version row until it is back"
        )
        _state.retry = asyncio.get_running_loop().create_task(_reconnect())


async def _connect() -> None:
    connection = await asyncpg.connect(**_state.config)
    await connection.add_listener(CHANNEL, _changed)
    connection.add_termination_listener(_lost)
    _changed()  # anything read before the LISTEN took effect is not kept
    _state.connection = connection


async def _reconnect() -> None:
    while _state.engine_id is not None and _state.connection is None:
        await asyncio.sleep(RETRY_SECONDS)
        try:
            await _connect()
        except (OSError, asyncpg.PostgresError) as error:
            logger.info("version notifications still unavailable: %s", error)


async def start(engine: Any) -> None:
    """Listen for this engine (a PostgresEngine); a failure leaves the version row to be read."""
    await stop()
    _state.engine_id, _state.config = id(engine), dict(engine.config)
    try:
        await _connect()
    except (OSError, asyncpg.PostgresError) as error:
        logger.warning("version notifications unavailable (%s); checking the version row", error)
        _state.retry = asyncio.get_running_loop().create_task(_reconnect())


async def stop() -> None:
    _state.engine_id = None
    retry, _state.retry = _state.retry, None
    if retry is not None:
        retry.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await retry
    connection, _state.connection = _state.connection, None
    _changed()
    if connection is not None:
        connection.remove_termination_listener(_lost)
        with contextlib.suppress(Exception):
            await connection.close(timeout=2)
