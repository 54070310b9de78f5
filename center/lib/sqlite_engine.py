"""Piccolo's SQLite engine as this app runs it: the pragmas on every connection, connections kept
for reuse (SQLiteConnections), one hop to a connection's thread per query, and a read-only
connection for the tiny reads a visitor's request checks first (center.lib.committed_reader)."""

from __future__ import annotations

import atexit
import functools
import os
import sqlite3
import time
import weakref
from typing import Any

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

from center.lib.committed_reader import CommittedReader

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


# How many idle connections an engine keeps per process. A server's requests each hold one for their
# transaction; more than this at once are opened and then closed as before.
IDLE_CONNECTIONS = 8

Identity = tuple[int, int, int]  # (process, device, inode): a connection belongs to both

# Connections a forked process inherited: never closed nor collected (a collected one closes itself),
# since the thread that runs their calls is the parent's, and SQLite's handles are the parent's too.
_INHERITED: list[aiosqlite.Connection] = []
_ALL: weakref.WeakSet[SQLiteConnections] = weakref.WeakSet()


def _this_process() -> int:
    return os.getpid()


def _file_identity(path: str) -> Identity | None:
    """This process and the file now at the path."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return (_this_process(), stat.st_dev, stat.st_ino)


class KeptConnection(aiosqlite.Connection):
    """aiosqlite's connection (a thread of its own running the sqlite3 calls), on a daemon thread,
    as a kept connection's must be (Python waits for every other thread before it exits), and able
    to be closed without an event loop to report to (aiosqlite's own close needs one, and a
    connection let go from a finished loop would raise on its thread). Built as aiosqlite.connect
    builds it; aiosqlite is pinned, and tests/center/test_sqlite_connections.py covers both."""

    def __init__(self, database: str, **kwargs: Any) -> None:
        super().__init__(functools.partial(sqlite3.connect, database, **kwargs), iter_chunk_size=64)
        self._thread.daemon = True
        self.born: Identity | None = None  # the process and file it was opened in

    def owned_here(self) -> bool:
        return self.born is not None and self.born[0] == _this_process()

    def close_soon(self) -> None:
        """Close it on its thread once anything already queued there has run; waits for nothing."""
        self._running = False

        def close() -> object:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
            return aiosqlite.core._STOP_RUNNING_SENTINEL  # ends the thread

        self._tx.put_nowait((None, close))


class SQLiteConnections:
    """One engine's idle connections in this process, handed out one at a time and taken back.

    Opening a connection cost 1.7 ms of a query's 2.2 ms: a thread, the file opened, the pragmas,
    and SQLite reading the schema again. A connection that comes back is kept only if it is as a
    new one would be: no transaction open, nothing that went wrong half-way (an interrupted call
    may still be running on its thread), the same file in the same process; otherwise it is
    closed. The idle ones are closed when a server stops or a command ends, and at exit.

    A connection to a file that is no longer at the path (`center restore` renames a new file over
    it) is closed instead of used; SQLite then leaves the logs alone (it neither checkpoints nor
    deletes the -wal of a file that has moved, which would now be the new file's).
    tests/center/test_sqlite_connections.py checks that a commit to the new file survives."""

    def __init__(self, engine: TunedSQLiteEngine) -> None:
        self._engine = weakref.ref(engine)  # (not a bound method: that would keep the engine alive)
        self.path = engine.path
        self._idle: list[KeptConnection] = []
        # An engine dropped unclosed; at exit, _close_at_exit (which waits for the closes) instead.
        weakref.finalize(engine, _let_go, self._idle).atexit = False
        _ALL.add(self)

    async def acquire(self) -> KeptConnection:
        identity = _file_identity(self.path)
        while self._idle:
            connection = self._idle.pop()
            if connection.born == identity:
                return connection
            _discard(connection)
        engine = self._engine()
        assert engine is not None, "an engine's connections outlived it"
        connection = await engine.get_connection()
        connection.born = _file_identity(self.path)  # (the open created the file if missing)
        return connection

    def release(self, connection: KeptConnection, *, reusable: bool) -> None:
        if (
            reusable
            and connection.born is not None
            and connection.born == _file_identity(self.path)
            and len(self._idle) < IDLE_CONNECTIONS
            and not connection.in_transaction
        ):
            self._idle.append(connection)
        else:
            _discard(connection)  # (closing rolls back a transaction left open)

    async def close(self) -> None:
        """Close the idle connections, so the last one checkpoints the log as SQLite does when a
        process is done with a database."""
        idle = list(self._idle)
        self._idle.clear()  # (the list itself is the one the engine's finalizer holds)
        for connection in idle:
            if connection.owned_here():
                await connection.close()
            else:
                _INHERITED.append(connection)


def _discard(connection: KeptConnection) -> bool:
    """Close a connection without waiting, or keep it forever if this process inherited it;
    whether it is being closed."""
    if connection.owned_here():
        connection.close_soon()
        return True
    _INHERITED.append(connection)
    return False


def _let_go(idle: list[KeptConnection]) -> list[KeptConnection]:
    """Close idle connections without an event loop (an engine collected, the process exiting);
    the ones being closed, whose threads end once they have."""
    closing = [connection for connection in idle if _discard(connection)]
    idle.clear()
    return closing


@atexit.register
def _close_at_exit() -> None:
    """Close every idle connection and wait a moment for them: the last one to a database
    checkpoints its log into the file and removes it, as when a process opened one per query."""
    closing = [connection for pool in list(_ALL) for connection in _let_go(pool._idle)]
    deadline = time.monotonic() + 2
    for connection in closing:
        connection._thread.join(max(0.0, deadline - time.monotonic()))


class PooledSQLiteTransaction(SQLiteTransaction):
    """Piccolo's SQLite transaction on a connection from the engine's SQLiteConnections, given back
    at the end instead of closed; a connection whose BEGIN, COMMIT or ROLLBACK failed is closed."""

    __slots__ = ()

    engine: TunedSQLiteEngine

    async def get_connection(self) -> KeptConnection:
        return await self.engine.connections.acquire()

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        self.connection = await self.get_connection()
        try:
            await self.begin()
        except BaseException:
            self.engine.connections.release(self.connection, reusable=False)
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        ended = False
        try:
            if exception:
                if not self._rolled_back:  # (it may have been rolled back by hand)
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
            ended = True
        finally:
            self.engine.connections.release(self.connection, reusable=ended)
            self.engine.current_transaction.reset(self.context)
        return exception is None


class TunedSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine with SQLITE_PRAGMAS on every connection it opens, its connections
    kept for reuse (SQLiteConnections) by transactions and by queries outside one, and each query
    one hop to the connection's thread (Piccolo's sends `PRAGMA foreign_keys = 1` before every
    query, which SQLITE_PRAGMAS set once per connection, and fetches in a hop of its own)."""

    @property
    def connections(self) -> SQLiteConnections:
        connections = self.__dict__.get("_connections")
        if connections is None:
            connections = self.__dict__["_connections"] = SQLiteConnections(self)
        return connections

    async def get_connection(self) -> KeptConnection:
        """A new connection with the pragmas (SQLiteConnections keeps them)."""
        connection = await KeptConnection(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.executescript(SQLITE_PRAGMAS)  # one round trip to the connection's thread
        return connection

    def transaction(
        self, transaction_type: TransactionType = TransactionType.deferred, allow_nested: bool = True
    ) -> SQLiteTransaction:
        return PooledSQLiteTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )

    async def _run_in_new_connection(
        self, query: str, args: list[Any] | None = None, query_type: str = "generic", table: Any = None
    ) -> Any:
        connection = await self.connections.acquire()
        reusable = False
        try:
            rows = await connection.execute_fetchall(query, args or [])  # autocommit: no COMMIT
            reusable = True
        except sqlite3.Error:
            reusable = True  # the statement failed; the connection is as it was
            raise
        finally:
            self.connections.release(connection, reusable=reusable)
        return rows

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        return await connection.execute_fetchall(query, args or [])

    async def close_connections(self) -> None:
        await self.connections.close()

    def read_committed(self, query: str) -> list[dict[str, Any]]:
        """Rows of a small read, synchronously, on this process's CommittedReader: only outside a
        transaction (inside one, read on its connection, which holds the transaction's snapshot)."""
        reader = self.__dict__.get("_committed_reader")
        if reader is None:
            reader = self.__dict__["_committed_reader"] = CommittedReader(self.path)
        return reader.read(query)
