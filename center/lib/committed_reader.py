"""A process's read-only SQLite connection for the tiny reads a visitor's request checks first."""

from __future__ import annotations

import mmap
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any


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
