"""A restore never moves the data-version counters (center.lib.versions) backwards: after
`center restore` each counter is strictly above both the backup's value and the value the database
had before, on each engine, so no process (nor a browser's ETag) holding something cached under an
older version can take it for current. And a process's open read-only connection for the versions
(center.lib.db.CommittedReader) follows the restored SQLite file, which is a new file renamed over
the old one."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import asyncpg
import pytest

from center.lib.committed_reader import CommittedReader
from center.lib.db import get_engine
from center.lib.versions import VERSION_TABLE
from center.shell.backup import backup_database
from tests.center.test_backup import need_tool
from tests.center.test_restore_cli import center
from tests.jobs_support import create_pg_database, drop_pg_database

BACKED_UP = {"reference": 5, "data": 7}


async def _set_counters(values: dict[str, int]) -> None:
    for name, version in values.items():
        await get_engine().run_ddl(f"UPDATE {VERSION_TABLE} SET version = {version} WHERE name = '{name}'")


def _sqlite_counters(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return dict(conn.execute(f"SELECT name, version FROM {VERSION_TABLE}").fetchall())


def _set_sqlite_counters(path: Path, values: dict[str, int]) -> None:
    with sqlite3.connect(path) as conn:
        for name, version in values.items():
            conn.execute(f"UPDATE {VERSION_TABLE} SET version = ? WHERE name = ?", (version, name))


async def _pg_counters(config: dict) -> dict[str, int]:
    conn = await asyncpg.connect(**config)
    try:
        return {
            row["name"]: row["version"]
            for row in await conn.fetch(f"SELECT name, version FROM {VERSION_TABLE}")
        }
    finally:
        await conn.close()


async def _set_pg_counters(config: dict, values: dict[str, int]) -> None:
    conn = await asyncpg.connect(**config)
    try:
        for name, version in values.items():
            await conn.execute(f"UPDATE {VERSION_TABLE} SET version = $1 WHERE name = $2", version, name)
    finally:
        await conn.close()


@pytest.fixture
def versioned_backup(db, tmp_path) -> Path:
    """A backup of the test database with its counters at BACKED_UP."""
    if db == "postgres":
        need_tool("pg_dump")
    asyncio.run(_set_counters(BACKED_UP))
    name = "center.sqlite3" if db == "sqlite" else "center.dump"
    return backup_database(tmp_path / "backups" / name).path


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_a_sqlite_restore_leaves_the_counters_above_the_backup_and_the_database_before(
    db, versioned_backup, tmp_path
):
    fresh = tmp_path / "fresh"
    restored = center(fresh, "restore", str(versioned_backup))
    assert restored.returncode == 0, restored.stderr
    database = fresh / "center.sqlite3"
    assert _sqlite_counters(database) == {"reference": 6, "data": 8}  # above the backup's

    # Since then the reference data changed often, the rest less than in the backup.
    _set_sqlite_counters(database, {"reference": 100, "data": 3})
    reader = CommittedReader(str(database))  # a process's open connection for the versions
    assert {row["name"]: row["version"] for row in reader.read(f"SELECT * FROM {VERSION_TABLE}")} == {
        "reference": 100,
        "data": 3,
    }
    forced = center(fresh, "restore", "--force", str(versioned_backup))
    assert forced.returncode == 0, forced.stderr
    after = _sqlite_counters(database)
    assert after == {"reference": 101, "data": 8}  # above both the value before and the backup's
    # The open connection reads the restored file, not the one renamed away.
    assert {row["name"]: row["version"] for row in reader.read(f"SELECT * FROM {VERSION_TABLE}")} == after


@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
def test_a_postgres_restore_leaves_the_counters_above_the_backup_and_the_database_before(
    db, versioned_backup, tmp_path
):
    need_tool("pg_restore")
    need_tool("psql")
    name, config = asyncio.run(create_pg_database())
    url = f"postgresql://{config['user']}@{config['host']}:{config['port']}/{name}"
    try:
        restored = center(tmp_path / "data", "restore", str(versioned_backup), database_url=url)
        assert restored.returncode == 0, restored.stderr
        assert asyncio.run(_pg_counters(config)) == {"reference": 6, "data": 8}

        asyncio.run(_set_pg_counters(config, {"reference": 100, "data": 3}))
        forced = center(tmp_path / "data", "restore", "--force", str(versioned_backup), database_url=url)
        assert forced.returncode == 0, forced.stderr
        assert asyncio.run(_pg_counters(config)) == {"reference": 101, "data": 8}
    finally:
        asyncio.run(drop_pg_database(name))
