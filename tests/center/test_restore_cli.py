"""`center restore FILE`: into a fresh or stopped center, with clear refusals that change nothing
(a server running on the data folder, a database holding data without --force, a backup from the
other engine, a file that is no backup, other connections to the PostgreSQL database)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from center.lib.settings import BASE_DIR
from center.shell.backup import backup_database
from center.shell.backup.server_lock import serving
from tests.center.test_backup import need_tool
from tests.helpers import make_group
from tests.jobs_support import create_pg_database, drop_pg_database


def center(data_dir: Path, *args: str, database_url: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "CENTER_DATA_DIR": str(data_dir), "CENTER_SECRET_KEY": "test-restore"}
    env.pop("CENTER_DATABASE_URL", None)
    if database_url:
        env["CENTER_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "center.cli", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )


def _groups_sqlite(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM center_group")}


async def _groups_postgres(config: dict) -> set[str]:
    conn = await asyncpg.connect(**config)
    try:
        return {row["name"] for row in await conn.fetch("SELECT name FROM center_group")}
    finally:
        await conn.close()


@pytest.fixture
def backup_file(db, tmp_path) -> Path:
    """A backup of the test database holding one group."""
    if db == "postgres":
        need_tool("pg_dump")
    asyncio.run(make_group("苫小牧水彩画同好会"))
    return backup_database(
        tmp_path / "backups" / ("center.sqlite3" if db == "sqlite" else "center.dump")
    ).path


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # the PostgreSQL restore has its own test
def test_sqlite_restore_into_a_fresh_data_folder_and_its_refusals(db, backup_file, tmp_path):
    fresh = tmp_path / "fresh"
    restored = center(fresh, "restore", str(backup_file))
    assert restored.returncode == 0, restored.stderr
    assert "Restored" in restored.stdout and "Database ready" in restored.stdout
    assert _groups_sqlite(fresh / "center.sqlite3") == {"苫小牧水彩画同好会"}

    again = center(fresh, "restore", str(backup_file))  # the target now holds data
    assert again.returncode == 1 and "already holds data" in again.stderr and "--force" in again.stderr

    with sqlite3.connect(fresh / "center.sqlite3") as conn:
        conn.execute("UPDATE center_group SET name = 'changed since the backup'")
    with serving(fresh):  # a server runs on this data folder
        running = center(fresh, "restore", "--force", str(backup_file))
    assert running.returncode == 1 and "A server is running" in running.stderr
    assert _groups_sqlite(fresh / "center.sqlite3") == {"changed since the backup"}

    forced = center(fresh, "restore", "--force", str(backup_file))
    assert forced.returncode == 0, forced.stderr
    assert "replacing the data that was there" in forced.stdout
    assert _groups_sqlite(fresh / "center.sqlite3") == {"苫小牧水彩画同好会"}


def test_a_backup_from_the_other_engine_or_no_backup_is_refused(db, tmp_path):
    dump = tmp_path / "center.dump"
    dump.write_bytes(b"PGDMP\x01\x0f\x00 not really")
    other = center(tmp_path / "data", "restore", str(dump))
    assert other.returncode == 1
    assert "is a PostgreSQL backup, but this center uses SQLite" in other.stderr
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    refused = center(tmp_path / "data", "restore", str(junk))
    assert refused.returncode == 1 and "is not a center backup" in refused.stderr
    assert not (tmp_path / "data" / "center.sqlite3").exists()


@pytest.mark.parametrize("engine", ["postgres"], indirect=True)  # the SQLite restore has its own test
def test_postgres_restore_into_a_new_database_and_its_refusals(db, backup_file, tmp_path):
    need_tool("pg_restore")
    need_tool("psql")
    name, config = asyncio.run(create_pg_database())
    url = f"postgresql://{config['user']}@{config['host']}:{config['port']}/{name}"
    try:
        restored = center(tmp_path / "data", "restore", str(backup_file), database_url=url)
        assert restored.returncode == 0, restored.stderr
        assert asyncio.run(_groups_postgres(config)) == {"苫小牧水彩画同好会"}

        again = center(tmp_path / "data", "restore", str(backup_file), database_url=url)
        assert again.returncode == 1 and "already holds data" in again.stderr

        sqlite_backup = tmp_path / "center.sqlite3"
        with sqlite3.connect(sqlite_backup) as conn:
            conn.execute("CREATE TABLE migration (id INTEGER)")
        other = center(tmp_path / "data", "restore", "--force", str(sqlite_backup), database_url=url)
        assert other.returncode == 1 and "is a SQLite backup, but this center uses PostgreSQL" in other.stderr

        async def while_connected() -> subprocess.CompletedProcess:
            conn = await asyncpg.connect(**config)  # a server still using the database
            try:
                await conn.execute("UPDATE center_group SET name = 'changed since the backup'")
                return await asyncio.to_thread(
                    center, tmp_path / "data", "restore", "--force", str(backup_file), database_url=url
                )
            finally:
                await conn.close()

        busy = asyncio.run(while_connected())
        assert busy.returncode == 1 and "other connection(s)" in busy.stderr
        assert asyncio.run(_groups_postgres(config)) == {"changed since the backup"}

        forced = center(tmp_path / "data", "restore", "--force", str(backup_file), database_url=url)
        assert forced.returncode == 0, forced.stderr
        assert asyncio.run(_groups_postgres(config)) == {"苫小牧水彩画同好会"}
    finally:
        asyncio.run(drop_pg_database(name))
