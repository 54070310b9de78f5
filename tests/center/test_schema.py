"""The schema the migrations build on an empty database, on both engines, is the one checked in.

The `engine` fixture migrates a fresh database per test session (SQLite file, PostgreSQL database),
so this test sees exactly what `center migrate` builds for a new center. It compares the tables,
columns, foreign keys, indexes, CHECK and exclusion constraints and triggers (described by
tests/schema_description.py) with tests/schema/sqlite.json or tests/schema/postgres.json and fails
with a diff, one line per fact, when they differ.

After an intended schema change (a new migration), regenerate the description and commit it:

    CENTER_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python tests/schema_description.py
"""

from __future__ import annotations

import asyncio

import pytest

import piccolo_conf
from tests.schema_description import describe, difference, load

REGENERATE = "regenerate with `.venv/bin/python tests/schema_description.py` if the change is intended"


def test_the_migrations_build_the_checked_in_schema(db):
    actual = asyncio.run(describe(piccolo_conf.DB))
    expected = load(db)
    changes = difference(expected, actual)
    assert not changes, (
        f"the migrated {db} schema differs from tests/schema/{db}.json ({REGENERATE}):\n{changes}"
    )


def test_the_ledger_guarantee_is_in_the_checked_in_schema(db):
    """The description itself holds what makes double holding impossible, so a regenerated file
    cannot quietly lose it."""
    hold = "\n".join(load(db)["center_hold"])
    if db == "postgres":
        assert "EXCLUDE USING gist (room WITH =, tstzrange(starts_at, ends_at, '[)'::text) WITH &&)" in hold
        assert "CHECK ((starts_at < ends_at))" in hold
        assert "CHECK (((ends_at - starts_at) <= '366 days'::interval))" in hold
    else:
        assert "trigger center_hold_no_overlap_insert" in hold
        assert "trigger center_hold_no_overlap_update" in hold


def test_a_changed_schema_reads_as_a_diff():
    expected = {"center_hold": ["column id: integer NOT NULL", "column room: integer NOT NULL"]}
    actual = {"center_hold": ["column id: integer NOT NULL", "column room: integer"]}
    changes = difference(expected, actual)
    assert "-center_hold: column room: integer NOT NULL" in changes
    assert "+center_hold: column room: integer" in changes
    assert difference(expected, expected) == ""


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_the_checked_in_description_covers_every_table(kind):
    from piccolo.conf.apps import Finder

    tables = {table._meta.tablename for table in Finder().get_table_classes()}
    assert tables <= set(load(kind)), f"tables missing from tests/schema/{kind}.json"
