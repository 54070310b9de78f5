"""The database engine and the one helper that opens a write transaction on either engine."""

from __future__ import annotations

import mmap
import os
import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import aiosqlite
import asyncpg
from piccolo.conf.apps import Finder
from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType, dict_factory

from center.lib.settings import get_settings


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

# SQLite as its authors advise for a web server: the write-ahead log (readers never wait for the
# writer), fsync only at checkpoints, a wait instead of "database is locked", memory-mapped reads
# and a larger page cache. journal_mode is persistent (set by migrate); the rest is per connection.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode = WAL;"
    " PRAGMA synchronous = NORMAL;"
    " PRAGMA busy_timeout = 30000;"
    " PRAGMA mmap_size = 268435456;"
    " PRAGMA cache_size = -32000;"
    " PRAGMA temp_store = MEMORY;"
    " PRAGMA foreign_keys = 1;"
)


class CommittedReader:
    """One read-only sqlite3 connection kept open by this process for tiny reads outside any
    transaction (the data versions a visitor's request checks first): no connection opened, no
    pragmas sent, no hop to aiosqlite's thread. In autocommit each statement is its own read
    transaction, which in WAL mode sees every commit made before it by any connection or process.

    The connection is opened again when the process is another (a fork) or the file is another (a
    restore renames a new file over the old one: an open connection would go on reading the old
    one). Thread-safe: one statement at a time under a lock.

    A query's rows are kept until another connection commits (this one only reads, so nothing
    else changes the file), so only queries whose answer depends on the data alone (not on the
    time, say) belong here, and callers must not change the rows they get. Whether anything was
    committed is learnt, in WAL mode, from the WAL-index header at the start of the -shm file
    (https://www.sqlite.org/walformat.html): SQLite writes it, twice, on every commit and every
    restart of the log, and compares it itself to learn whether its snapshot is still current.
    Reading it from memory costs a fraction of `PRAGMA data_version`, a statement that takes and
    releases the log's read lock (about a seventh of a visitor's 304). When the header cannot be
    read (no -shm file, its two copies differ while a commit is being written), the pragma
    decides, as it always did."""

    HEADER = 48  # bytes of one copy of the WAL-index header; the second copy follows it

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._identity: tuple[int, int, int] | None = None
        self._index: mmap.mmap | None = None
        self._index_file: int | None = None  # the descriptor of the mapped -shm file
        # query -> (data_version, WAL-index header or None, rows)
        self._kept: dict[str, tuple[int, bytes | None, list[dict[str, Any]]]] = {}

    def read(self, query: str) -> list[dict[str, Any]]:
        with self._lock:
            kept = self._kept.get(query)
            # Read before the data: a commit landing in between leaves an older header beside
            # newer rows, so the next read looks again; never the other way round.
            header = self._header()
            if kept is not None and header is not None and kept[1] == header and self._index_current():
                return kept[2]  # nothing committed since these rows were read
            stat = os.stat(self.path)  # FileNotFoundError before the database exists
            identity = (os.getpid(), stat.st_dev, stat.st_ino)
            if self._connection is None or self._identity != identity:
                self._drop()
                uri = Path(self.path).resolve().as_uri() + "?mode=ro"
                connection = sqlite3.connect(
                    uri, uri=True, timeout=5, isolation_level=None, check_same_thread=False
                )
                connection.row_factory = sqlite3.Row
                self._connection, self._identity = connection, identity
                kept = header = None
            try:
                (data_version,) = self._connection.execute("PRAGMA data_version").fetchone()
                if kept is not None and kept[0] == data_version:
                    rows = kept[2]
                else:
                    rows = [dict(row) for row in self._connection.execute(query).fetchall()]
            except sqlite3.Error:
                self._drop()
                raise
            if self._index is None:
                self._map_index()  # the -shm file exists once this connection has read in WAL mode
            self._kept[query] = (data_version, header, rows)
            return rows

    def _index_current(self) -> bool:
        """The mapped -shm file is still the one SQLite uses for this process's connection: same
        process (not a fork), and not removed (a restore removes it before renaming the restored
        file in; read() then looks at the path again and reconnects). An fstat on a descriptor
        kept open: cheaper than the stat of the path that the slow way does."""
        return (
            self._identity is not None
            and self._identity[0] == os.getpid()
            and (self._index_file is not None and os.fstat(self._index_file).st_nlink > 0)
        )

    def _header(self) -> bytes | None:
        """The WAL-index header when its two copies agree, else None (no -shm mapped, or a writer
        between its two copies: SQLite itself then reads the header again)."""
        if self._index is None:
            return None
        both = self._index[: 2 * self.HEADER]
        first = both[: self.HEADER]
        return first if first == both[self.HEADER :] else None

    def _map_index(self) -> None:
        """Map the start of the database's -shm file, read-only; nothing when it is not there (not
        in WAL mode, or a read-only open that found no log), then the pragma alone decides.
        While this connection is open SQLite keeps that file (it only removes it when the last
        connection closes), and a restore that renames another database in is noticed by read()."""
        try:
            descriptor = os.open(self.path + "-shm", os.O_RDONLY)  # not inherited (PEP 446)
        except OSError:
            return
        try:
            if os.fstat(descriptor).st_size >= 2 * self.HEADER:
                self._index = mmap.mmap(descriptor, 2 * self.HEADER, access=mmap.ACCESS_READ)
                self._index_file, descriptor = descriptor, None
        except (OSError, ValueError):
            self._index = None
        finally:
            if descriptor is not None:
                os.close(descriptor)

    def _drop(self) -> None:
        if self._connection is not None and self._identity and self._identity[0] == os.getpid():
            self._connection.close()  # (a connection inherited through a fork is left alone)
        if self._index is not None:
            self._index.close()
        if self._index_file is not None:
            os.close(self._index_file)
        self._connection = self._identity = self._index = self._index_file = None
        self._kept = {}


class TunedSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine with SQLITE_PRAGMAS on every connection it opens: the ones for
    transactions (get_connection) and the one-query connections outside a transaction."""

    async def get_connection(self) -> aiosqlite.Connection:
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.executescript(SQLITE_PRAGMAS)  # one round trip to the connection's thread
        return connection

    async def _run_in_new_connection(
        self, query: str, args: list[Any] | None = None, query_type: str = "generic", table: Any = None
    ) -> Any:
        connection = await self.get_connection()
        try:
            async with connection.execute(query, args or []) as cursor:
                await connection.commit()
                return await cursor.fetchall()
        finally:
            await connection.close()

    def read_committed(self, query: str) -> list[dict[str, Any]]:
        """Rows of a small read, synchronously, on this process's CommittedReader: only outside a
        transaction (inside one, read on its connection, which holds the transaction's snapshot)."""
        reader = self.__dict__.get("_committed_reader")
        if reader is None:
            reader = self.__dict__["_committed_reader"] = CommittedReader(self.path)
        return reader.read(query)


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
    hundreds. Nothing on SQLite, or where this event loop already has a pool."""
    engine = get_engine()
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
