"""`center restore FILE`: put a backup back into a stopped or fresh center.

Refused, changing nothing: while a server runs on this data folder (its lock, see server_lock.py)
or, on PostgreSQL, while anything else is connected to the database; into a database that already
holds data, unless forced; a backup from the other engine; a file that is not a center backup.
SQLite: the backup is checked, copied beside the database under a temporary name and renamed over
it (the old WAL files removed first). PostgreSQL: pg_restore turns the dump into SQL that psql runs
in ONE transaction (with --force, after dropping the existing tables in the same transaction), so
a failed restore leaves the database as it was. The caller migrates afterwards, so an older backup
is brought up to date.

Either way the data-version counters (center.lib.versions) of the restored database are set above
both the backup's values and the values the database had before, in the restored file before it is
renamed into place, or in the restore's one transaction: a restore never moves them backwards, so
nothing cached under a version from before it (in a server started later on the same folder, a
browser's ETag) can match again."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from center.lib.versions import VERSION_TABLE, counters_after_restore
from center.shell.backup import BackupError

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
ENGINE_NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


class RestoreRefused(BackupError):
    """The restore was refused or failed; nothing was changed. The message says why."""


@dataclass(frozen=True)
class RestoreResult:
    engine: str
    target: str
    tables: int
    replaced: bool  # whether data already there was replaced (--force)


def backup_engine(path: Path) -> str:
    """ "sqlite" or "postgres", from the file's first bytes; refused for anything else."""
    if not path.is_file():
        raise RestoreRefused(f"There is no backup file at {path}.")
    with path.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgres"
    raise RestoreRefused(
        f"{path} is not a center backup (neither a SQLite database nor a pg_dump custom-format archive)."
    )


def check_engine(path: Path, target_engine: str) -> None:
    found = backup_engine(path)
    if found != target_engine:
        raise RestoreRefused(
            f"{path.name} is a {ENGINE_NAMES[found]} backup, but this center uses "
            f"{ENGINE_NAMES[target_engine]}. "
            "A backup is restored into the same kind of database it was taken from."
        )


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    return [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]


def _sqlite_has_data(path: Path) -> bool:
    """Whether the database file holds any row in any table (an empty, migrated file does not)."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        for table in _sqlite_tables(conn):
            if table != "migration" and conn.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone():
                return True
    return False


def _sqlite_versions(path: Path) -> dict[str, int]:
    """The version counters of the database at `path` (none when there is no database or table)."""
    if not path.exists() or path.stat().st_size == 0:
        return {}
    try:
        with closing(sqlite3.connect(path)) as conn:
            return {
                name: int(version)
                for name, version in conn.execute(f"SELECT name, version FROM {VERSION_TABLE}")
            }
    except sqlite3.Error:
        return {}


def restore_sqlite(backup: Path, target: Path, *, force: bool = False) -> RestoreResult:
    """Replace the SQLite database at `target` with `backup` (the caller holds the server lock)."""
    check_engine(backup, "sqlite")
    try:
        with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as conn:
            (verdict,) = conn.execute("PRAGMA quick_check").fetchone()
            tables = _sqlite_tables(conn)
    except sqlite3.Error as exc:
        raise RestoreRefused(f"{backup} cannot be read as a SQLite database: {exc}") from exc
    if verdict != "ok":
        raise RestoreRefused(f"{backup} failed its integrity check: {verdict}")
    if "migration" not in tables:
        raise RestoreRefused(
            f"{backup} is a SQLite database, but not a center backup (it has no migrations table)."
        )
    replaced = _sqlite_has_data(target)
    if replaced and not force:
        raise RestoreRefused(
            f"The database at {target} already holds data. Restore into a fresh data folder, "
            "or add --force to replace it (take a backup of it first)."
        )
    before = _sqlite_versions(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.restoring")
    try:
        shutil.copyfile(backup, partial)
        with sqlite3.connect(partial) as conn:
            conn.execute("PRAGMA journal_mode=DELETE")
            for statement in counters_after_restore(before):
                conn.execute(statement)
        conn.close()
        with partial.open("rb") as file:
            os.fsync(file.fileno())
        for suffix in ("-wal", "-shm"):  # an old WAL would be replayed into the restored file
            target.with_name(target.name + suffix).unlink(missing_ok=True)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return RestoreResult("sqlite", str(target), len(tables), replaced)


def _pg_env(config: dict) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PGHOST=str(config.get("host", "127.0.0.1")),
        PGPORT=str(config.get("port", 5432)),
        PGUSER=str(config.get("user", "postgres")),
        PGDATABASE=str(config.get("database", "postgres")),
    )
    if config.get("password"):
        env["PGPASSWORD"] = str(config["password"])  # not on the command line, where ps shows it
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RestoreRefused(
            f"{name} was not found. Install the PostgreSQL client tools "
            "(Debian: apt-get install -y postgresql-client) and try again."
        )
    return path


def _psql(config: dict, sql: str) -> str:
    result = subprocess.run(
        [
            _tool("psql"),
            "--no-psqlrc",
            "--tuples-only",
            "--no-align",
            "--set=ON_ERROR_STOP=1",
            "--command",
            sql,
        ],
        env=_pg_env(config),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RestoreRefused(f"psql failed: {result.stderr.strip() or f'exit {result.returncode}'}")
    return result.stdout.strip()


_DROP_CENTER_FUNCTIONS = """DO $$ DECLARE f regprocedure; BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.proname LIKE 'center\\_%'
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
    LOOP EXECUTE 'DROP FUNCTION ' || f || ' CASCADE'; END LOOP;
END $$;
"""


def _pg_tables(config: dict) -> list[str]:
    listed = _psql(config, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [line for line in listed.splitlines() if line]


def _pg_has_data(config: dict, tables: list[str]) -> bool:
    probes = [f'SELECT 1 FROM public."{name}"' for name in tables if name != "migration"]
    if not probes:
        return False
    return _psql(config, f"SELECT EXISTS ({' UNION ALL '.join(probes)})") == "t"


def restore_postgres(backup: Path, config: dict, *, force: bool = False) -> RestoreResult:
    """Restore a pg_dump custom-format archive into the database `config` names."""
    check_engine(backup, "postgres")
    others = _psql(
        config,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
    )
    if others != "0":
        raise RestoreRefused(
            f"{others} other connection(s) to the database {config.get('database')}: stop every server "
            "(and `center jobs` timer) using it, then restore."
        )
    tables = _pg_tables(config)
    replaced = _pg_has_data(config, tables)
    before: dict[str, int] = {}
    if VERSION_TABLE in tables:
        listed = _psql(config, f"SELECT name || '=' || version FROM public.{VERSION_TABLE}")
        before = {
            name: int(value) for name, _, value in (line.partition("=") for line in listed.splitlines())
        }
    if replaced and not force:
        raise RestoreRefused(
            f"The database {config.get('database')} already holds data. Restore into a new, empty database, "
            "or add --force to replace it (take a backup of it first)."
        )
    listing = subprocess.run(
        [_tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(backup)],
        capture_output=True,
        check=False,
    )
    if listing.returncode != 0:
        raise RestoreRefused(
            f"pg_restore could not read {backup}: {listing.stderr.decode(errors='replace').strip()}"
        )
    drops = "".join(f'DROP TABLE IF EXISTS public."{name}" CASCADE;\n' for name in tables)
    # The center's own functions (the data-version triggers' function) come back with the dump too.
    drops += _DROP_CENTER_FUNCTIONS
    # After the dump (which empties search_path, hence the schema): the counters never go back.
    counters = "".join(f"{sql};\n" for sql in counters_after_restore(before, f"public.{VERSION_TABLE}"))
    script = drops.encode() + listing.stdout + b"\n" + counters.encode()
    result = subprocess.run(
        [
            _tool("psql"),
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            "--file=-",
        ],
        input=script,
        env=_pg_env(config),
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()
        raise RestoreRefused(f"The restore failed and was rolled back, nothing changed: {message}")
    return RestoreResult("postgres", str(config.get("database")), len(_pg_tables(config)), replaced)
