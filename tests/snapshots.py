"""A data fixture built once per pytest worker and restored for each test (the harness, with
tests/conftest.py; imported as tests.snapshots, never through tests.conftest, which would run the
conftest a second time as another module with its own state).

A data fixture (rooms, slots, fees, users, groups ...) costs 100-450 ms per test through the ORM. Its
builder runs once per worker for each (engine, builder, arguments, Japan's date); the rows of every
Piccolo table and PostgreSQL's sequence positions are then kept in memory, and later tests get them
back in one transaction on one connection, on top of the empty database `db` left: the same ids,
the same rows, the same next ids. The version counters (center_version) are never captured nor
restored: the inserts bump them through their triggers, as the builder's writes did, so they only
grow and no cache keyed on them can serve stale data. Piccolo's migration table is left alone.

Only builders whose effects are all in the database belong here (no files, no in-process
registrations, no clock travel: keep those in the fixture around the call), and their value must be
plain data (ids, dates, dicts, dataclasses of those), deep-copied for each test. Timestamps the
builder wrote from the clock (created_at ...) are those of the first build.

    @pytest.fixture
    @snapshot_fixture
    async def center(db):
        ...

or, inside a fixture that does more than build: `value = await snapshot(build, *args)`.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime as _dt
import decimal
import functools
import sqlite3
from collections.abc import Awaitable, Callable

import asyncpg
from piccolo.conf.apps import Finder
from piccolo.engine.postgres import PostgresEngine

import piccolo_conf
from tests.pg_engine import run_on_kept_connection


def _table_classes():
    return Finder().get_table_classes()


@dataclasses.dataclass
class _Snapshot:
    tables: list[tuple[str, list[str], list[tuple]]]  # SQLite: parents first, rows as stored
    script: str  # PostgreSQL: the whole restore, one round trip
    value: object


_SNAPSHOTS: dict[tuple, _Snapshot] = {}
SNAPSHOT_BUILDERS: dict[str, Callable[..., Awaitable[object]]] = {}  # by name: for the equality test
_PLAIN = (type(None), bool, int, float, str, bytes, decimal.Decimal, _dt.date, _dt.time, _dt.timedelta)


def _check_plain(value: object, where: str) -> None:
    if isinstance(value, _PLAIN):
        return
    if isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            _check_plain(item, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_plain(key, where)
            _check_plain(item, where)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            _check_plain(getattr(value, field.name), where)
    else:
        raise TypeError(f"{where} returned {type(value).__name__}: a snapshot keeps plain data only")


def _snapshot_tables() -> list[str]:
    """Every Piccolo table, parents first (not Piccolo's migration table, not center_version)."""
    from piccolo.table import sort_table_classes

    return [table._meta.tablename for table in sort_table_classes(_table_classes())]


_PG_USED_SEQUENCES = (
    "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
    " AND sequencename NOT LIKE 'migration%' AND last_value IS NOT NULL"
)
_NOT_PRISTINE = "center-snapshot: the database is not empty"


def _any_rows() -> str:
    return " OR ".join(f'EXISTS (SELECT 1 FROM "{name}")' for name in _snapshot_tables())


def _quoted(text: str) -> str:
    """A dollar-quoted literal of `text`."""
    tag = "$snap$"
    while tag in text:
        tag = tag[:-1] + "_$"
    return f"{tag}{text}{tag}"


def _pg_script(tables: list[tuple[str, str]], sequences: list[tuple[str, int]]) -> str:
    """One script: refuse unless the database is pristine (every Piccolo table has a serial id, and
    `db` restarted every sequence: a used sequence is a row written since; reading them is 2 ms on a
    new connection, probing every table 12 ms), each table's rows from the JSON they
    were read as (every column by name, through the table's own row type: the values come back
    as they were stored), parents first, then the sequences' positions."""
    steps = [
        "BEGIN",
        f"DO $$ BEGIN IF EXISTS ({_PG_USED_SEQUENCES}) THEN "
        f"RAISE EXCEPTION '{_NOT_PRISTINE}'; END IF; END $$",
    ]
    steps += [
        f'INSERT INTO "{name}" SELECT * FROM json_populate_recordset(NULL::"{name}", {_quoted(rows)})'
        for name, rows in tables
    ]
    if sequences:
        steps.append(
            "SELECT " + ", ".join(f"setval('\"{name}\"', {int(value)}, true)" for name, value in sequences)
        )
    steps.append("COMMIT")
    return ";\n".join(steps) + ";"


async def _capture() -> tuple[list, str]:
    """Every table's rows as stored (in scan order) and, on PostgreSQL, the sequences' positions."""
    engine = piccolo_conf.DB
    if isinstance(engine, PostgresEngine):
        conn = await asyncpg.connect(**engine.config)
        try:
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                tables = []
                for name in _snapshot_tables():
                    rows = await conn.fetchval(f'SELECT json_agg(t)::text FROM "{name}" t')
                    if rows is not None:
                        tables.append((name, rows))
                sequences = [(row[0], row[1]) for row in await conn.fetch(_PG_USED_SEQUENCES)]
        finally:
            await conn.close()
        return [], _pg_script(tables, sequences)
    tables = []
    with contextlib.closing(sqlite3.connect(engine.path, isolation_level=None, timeout=30)) as conn:
        conn.execute("BEGIN")
        for name in _snapshot_tables():
            cursor = conn.execute(f'SELECT * FROM "{name}"')
            rows = cursor.fetchall()
            if rows:
                tables.append((name, [column[0] for column in cursor.description], rows))
        conn.execute("COMMIT")
    return tables, ""


async def _pristine() -> bool:
    """Whether the database is as `db` leaves it: every table empty (and no sequence used)."""
    engine = piccolo_conf.DB
    if isinstance(engine, PostgresEngine):
        conn = await asyncpg.connect(**engine.config)
        try:
            return not await conn.fetchval(f"SELECT ({_any_rows()}) OR EXISTS ({_PG_USED_SEQUENCES})")
        finally:
            await conn.close()
    with contextlib.closing(sqlite3.connect(engine.path, isolation_level=None, timeout=30)) as conn:
        return not conn.execute(f"SELECT {_any_rows()}").fetchone()[0]


async def _restore(snapshot: _Snapshot) -> bool:
    """Put the snapshot's rows back in one transaction on one connection, parents first, and the
    sequences where they were; False (and nothing written) when the database is not pristine."""
    engine = piccolo_conf.DB
    if isinstance(engine, PostgresEngine):
        try:
            await run_on_kept_connection(engine.config, snapshot.script)
        except asyncpg.RaiseError as error:
            if _NOT_PRISTINE not in str(error):
                raise
            return False
        return True
    with contextlib.closing(sqlite3.connect(engine.path, isolation_level=None, timeout=30)) as conn:
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute(f"SELECT {_any_rows()}").fetchone()[0]:
                conn.execute("ROLLBACK")
                return False
            for name, columns, rows in snapshot.tables:
                names = ", ".join(f'"{column}"' for column in columns)
                marks = ", ".join("?" for _ in columns)
                conn.executemany(f'INSERT INTO "{name}" ({names}) VALUES ({marks})', rows)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return True


def _builder_name(build: Callable) -> str:
    return f"{build.__module__}.{build.__qualname__}"


async def snapshot(build: Callable[..., Awaitable[object]], *args, **kwargs):
    """What `await build(*args, **kwargs)` returns, with the database as it leaves it: built on the
    first call per worker for these arguments, engine and Japan's date, restored on later calls.
    The arguments must be plain data (they are part of the key, by repr). Falls back to building when
    the database is not pristine (another fixture wrote first)."""
    from center.lib.dates import today

    name = _builder_name(build)
    SNAPSHOT_BUILDERS.setdefault(name, build)
    engine = piccolo_conf.DB
    _check_plain((args, kwargs), f"the arguments of {name}")
    key = (id(engine), name, repr(args), repr(sorted(kwargs.items())), today())
    kept = _SNAPSHOTS.get(key)
    if kept is not None and await _restore(kept):
        return copy.deepcopy(kept.value)
    if kept is not None or not await _pristine():
        return await build(*args, **kwargs)
    value = await build(*args, **kwargs)
    _check_plain(value, name)
    if today() == key[-1]:  # (not across midnight in Japan: the next call builds again)
        tables, script = await _capture()
        _SNAPSHOTS[key] = _Snapshot(tables, script, copy.deepcopy(value))
    return value


def snapshot_fixture(build: Callable[..., Awaitable[object]]):
    """For an async data fixture whose body only writes to the database: decorate it under
    @pytest.fixture, and its body runs once per worker (its arguments, `db` among them, are part of
    the key: they must be plain data), later tests getting the rows back (see `snapshot`)."""
    SNAPSHOT_BUILDERS.setdefault(_builder_name(build), build)

    @functools.wraps(build)
    async def fixture(**kwargs):
        return await snapshot(build, **kwargs)

    return fixture


async def demo_center() -> None:
    """The demo center (center.shell.demo.load_demo) in the empty database `db` left: loaded on the
    first call per worker, engine and Japan's date, restored after that (about 0.9 s of loading on
    SQLite against 0.02 s of restoring, 0.55 s of client CPU and more of the server's on PostgreSQL
    against 0.05 s). For tests that read the demo as data; the tests of load_demo itself call it."""
    from center.shell.demo import load_demo

    await snapshot(load_demo)
