"""Backups: a consistent copy while the center runs, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import re
import shutil
import sqlite3
import subprocess

import asyncpg
import pytest
from piccolo.engine.sqlite import SQLiteEngine

import piccolo_conf
from center.shell.backup import BackupError, BackupResult, backup_database, backup_postgres, backup_sqlite
from tests.conftest import need

ROW = "INSERT INTO center_login_attempt (username, address, attempted_at) VALUES ({}, '', {})"
WHEN = "'2026-11-26 00:00:00+00:00'"


def need_tool(name: str) -> str:
    """The path of a PostgreSQL client tool; skipped without it, except under CI."""
    path = shutil.which(name)
    need(path is not None, f"{name} is not installed")
    return path


def backed_up_usernames(result: BackupResult) -> set[str]:
    """The login-attempt user names inside a backup, read back by the engine's own tools."""
    if result.engine == "sqlite":
        with sqlite3.connect(result.path) as conn:
            return {row[0] for row in conn.execute("SELECT username FROM center_login_attempt")}
    restored = subprocess.run(
        [need_tool("pg_restore"), "--data-only", "--table=center_login_attempt", "--file=-", result.path],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(
        re.findall(r"^\d+\t([^\t]+)\t", restored.stdout, flags=re.MULTILINE)
    )  # COPY rows: id, username


async def _backup_during_open_write(output) -> BackupResult:
    engine = piccolo_conf.DB
    if isinstance(engine, SQLiteEngine):
        with sqlite3.connect(engine.path) as conn:
            conn.execute(ROW.format("'committed'", WHEN))
        writer = sqlite3.connect(engine.path, isolation_level=None)
        try:
            writer.execute("BEGIN IMMEDIATE")
            writer.execute(ROW.format("'uncommitted'", WHEN))
            return backup_database(output)
        finally:
            writer.execute("ROLLBACK")
            writer.close()
    conn = await asyncpg.connect(**engine.config)
    try:
        await conn.execute(ROW.format("'committed'", WHEN))
        transaction = conn.transaction()
        await transaction.start()
        await conn.execute(ROW.format("'uncommitted'", WHEN))
        try:
            return backup_database(output)
        finally:
            await transaction.rollback()
    finally:
        await conn.close()


def test_backup_is_a_consistent_copy_taken_while_a_writer_is_busy(db, tmp_path):
    if db == "postgres":
        need_tool("pg_dump")
    result = asyncio.run(_backup_during_open_write(tmp_path))
    assert result.path.parent == tmp_path and result.size > 0
    assert backed_up_usernames(result) == {"committed"}


def test_backup_is_one_self_contained_file(db, tmp_path):
    if db == "postgres":
        need_tool("pg_dump")
    result = backup_database(tmp_path)
    if db == "sqlite":
        with sqlite3.connect(result.path) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert not list(tmp_path.glob("*-wal"))
    assert [path.name for path in tmp_path.iterdir()] == [result.path.name]  # no partial file left


def test_backup_into_a_folder_gets_a_timestamped_name(db, tmp_path):
    if db == "postgres":
        need_tool("pg_dump")
    result = backup_database(tmp_path)
    suffix = r"\.sqlite3" if db == "sqlite" else r"\.dump"
    assert re.fullmatch(rf"center-\d{{8}}-\d{{6}}{suffix}", result.path.name)
    second = backup_database(tmp_path)
    assert second.path != result.path and second.path.exists()


def test_backup_refuses_to_overwrite_a_file(db, tmp_path):
    target = tmp_path / "existing.bak"
    target.write_text("keep me")
    with pytest.raises(BackupError, match="already exists"):
        backup_database(target)
    assert target.read_text() == "keep me"


def test_backup_of_a_missing_sqlite_database_says_to_migrate(tmp_path):
    with pytest.raises(BackupError, match="center migrate"):
        backup_sqlite(tmp_path / "absent.sqlite3", tmp_path / "copy.sqlite3")
    assert not (tmp_path / "absent.sqlite3").exists()


def test_postgres_backup_without_pg_dump_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(BackupError, match="postgresql-client"):
        backup_postgres({"host": "127.0.0.1", "database": "center"}, tmp_path / "copy.dump")


def test_failed_pg_dump_leaves_no_file_and_reports_its_error(tmp_path):
    need_tool("pg_dump")
    config = {"host": "127.0.0.1", "port": 1, "user": "nobody", "database": "none"}
    with pytest.raises(BackupError, match="pg_dump failed"):
        backup_postgres(config, tmp_path / "copy.dump")
    assert list(tmp_path.iterdir()) == []
