"""The SQLite engine keeps its connections for reuse (center.lib.sqlite_engine.SQLiteConnections):
queries and transactions share a few connections instead of opening one each, and a connection
goes back only as a new one would be: no transaction left open, the same file, the same process.
A connection to a file that a restore replaced is never closed, since closing SQLite's last
connection deletes the log by name, and the name then belongs to the restored database."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import subprocess
import sys
import time

import pytest

from center.lib import sqlite_engine
from center.lib.sqlite_engine import IDLE_CONNECTIONS, TunedSQLiteEngine


def _create(path: str, rows: int = 1) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        connection.executemany("INSERT INTO item (name) VALUES (?)", [(f"n{i}",) for i in range(rows)])
    connection.close()


def _counting(engine: TunedSQLiteEngine) -> list[object]:
    """Record every connection the engine opens."""
    opened: list[object] = []
    original = engine.get_connection

    async def open_connection():
        connection = await original()
        opened.append(connection)
        return connection

    engine.get_connection = open_connection  # type: ignore[method-assign]
    return opened


def _engine(tmp_path, rows: int = 1) -> tuple[str, TunedSQLiteEngine, list[object]]:
    """A database with `rows` items, an engine on it, and the list of connections it opens."""
    path = str(tmp_path / "center.sqlite3")
    _create(path, rows)
    engine = TunedSQLiteEngine(path=path)
    return path, engine, _counting(engine)


async def _q(engine: TunedSQLiteEngine, sql: str, *args: object) -> list[dict]:
    """A statement run as Piccolo runs a query: in the current transaction, or on its own."""
    transaction = engine.current_transaction.get()
    if transaction is not None:
        return await engine._run_in_existing_connection(transaction.connection, sql, list(args))
    return await engine._run_in_new_connection(sql, list(args))


async def _names(engine: TunedSQLiteEngine) -> list[str]:
    return [row["name"] for row in await _q(engine, "SELECT name FROM item ORDER BY id")]


def test_queries_and_transactions_reuse_one_connection(tmp_path):
    path, engine, opened = _engine(tmp_path)

    async def run():
        for n in range(20):
            await _q(engine, "INSERT INTO item (name) VALUES (?)", f"q{n}")
            async with engine.transaction():
                await _q(engine, "SELECT count(*) FROM item")
        rows = await _q(engine, "SELECT count(*) AS n FROM item")
        pragmas = [await _q(engine, f"PRAGMA {name}") for name in ("foreign_keys", "busy_timeout")]
        await engine.close_connections()
        return rows, pragmas

    rows, pragmas = asyncio.run(run())
    assert rows == [{"n": 21}]
    assert len(opened) == 1
    assert pragmas == [[{"foreign_keys": 1}], [{"timeout": 30000}]]  # still as it was opened
    assert not os.path.exists(path + "-wal")  # the last close checkpointed the log


def test_a_failed_transaction_is_rolled_back_before_its_connection_is_reused(tmp_path):
    _, engine, opened = _engine(tmp_path)

    async def run():
        with pytest.raises(RuntimeError):
            async with engine.transaction():
                await _q(engine, "INSERT INTO item (name) VALUES ('lost')")
                raise RuntimeError("the request failed half-way")
        assert not engine.transaction_exists()
        with pytest.raises(sqlite3.IntegrityError):  # a refused statement leaves it as it was
            await _q(engine, "INSERT INTO item (name) VALUES (NULL)")
        async with engine.transaction():  # a new transaction on it: none was left open
            await _q(engine, "INSERT INTO item (name) VALUES ('kept')")
        return await _names(engine)

    assert asyncio.run(run()) == ["n0", "kept"]
    assert len(opened) == 1


def test_a_connection_left_in_a_transaction_or_failing_to_commit_is_closed_not_kept(tmp_path):
    path = str(tmp_path / "center.sqlite3")
    _create(path)
    with sqlite3.connect(path) as connection:  # a foreign key checked only at COMMIT
        connection.execute(
            "CREATE TABLE tag (id INTEGER PRIMARY KEY,"
            " item INTEGER REFERENCES item (id) DEFERRABLE INITIALLY DEFERRED)"
        )
    connection.close()
    engine = TunedSQLiteEngine(path=path)
    opened = _counting(engine)

    async def run():
        await _q(engine, "BEGIN")  # a statement that leaves a transaction open
        assert engine.connections._idle == []
        with pytest.raises(sqlite3.IntegrityError):
            async with engine.transaction():
                await _q(engine, "INSERT INTO tag (item) VALUES (99)")
        assert not engine.transaction_exists()
        assert engine.connections._idle == []  # COMMIT failed: SQLite left that transaction open
        async with engine.transaction():
            await _q(engine, "INSERT INTO tag (item) VALUES (1)")
        return await _q(engine, "SELECT item FROM tag")

    assert asyncio.run(run()) == [{"item": 1}]
    assert len(opened) == 3


def test_concurrent_transactions_each_get_a_connection_and_few_are_kept(tmp_path):
    _, engine, opened = _engine(tmp_path)
    many = IDLE_CONNECTIONS + 4

    async def one(n: int) -> None:
        async with engine.transaction():
            await _q(engine, "SELECT count(*) FROM item")
            await asyncio.sleep(0.05)  # all of them open at once

    async def run():
        await asyncio.gather(*(one(n) for n in range(many)))
        kept = len(engine.connections._idle)
        await asyncio.gather(*(one(n) for n in range(IDLE_CONNECTIONS)))
        return kept

    assert asyncio.run(run()) == IDLE_CONNECTIONS
    assert len(opened) == many  # the second round found enough kept


def _restore_over(path: str, replacement: str) -> None:
    """As center.shell.backup.restore does: the old log and index removed, a new file renamed in."""
    _create(replacement, rows=3)
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path + suffix)
    os.replace(replacement, path)


def _committed_names(path: str) -> list[str]:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return [name for (name,) in connection.execute("SELECT name FROM item ORDER BY id")]


def test_a_restored_file_is_read_afresh_and_an_idle_old_connection_is_not_used(tmp_path):
    path, engine, opened = _engine(tmp_path)

    async def run():
        assert await _names(engine) == ["n0"]
        old = engine.connections._idle[0]
        _restore_over(path, str(tmp_path / ".restoring"))
        assert await _names(engine) == ["n0", "n1", "n2"]  # a new connection, to the new file
        await engine.close_connections()
        return old

    old = asyncio.run(run())
    assert len(opened) == 2
    old._thread.join(5)
    assert old._connection is None  # closed


def test_a_connection_in_use_across_a_restore_never_deletes_the_new_log(tmp_path):
    path = str(tmp_path / "center.sqlite3")
    _create(path, rows=1)
    engine = TunedSQLiteEngine(path=path)

    async def run():
        async with engine.transaction():
            assert await _names(engine) == ["n0"]  # the old file, on a connection now in use
            _restore_over(path, str(tmp_path / ".restoring"))
            # Another request meanwhile, on a new connection to the new file: its commit is in the
            # new file's log, which that connection keeps (it stays open, idle).
            await engine._run_in_new_connection("INSERT INTO item (name) VALUES ('after')")
        # The transaction's connection came back to a replaced file. Had it been closed, as the
        # last connection to its database it would have removed the log by name: the new one.
        assert _committed_names(path) == ["n0", "n1", "n2", "after"]
        await engine.close_connections()

    asyncio.run(run())
    assert _committed_names(path) == ["n0", "n1", "n2", "after"]


def test_a_connection_from_before_a_fork_is_not_reused(tmp_path, monkeypatch):
    _, engine, opened = _engine(tmp_path)

    child = os.getpid() + 100_000

    async def run():
        await _names(engine)
        old = engine.connections._idle[0]
        monkeypatch.setattr(sqlite_engine, "_this_process", lambda: child)  # as a fork's child sees it
        assert await _names(engine) == ["n0"]
        return old

    old = asyncio.run(run())
    assert len(opened) == 2
    assert old in sqlite_engine._INHERITED  # neither used nor closed
    assert old._connection is not None


def test_a_process_with_kept_connections_exits_without_closing_them(tmp_path):
    """Kept connections run on daemon threads: a process that never closes them still exits, and
    closes them on its way out (the last one checkpoints the log into the file and removes it)."""
    path = str(tmp_path / "center.sqlite3")
    _create(path)
    script = (
        "import asyncio\n"
        "from center.lib.sqlite_engine import TunedSQLiteEngine\n"
        f"engine = TunedSQLiteEngine(path={path!r})\n"
        "async def main():\n"
        "    async with engine.transaction():\n"
        "        await engine.run_ddl(\"INSERT INTO item (name) VALUES ('exit')\")\n"
        "    print(len(engine.connections._idle))\n"
        "asyncio.run(main())\n"
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=os.getcwd()
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"
    assert time.monotonic() - started < 30
    assert not os.path.exists(path + "-wal")
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT count(*) FROM item WHERE name = 'exit'").fetchone() == (1,)
    connection.close()
