"""The database engine and the one helper that opens a write transaction on either engine."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import asyncpg
from piccolo.conf.apps import Finder
from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from center.lib.settings import get_settings
from center.lib.sqlite_engine import TunedSQLiteEngine


def postgres_config(url: str) -> dict[str, Any]:
    """asyncpg connection arguments from a postgresql:// URL."""
    parsed = urlparse(url)
    config: dict[str, Any] = {
        "host": parsed.hostname or "127.0.0.1",
        "port": parsed.port or 5432,
        "user": unquote(parsed.username or "postgres"),
        "database": (parsed.path or "/postgres").lstrip("/") or "postgres",
    }
    if parsed.password:
        config["password"] = unquote(parsed.password)
    return config


# A command's connections (command_pool): commands run one query at a time, a few at most at once.
COMMAND_POOL_SIZE = 4


def build_engine() -> Engine:
    """PostgreSQL when the settings name a URL, else SQLite in the data folder."""
    settings = get_settings()
    if settings.is_postgres:
        assert settings.database_url
        return PostgresEngine(config=postgres_config(settings.database_url))
    return TunedSQLiteEngine(path=str(settings.sqlite_path), timeout=30)


_conf_module: Any = None


def get_engine() -> Engine:
    """The engine piccolo_conf.py names (its DB, read each time: tests swap it). The module is
    found once: Piccolo's own finder imports it by name on every call, which cost a visitor's 304
    a tenth of its time."""
    global _conf_module
    if _conf_module is None:
        _conf_module = Finder().get_piccolo_conf_module()
    engine = getattr(_conf_module, "DB", None) or engine_finder()
    assert engine is not None, "piccolo_conf.py defines no engine"
    return engine


def is_postgres(engine: Engine | None = None) -> bool:
    return (engine or get_engine()).engine_type == "postgres"


@asynccontextmanager
async def write_transaction() -> AsyncIterator[Any]:
    """One write transaction: IMMEDIATE on SQLite (so concurrent writers queue instead of
    failing with "database is locked"), a plain transaction on PostgreSQL. Nested calls join
    the outer transaction."""
    engine = get_engine()
    if engine.transaction_exists():
        yield engine.current_transaction.get()
        return
    if isinstance(engine, SQLiteEngine):
        async with engine.transaction(transaction_type=TransactionType.immediate) as txn:
            yield txn
    else:
        async with engine.transaction() as txn:
            yield txn


@asynccontextmanager
async def read_transaction() -> AsyncIterator[None]:
    """Many small reads on one connection (a deferred transaction on SQLite, which takes no write
    lock), so a page's queries see one state and SQLite opens one connection instead of one per
    query. Joins a transaction already open."""
    from center.lib.versions import reading

    engine = get_engine()
    if engine.transaction_exists():
        yield
        return
    with reading():  # the reference caches may serve and fill here (center.lib.versions)
        async with engine.transaction():
            yield


async def keep_session_state(_connection: asyncpg.Connection) -> None:
    """The pool's reset of a returned connection: nothing beyond what asyncpg always does (roll
    back a transaction left open, drop listeners). Its default also sends `pg_advisory_unlock_all();
    CLOSE ALL; UNLISTEN *; RESET ALL` on every release, one more round trip per query outside a
    transaction, for session state this app never leaves: its advisory locks are transaction
    locks, it keeps no cursors outside a transaction, sets no session variables and listens only
    on a connection of its own (center.lib.versions_listener)."""


async def start_pool() -> None:
    """A server process's PostgreSQL connections: the pool, and the connection that listens for
    the data versions' notifications (center.lib.versions_listener)."""
    from center.lib import versions_listener

    engine = get_engine()
    if isinstance(engine, PostgresEngine) and get_settings().pg_pool:
        await engine.start_connection_pool(min_size=1, max_size=10, reset=keep_session_state)
        await versions_listener.start(engine)


@asynccontextmanager
async def command_pool() -> AsyncIterator[None]:
    """A few PostgreSQL connections for one command's run (`center ...`): without a pool, Piccolo
    opens a connection for every query outside a transaction, and an import or the demo makes
    hundreds. On SQLite, the engine keeps its connections anyway (center.lib.sqlite_engine); they
    are closed when the command is done. Nothing where this event loop already has a pool."""
    engine = get_engine()
    if isinstance(engine, TunedSQLiteEngine):
        try:
            yield
        finally:
            await engine.close_connections()
        return
    if not isinstance(engine, PostgresEngine) or engine.pool is not None:
        yield
        return
    await engine.start_connection_pool(min_size=1, max_size=COMMAND_POOL_SIZE, reset=keep_session_state)
    try:
        yield
    finally:
        if engine.pool is not None:  # (a command that closed it itself)
            await engine.close_connection_pool()


async def close_pool() -> None:
    from center.lib import versions_listener

    await versions_listener.stop()
    engine = get_engine()
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()
    elif isinstance(engine, TunedSQLiteEngine):
        await engine.close_connections()


async def migrate() -> None:
    """Run every app's migrations. On SQLite, also switch the file to WAL mode (persistent)."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    engine = get_engine()
    if isinstance(engine, SQLiteEngine):
        Path(engine.path).parent.mkdir(parents=True, exist_ok=True)
        await engine.run_ddl("PRAGMA journal_mode=WAL")
    result = await run_forwards("all")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}")
    from center.lib.versions import install_version_triggers

    await install_version_triggers()


UNIQUE_VIOLATIONS = (sqlite3.IntegrityError, asyncpg.exceptions.UniqueViolationError)


def is_unique_violation(exc: BaseException, marker: str = "") -> bool:
    """Whether the database refused a row for a unique constraint, on either engine. On SQLite,
    where every integrity error is one class, `marker` (a table or column name) must also appear in
    the message; PostgreSQL's own error class says enough."""
    if isinstance(exc, asyncpg.exceptions.UniqueViolationError):
        return True
    return isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc).upper() and marker in str(exc)


async def column_max(column: Any, *where: Any) -> Any:
    """The largest non-null value of a column (an update time, say) among the rows matching every
    condition, or None when there is none: one indexed query, newest first, one row."""
    query = column._meta.table.select(column.as_alias("stamp")).order_by(column, ascending=False).limit(1)
    for condition in where:
        query = query.where(condition)
    query = query.where(column.is_not_null())
    row = await query.first()
    return row["stamp"] if row else None
