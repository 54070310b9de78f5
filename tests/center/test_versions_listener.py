"""PostgreSQL notifies every process when the data versions move (center/lib/versions_listener.py):
what a process keeps for revalidation is dropped by a change committed anywhere, a reading that a
notification overtook is not kept, and a lost listening connection falls back to the version row
until it is open again."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

import piccolo_conf
from center.lib import versions_listener
from center.lib.versions import current
from center.places.tables import Room
from center.shell.demo import load_demo

pytestmark = [pytest.mark.anyio, pytest.mark.parametrize("engine", ["postgres"], indirect=True)]


async def _until(condition, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition did not hold in time")


async def _settled(engine) -> None:
    for _ in range(500):
        await current(pushed=True)
        if versions_listener.kept(engine) is not None:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("notifications kept arriving for 5 s")


@pytest.fixture
async def listening(db):
    engine = piccolo_conf.DB
    await versions_listener.start(engine)
    try:
        yield engine
    finally:
        await versions_listener.stop()


async def test_a_change_committed_elsewhere_drops_what_the_process_kept(listening):
    await load_demo()
    engine = listening
    # The demo's own notifications may still be on their way, and each one that overtakes a reading
    # keeps it from being kept (the next test): read until no notification is left to come.
    await _settled(engine)
    before = await current(pushed=True)
    assert versions_listener.kept(engine) == before
    assert await current(pushed=True) == before  # answered from what is kept
    # Another connection (another process, as far as PostgreSQL knows) changes a room.
    other = await asyncpg.connect(**engine.config)
    try:
        await other.execute("UPDATE center_room SET name_en = 'The Renamed Hall' WHERE code = 'hall'")
    finally:
        await other.close()
    await _until(lambda: versions_listener.kept(engine) is None)
    after = await current(pushed=True)
    assert after.reference > before.reference and after.data == before.data
    await Room.update({Room.capacity: 99}).where(Room.code == "hall")  # through this process's pool
    await _until(lambda: versions_listener.kept(engine) is None)
    assert (await current(pushed=True)).reference > after.reference


async def test_a_reading_overtaken_by_a_notification_is_not_kept(listening):
    engine = listening
    generation = versions_listener.generation()
    stale = await current()
    await Room.insert(Room(code="studio", name_ja="スタジオ", name_en="Studio"))  # notifies
    await _until(lambda: versions_listener.generation() > generation)
    versions_listener.keep(engine, stale, generation)
    assert versions_listener.kept(engine) is None
    assert (await current(pushed=True)).reference > stale.reference


async def test_a_lost_connection_falls_back_to_the_version_row_and_listens_again(listening, monkeypatch):
    engine = listening
    monkeypatch.setattr(versions_listener, "RETRY_SECONDS", 0.05)
    await current(pushed=True)
    pid = versions_listener._state.connection.get_server_pid()
    killer = await asyncpg.connect(**engine.config)
    try:
        await killer.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await killer.close()
    await _until(
        lambda: versions_listener._state.connection is None or versions_listener.kept(engine) is None
    )
    # Meanwhile each check reads the row: a change is seen at once.
    await Room.insert(Room(code="studio", name_ja="スタジオ", name_en="Studio"))
    seen = await current(pushed=True)
    assert seen == await current()
    await _until(lambda: versions_listener._state.connection is not None)
    assert versions_listener._state.connection.get_server_pid() != pid
    await current(pushed=True)
    assert versions_listener.kept(engine) is not None
