"""The harness's fixture snapshots (tests/snapshots.py): a database restored from a snapshot is the
database the builder left, row for row in every table, with the same next ids, on both engines; the
version counters only grow through a restore."""

from __future__ import annotations

import contextlib
import importlib
import sqlite3
import sys
from pathlib import Path

import asyncpg
import pytest
from piccolo.conf.apps import Finder
from piccolo.engine.postgres import PostgresEngine

import piccolo_conf
from bookings.service import approve, ensure_default_refund_rules, request_booking
from center.accounts.actors import ActorRef
from center.accounts.tables import User
from center.lib.versions import VERSION_TABLE
from tests import snapshots
from tests.bookings.desk_support import make_booking
from tests.conftest import _empty_all_tables
from tests.helpers import make_calendar, make_group, make_room, make_user

pytestmark = pytest.mark.anyio

TESTS = Path(__file__).resolve().parent.parent
STAFF = ActorRef(None, "desk", staff=True)


async def _with_deletions() -> dict:
    """Rows deleted after they were made: PostgreSQL's sequences run ahead of the highest id."""
    from datetime import timedelta

    from bookings.fees import ensure_default_rules
    from bookings.rules import BookingRequest
    from center.lib.dates import today

    slots = await make_calendar()
    await ensure_default_rules()
    await ensure_default_refund_rules()
    room = await make_room(fees={"morning": (600, 200)}, slot_ids=slots)
    member = await make_user("member1")
    group = await make_group("削除確認", members=(member,))
    booking = await request_booking(
        BookingRequest(
            room_id=room,
            day=today() + timedelta(days=14),
            slot_codes=["morning"],
            purpose="定例会",
            expected_head_count=5,
        ),
        group,
        STAFF,
    )
    await approve(booking, STAFF)
    await make_booking(room, group, today() + timedelta(days=15), "09:00", "12:00")
    gone = await make_user("gone1")
    await User.delete().where(User.id == gone)
    return {"room": room, "group": group, "booking": booking}


# Builders of the converted fixtures (module in tests/, builder), and one of this file's own.
BUILDERS = [
    ("bookings/desk_support.py", "_desk_center"),
    ("bookings/test_bookings_lottery.py", "center"),
    ("bookings/test_bookings_confirm.py", "center"),
    ("bookings/test_bookings_equipment.py", "center"),
    ("bookings/test_bookings_series.py", "center"),
    ("bookings/test_payment_permit.py", "approved"),
    ("maintenance/test_maintenance_closures.py", "_center"),
    ("maintenance/test_step_free_now.py", "_center"),
    ("maintenance/test_maintenance_closure_screenings.py", "_screened"),
    ("center/test_snapshots.py", "_with_deletions"),
    ("snapshots.py", "demo_center"),  # the demo center itself (center.shell.demo.load_demo)
]


def _builder(path: str, name: str):
    """The builder as the test module pytest imported defines it (a test module is imported under
    its file's name, with its folder on sys.path; desk_support is imported as tests.bookings...)."""
    if path == "center/test_snapshots.py":
        return _with_deletions, {}
    if path == "snapshots.py":
        from center.shell.demo import load_demo

        return load_demo, {}
    if path == "bookings/desk_support.py":
        from tests.bookings import desk_support

        return desk_support._desk_center, {}
    folder = str(TESTS / Path(path).parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    module = importlib.import_module(Path(path).stem)
    assert Path(module.__file__).resolve() == TESTS / path
    build = snapshots.SNAPSHOT_BUILDERS.get(f"{module.__name__}.{name}") or getattr(module, name)
    return build, ({"db": "postgres" if _postgres() else "sqlite"} if not name.startswith("_") else {})


def _postgres() -> bool:
    return isinstance(piccolo_conf.DB, PostgresEngine)


async def _state() -> tuple[dict, dict, dict]:
    """Every Piccolo table's rows (by id), every id's next value, and the version counters."""
    tables = [table._meta.tablename for table in Finder().get_table_classes()]
    engine = piccolo_conf.DB
    if _postgres():
        conn = await asyncpg.connect(**engine.config)
        try:
            rows = {
                name: [tuple(r) for r in await conn.fetch(f'SELECT * FROM "{name}" ORDER BY 1')]
                for name in tables
            }
            sequences = [
                r[0]
                for r in await conn.fetch(
                    "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
                    " AND sequencename NOT LIKE 'migration%' ORDER BY 1"
                )
            ]
            next_ids = {}
            for name in sequences:
                last, called = await conn.fetchrow(f'SELECT last_value, is_called FROM "{name}"')
                next_ids[name] = last + 1 if called else last
            versions = dict(await conn.fetch(f"SELECT name, version FROM {VERSION_TABLE}"))
        finally:
            await conn.close()
        return rows, next_ids, versions
    with contextlib.closing(sqlite3.connect(engine.path)) as conn:
        rows = {name: conn.execute(f'SELECT * FROM "{name}" ORDER BY 1').fetchall() for name in tables}
        next_ids = {
            name: conn.execute(f'SELECT coalesce(max(rowid), 0) + 1 FROM "{name}"').fetchone()[0]
            for name in tables
        }
        sequence_table = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'"
        ).fetchone()[0]
        if sequence_table:
            next_ids["sqlite_sequence"] = conn.execute("SELECT * FROM sqlite_sequence ORDER BY 1").fetchall()
        versions = dict(conn.execute(f"SELECT name, version FROM {VERSION_TABLE}").fetchall())
    return rows, next_ids, versions


@pytest.mark.parametrize(("path", "name"), BUILDERS, ids=[f"{p}:{n}" for p, n in BUILDERS])
async def test_a_restored_database_is_the_one_the_builder_left(db, monkeypatch, path, name):
    build, kwargs = _builder(path, name)
    monkeypatch.setattr(snapshots, "_SNAPSHOTS", {})  # this test's own: built here, then restored

    built_value = await snapshots.snapshot(build, **kwargs)  # builds and keeps
    assert len(snapshots._SNAPSHOTS) == 1
    built_rows, built_next, _ = await _state()
    assert sum(len(rows) for rows in built_rows.values()) > 10

    await _empty_all_tables()
    _, _, before = await _state()
    restored_value = await snapshots.snapshot(build, **kwargs)  # restores
    restored_rows, restored_next, after = await _state()

    assert restored_value == built_value
    assert {n: r for n, r in restored_rows.items() if r} == {n: r for n, r in built_rows.items() if r}
    assert restored_next == built_next
    # The counters went on up (the restore's inserts bump them); nothing set them back.
    assert all(after[scope] >= before[scope] for scope in before)
    assert after["reference"] > before["reference"]


async def test_a_database_that_is_not_empty_is_built_on_not_restored(db, monkeypatch):
    build, kwargs = _builder("center/test_snapshots.py", "_with_deletions")
    monkeypatch.setattr(snapshots, "_SNAPSHOTS", {})
    await snapshots.snapshot(build, **kwargs)
    await _empty_all_tables()
    first = await make_user("first")  # another fixture wrote first: the snapshot's ids would not fit
    await snapshots.snapshot(build, **kwargs)  # so the builder runs, as without snapshots
    users = await User.select(User.id, User.username).order_by(User.id)
    assert [(u["id"], u["username"]) for u in users] == [(first, "first"), (2, "member1")]


def test_a_value_that_is_not_plain_data_is_refused():
    with pytest.raises(TypeError, match="plain data"):
        snapshots._check_plain({"rows": object()}, "a builder")


async def test_every_table_counts_its_ids_as_the_restore_assumes(db):
    """PostgreSQL: every table owns a sequence, so the restore may take a database where no sequence
    was used since `db` for empty. SQLite: every id is the rowid (INTEGER PRIMARY KEY, no
    AUTOINCREMENT), so the next id follows from the rows restored."""
    tables = {table._meta.tablename for table in Finder().get_table_classes()}
    if _postgres():
        conn = await asyncpg.connect(**piccolo_conf.DB.config)
        try:
            owning = {
                row[0]
                for row in await conn.fetch(
                    "SELECT DISTINCT t.relname FROM pg_depend d JOIN pg_class s ON s.oid = d.objid"
                    " JOIN pg_class t ON t.oid = d.refobjid WHERE s.relkind = 'S' AND d.deptype = 'a'"
                )
            }
        finally:
            await conn.close()
        assert tables - owning == set()
        return
    with contextlib.closing(sqlite3.connect(piccolo_conf.DB.path)) as conn:
        keys = {
            name: [(row[2].upper(), row[5]) for row in conn.execute(f'PRAGMA table_info("{name}")') if row[5]]
            for name in tables
        }
        autoincrement = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE sql LIKE '%AUTOINCREMENT%'"
        ).fetchone()[0]
    assert {name: key for name, key in keys.items() if key != [("INTEGER", 1)]} == {}
    assert autoincrement == 0
