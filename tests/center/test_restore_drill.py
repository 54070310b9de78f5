"""The restore drill: bookings made through the service layer while the backup runs, the backup
restored into a fresh target, and every booking committed before the backup started is there with
its hold, nothing begun after it finished is, and the ledger is consistent. On both engines."""

from __future__ import annotations

import asyncio
import time

import anyio.to_thread
import pytest

import piccolo_conf
from bookings.service import BookingTaken
from center.shell.backup import backup_database
from center.shell.backup.restore import restore_postgres, restore_sqlite
from tests.center.test_backup import need_tool
from tests.jobs_support import (
    book,
    create_pg_database,
    drop_pg_database,
    free_requests,
    ledger_problems,
    read_ledger_postgres,
    read_ledger_sqlite,
    small_center,
)

pytestmark = pytest.mark.anyio

PADDING = "INSERT INTO center_login_attempt (username, address, attempted_at) VALUES ($1, '', now())"


async def _pad(engine: str, rows: int) -> None:
    """Bulk rows so the backup takes long enough for bookings to land while it runs."""
    if engine == "sqlite":
        import sqlite3

        with sqlite3.connect(piccolo_conf.DB.path) as conn:
            conn.executemany(
                "INSERT INTO center_login_attempt (username, address, attempted_at) VALUES (?, '', ?)",
                ((f"padding-{n}-{'x' * 60}", "2026-11-26 00:00:00+00:00") for n in range(rows)),
            )
        return
    import asyncpg

    conn = await asyncpg.connect(**piccolo_conf.DB.config)
    try:
        await conn.executemany(PADDING, [(f"padding-{n}-{'x' * 60}",) for n in range(rows)])
    finally:
        await conn.close()


async def test_restore_drill_with_bookings_made_while_the_backup_runs(db, tmp_path):
    if db == "postgres":
        need_tool("pg_dump")
        need_tool("pg_restore")
    center = await small_center()
    requests = iter(free_requests(center))
    made: list[tuple[int, float, float]] = []  # (booking id, started, committed), monotonic seconds
    for _ in range(6):  # some bookings well before the backup
        started = time.monotonic()
        made.append((await book(center, next(requests)), started, time.monotonic()))
    await _pad(db, 40_000)

    backup_done = asyncio.Event()
    window: dict[str, float] = {}

    async def booker() -> None:
        after = 0
        while after < 3:  # keep booking until three more have been made after the backup
            started = time.monotonic()
            try:
                booking_id = await book(center, next(requests))
            except BookingTaken:
                continue
            made.append((booking_id, started, time.monotonic()))
            if backup_done.is_set():
                after += 1

    async def backup() -> None:
        await asyncio.sleep(0.05)  # bookings are under way first
        window["start"] = time.monotonic()
        window["result"] = await anyio.to_thread.run_sync(backup_database, tmp_path / "backups")
        window["end"] = time.monotonic()
        backup_done.set()

    (tmp_path / "backups").mkdir()
    await asyncio.gather(booker(), booker(), booker(), backup())
    result = window["result"]

    if db == "sqlite":
        target = tmp_path / "fresh" / "center.sqlite3"
        restored = restore_sqlite(result.path, target)
        bookings, holds = read_ledger_sqlite(target)
    else:
        name, config = await create_pg_database()
        try:
            restored = await anyio.to_thread.run_sync(lambda: restore_postgres(result.path, config))
            bookings, holds = await read_ledger_postgres(config)
        finally:
            await drop_pg_database(name)
    assert not restored.replaced

    during = [b for b, started, done in made if started < window["end"] and done > window["start"]]
    assert during, "no booking was in flight while the backup ran"
    before = {b for b, _, done in made if done < window["start"]}
    after = {b for b, started, _ in made if started > window["end"]}
    assert len(before) >= 6 and len(after) >= 3
    assert before <= set(bookings), f"committed before the backup but missing: {before - set(bookings)}"
    assert not after & set(bookings), f"begun after the backup finished yet restored: {after & set(bookings)}"
    assert ledger_problems(bookings, holds) == []
    assert all(bookings[b]["status"] == "requested" and holds[bookings[b]["hold"]]["active"] for b in before)
