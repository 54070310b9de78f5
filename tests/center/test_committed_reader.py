"""The process's read-only SQLite connection for tiny reads (center.lib.committed_reader) keeps a
query's rows only while no other connection has committed: every commit, from this process or
another, is seen by the next read; a file renamed over the old one (a restore) too."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

from center.lib.committed_reader import CommittedReader

QUERY = "SELECT name, version FROM counters ORDER BY name"


def _database(path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE counters (name TEXT PRIMARY KEY, version INTEGER)")
        connection.execute("INSERT INTO counters VALUES ('data', 1), ('reference', 1)")
    connection.close()


def _bump(path, name: str) -> None:
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("UPDATE counters SET version = version + 1 WHERE name = ?", (name,))
    connection.close()


def test_rows_are_kept_until_another_connection_commits(tmp_path):
    path = str(tmp_path / "center.sqlite3")
    _database(path)
    reader = CommittedReader(path)
    first = reader.read(QUERY)
    assert first == [{"name": "data", "version": 1}, {"name": "reference", "version": 1}]
    assert reader.read(QUERY) is first  # nothing committed since: the kept rows, not read again

    _bump(path, "data")  # another connection in this process
    assert reader.read(QUERY) == [{"name": "data", "version": 2}, {"name": "reference", "version": 1}]

    script = (
        f"import sqlite3; c = sqlite3.connect({path!r}); "
        "c.execute(\"UPDATE counters SET version = 7 WHERE name = 'reference'\"); c.commit()"
    )
    subprocess.run([sys.executable, "-c", script], check=True)  # another process
    assert reader.read(QUERY) == [{"name": "data", "version": 2}, {"name": "reference", "version": 7}]
    assert reader.read("SELECT count(*) AS n FROM counters") == [{"n": 2}]  # each query kept apart


def test_a_file_renamed_over_the_old_one_is_read_afresh(tmp_path):
    path, replacement = str(tmp_path / "center.sqlite3"), str(tmp_path / "restored.sqlite3")
    _database(path)
    reader = CommittedReader(path)
    assert reader.read(QUERY)[0]["version"] == 1
    _database(replacement)
    _bump(replacement, "data")
    _bump(replacement, "data")
    os.replace(replacement, path)
    assert reader.read(QUERY)[0]["version"] == 3


def _statements(reader: CommittedReader) -> list[str]:
    """Every statement the reader's connection runs from now on."""
    seen: list[str] = []
    reader._connection.set_trace_callback(seen.append)
    return seen


def test_in_wal_mode_an_unchanged_log_index_answers_without_a_statement(tmp_path):
    path = str(tmp_path / "center.sqlite3")
    _database(path)
    writer = sqlite3.connect(path)  # a server's own connection keeps the log (and its index) open
    reader = CommittedReader(path)
    reader.read(QUERY)  # maps the -shm file after its first read ...
    reader.read(QUERY)  # ... and keeps the header seen before its second
    statements = _statements(reader)
    assert reader.read(QUERY)[0]["version"] == 1
    assert reader.read(QUERY)[0]["version"] == 1
    assert statements == []  # the WAL-index header alone said nothing was committed

    with writer:
        writer.execute("UPDATE counters SET version = 5 WHERE name = 'data'")
    assert reader.read(QUERY)[0]["version"] == 5  # the header changed: read again
    assert statements == ["PRAGMA data_version", QUERY]
    with writer:
        writer.execute("UPDATE counters SET version = version WHERE name = 'none'")  # changes no row
    assert reader.read(QUERY)[0]["version"] == 5
    assert statements[2:] == []  # it wrote nothing to the log, so the header (and data) stand
    writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the log restarts from its beginning
    with writer:
        writer.execute("UPDATE counters SET version = 6 WHERE name = 'data'")
    assert reader.read(QUERY)[0]["version"] == 6
    writer.close()


def test_a_header_caught_while_a_commit_writes_it_is_not_trusted(tmp_path):
    path = str(tmp_path / "center.sqlite3")
    _database(path)
    reader = CommittedReader(path)
    reader.read(QUERY)
    assert reader._header() is not None
    reader._index.close()
    reader._index = b"a" * CommittedReader.HEADER + b"b" * CommittedReader.HEADER  # the copies differ
    statements = _statements(reader)
    assert reader.read(QUERY)[0]["version"] == 1
    assert statements == ["PRAGMA data_version"]  # the pragma decided; the rows were still current


def test_without_the_write_ahead_log_every_commit_is_still_seen(tmp_path):
    path = str(tmp_path / "center.sqlite3")
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE counters (name TEXT PRIMARY KEY, version INTEGER)")
        connection.execute("INSERT INTO counters VALUES ('data', 1), ('reference', 1)")
    connection.close()
    reader = CommittedReader(path)
    assert reader.read(QUERY)[0]["version"] == 1
    assert reader._index is None  # a rollback journal: no log index to read
    _bump(path, "data")
    assert reader.read(QUERY)[0]["version"] == 2
    assert reader.read(QUERY)[0]["version"] == 2


def test_a_restore_is_seen_while_the_log_index_is_read(tmp_path):
    """As `center restore` does it: the old log and its index removed, the restored file renamed
    over the database; the old index, still mapped, no longer changes, and the next read finds the
    new file all the same."""
    path, replacement = tmp_path / "center.sqlite3", tmp_path / "restored.sqlite3"
    _database(str(path))
    writer = sqlite3.connect(path)  # keeps the old file's log and index alive
    writer.execute("SELECT 1").fetchall()
    reader = CommittedReader(str(path))
    reader.read(QUERY)
    reader.read(QUERY)
    assert reader._header() is not None  # the fast way is in use
    _database(str(replacement))
    _bump(str(replacement), "reference")
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    os.replace(replacement, path)
    assert reader.read(QUERY) == [{"name": "data", "version": 1}, {"name": "reference", "version": 2}]
    writer.close()
