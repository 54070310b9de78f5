"""The process's read-only SQLite connection for tiny reads (center.lib.db.CommittedReader) keeps a
query's rows only while no other connection has committed: every commit, from this process or
another, is seen by the next read; a file renamed over the old one (a restore) too."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

from center.lib.db import CommittedReader

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
