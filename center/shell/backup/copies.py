"""A consistent copy of the database while the center runs.

SQLite: the online backup API copies a snapshot page by page (writers keep working in WAL mode),
into a single self-contained file that is checked before it is kept. PostgreSQL: `pg_dump
--format=custom` (one snapshot, restorable with pg_restore). Either way the copy is written under
a temporary name and renamed when complete, so a failed backup never leaves a file that looks good."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from center.lib.dates import TOKYO
from center.lib.db import get_engine
from center.lib.settings import get_settings


class BackupError(Exception):
    """The backup could not be made; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    engine: str  # "sqlite" or "postgres"


def default_path(suffix: str, folder: Path | None = None, now: datetime | None = None) -> Path:
    """<folder>/center-YYYYmmdd-HHMMSS<suffix> (Tokyo time; the folder defaults to CENTER_BACKUP_DIR
    or data/backups),
    never an existing file."""
    stamp = (now or datetime.now(TOKYO)).astimezone(TOKYO).strftime("%Y%m%d-%H%M%S")
    settings = get_settings()
    folder = folder or settings.backup_dir or settings.data_dir / "backups"
    path = folder / f"center-{stamp}{suffix}"
    counter = 2
    while path.exists():
        path = folder / f"center-{stamp}-{counter}{suffix}"
        counter += 1
    return path


def backup_database(output: Path | None = None, engine: Engine | None = None) -> BackupResult:
    """Copy the database the app uses (or `engine`) to `output` or a timestamped file."""
    engine = engine or get_engine()
    if isinstance(engine, SQLiteEngine):
        target = _target(output, ".sqlite3")
        backup_sqlite(Path(engine.path), target)
        kind = "sqlite"
    elif isinstance(engine, PostgresEngine):
        target = _target(output, ".dump")
        backup_postgres(engine.config, target)
        kind = "postgres"
    else:
        raise BackupError(f"Cannot back up a {type(engine).__name__} database.")
    return BackupResult(path=target, size=target.stat().st_size, engine=kind)


def _target(output: Path | None, suffix: str) -> Path:
    if output is None:
        target = default_path(suffix)
    elif (folder := Path(output).expanduser().resolve()).is_dir():
        target = default_path(suffix, folder)
    else:
        target = folder
    if target.exists():
        raise BackupError(f"{target} already exists; choose another --output.")
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def _partial(target: Path) -> Path:
    return target.with_name(f".{target.name}.partial")


def backup_sqlite(source: Path, target: Path) -> None:
    """Copy the SQLite database at `source` to `target` with the online backup API."""
    if not source.exists():
        raise BackupError(f"There is no database at {source}. Run `center migrate` first.")
    partial = _partial(target)
    partial.unlink(missing_ok=True)
    try:
        src = sqlite3.connect(source, timeout=30)
        try:
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst)
                # The copy inherits WAL mode; switch it back so the backup is one file.
                dst.execute("PRAGMA journal_mode=DELETE")
                (verdict,) = dst.execute("PRAGMA quick_check").fetchone()
            finally:
                dst.close()
        finally:
            src.close()
        if verdict != "ok":
            raise BackupError(f"The copy failed its integrity check: {verdict}")
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite backup failed: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)


def backup_postgres(config: dict, target: Path) -> None:
    """pg_dump the database described by asyncpg-style `config` to `target`."""
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError(
            "pg_dump was not found. Install the PostgreSQL client tools "
            "(Debian: apt-get install -y postgresql-client) and try again."
        )
    env = dict(os.environ)
    if config.get("password"):
        env["PGPASSWORD"] = str(config["password"])  # not on the command line, where ps shows it
    command = [
        pg_dump,
        "--format=custom",
        "--no-owner",
        f"--file={_partial(target)}",
        f"--host={config.get('host', '127.0.0.1')}",
        f"--port={config.get('port', 5432)}",
        f"--username={config.get('user', 'postgres')}",
        f"--dbname={config.get('database', 'postgres')}",
    ]
    partial = _partial(target)
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip() or f'exit {result.returncode}'}")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
