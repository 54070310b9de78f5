"""The health report for /healthz: the version, whether the database answers (a cheap query with a
short timeout), whether its schema is current (Piccolo's migration table against the migration
files) and when the scheduler last finished a job. Public, so it says what failed and nothing
more: no paths, no addresses, no error text (the log has that, with the request id)."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.tables import Migration

from center.lib.db import get_engine
from center.lib.scheduler.tables import JobRun
from center.lib.settings import get_settings
from center.lib.sqlite_engine import TunedSQLiteEngine
from center.shell.ops.facts import last_job_finished
from center.shell.ops.metrics import package_version

logger = logging.getLogger("center.health")

TIMEOUT_SECONDS = 2.0
STARTED_AT = datetime.now(UTC)  # this process's start (the module is imported as the app is built)
CHECKS = ("database", "migrations", "scheduler")


@functools.cache
def expected_migrations() -> frozenset[tuple[str, str]]:
    """(app name, migration id) of every migration file (the files do not change while we run)."""
    manager = BaseMigrationManager()
    found = set()
    for app_module in manager.get_app_modules():
        config = app_module.APP_CONFIG
        modules = manager.get_migration_modules(config.resolved_migrations_folder_path)
        found.update((config.app_name, migration_id) for migration_id in manager.get_migration_ids(modules))
    return frozenset(found)


def _committed_reader() -> TunedSQLiteEngine | None:
    """On SQLite the checks read through the process's open read-only connection: a new connection
    per check cost /healthz two milliseconds more than all the rest of it together."""
    engine = get_engine()
    if isinstance(engine, TunedSQLiteEngine) and not engine.transaction_exists():
        return engine
    return None


async def check_database() -> dict[str, Any]:
    if reader := _committed_reader():
        reader.read_committed("SELECT 1")
    else:
        await get_engine().run_ddl("SELECT 1")
    return {"ok": True}


async def check_migrations() -> dict[str, Any]:
    if reader := _committed_reader():
        rows = reader.read_committed(f"SELECT app_name, name FROM {Migration._meta.tablename}")
    else:
        rows = await Migration.select(Migration.app_name, Migration.name)
    ran = {(row["app_name"], row["name"]) for row in rows}
    pending = len(expected_migrations() - ran)
    return {"ok": pending == 0, "pending": pending}


async def check_scheduler(now: datetime | None = None) -> dict[str, Any]:
    """Healthy when some job finished within CENTER_HEALTH_SCHEDULER_MINUTES (the in-process
    scheduler looks every 30 seconds and mail delivery is due every minute; a cron timer running
    `center jobs` every few minutes is also fine). A process that started less than that ago is
    given that long for the first run: a new center, or one restarted after a stop, is not failing
    before its scheduler had a chance."""
    now = now or datetime.now(UTC)
    limit = timedelta(minutes=get_settings().health_scheduler_minutes)
    if reader := _committed_reader():  # stored as ISO text in UTC, so the greatest is the latest
        (row,) = reader.read_committed(f"SELECT max(last_finished_at) AS last FROM {JobRun._meta.tablename}")
        last = datetime.fromisoformat(row["last"]) if row["last"] else None
    else:
        last = await last_job_finished()
    starting = now - STARTED_AT <= limit
    if last is None:
        return {"ok": starting, "last_run": None, "age_seconds": None}
    age = max(timedelta(0), now - last)
    return {
        "ok": age <= limit or starting,
        "last_run": last.astimezone(UTC).isoformat(),
        "age_seconds": int(age.total_seconds()),
    }


async def _guarded(name: str, check: Callable[[], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    """Run one check with the timeout; a failure is logged in full and reported in one word."""
    try:
        return await asyncio.wait_for(check(), timeout=TIMEOUT_SECONDS)
    except TimeoutError:
        logger.warning("health check %s timed out after %.0f s", name, TIMEOUT_SECONDS)
        return {"ok": False, "error": "timeout"}
    except Exception:
        logger.exception("health check %s failed", name)
        return {"ok": False, "error": "unavailable"}


async def report() -> dict[str, Any]:
    """{"status": "ok" | "failing", "version", "failing": [names], "checks": {name: {...}}}."""
    checks: dict[str, dict[str, Any]] = {"database": await _guarded("database", check_database)}
    if checks["database"]["ok"]:
        checks["migrations"] = await _guarded("migrations", check_migrations)
        checks["scheduler"] = await _guarded("scheduler", check_scheduler)
    else:  # nothing else can be read; say so rather than guess
        checks["migrations"] = {"ok": None, "error": "not checked"}
        checks["scheduler"] = {"ok": None, "error": "not checked"}
    failing = [name for name in CHECKS if checks[name]["ok"] is False]
    return {
        "status": "failing" if failing else "ok",
        "version": package_version(),
        "failing": failing,
        "checks": checks,
    }
