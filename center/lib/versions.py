"""Data versions: counters in one small table, bumped by database triggers in the same transaction
as every change, so every process (and every machine) sees a change by the next time it reads them.

- "reference": the data that rarely changes (rooms, slots, fees, opening hours, closed days, the
  center's profile, the booking policy and fee rules, lottery rooms, payment settings, terms). A
  process keeps what it loaded from these tables until this version moves (reference_cached).
- "data": everything else a visitor's page may show (the ledger's holds, bookings, lottery rounds,
  programmes, maintenance closures ...). With "reference" it makes the validators of public pages.

Triggers (installed by center.lib.db.migrate, idempotently) rather than calls in each write path: no
write path can forget, whether a manage page, the demo loader, a migration's seed or a hand-written
SQL statement. Tables that change on every request (sessions, login attempts, the audit trail,
notices, the outbox, scheduler runs, feed tokens, users and their roles) bump nothing.
"""

from __future__ import annotations

import copy
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

T = TypeVar("T")

VERSION_TABLE = "center_version"
REFERENCE, DATA = "reference", "data"
REFERENCE_TABLES = frozenset(
    {
        "center_room",
        "center_slot",
        "center_room_slot_fee",
        "center_room_equipment_fee",
        "center_opening_hours",
        "center_closed_day",
        "center_profile",
        "bookings_policy",
        "bookings_surcharge",
        "bookings_reduction_rate",
        "bookings_refund_rule",
        "bookings_lottery_room",
        "bookings_payment_settings",
        "bookings_terms",
    }
)
UNVERSIONED_TABLES = frozenset(
    {
        "center_session",
        "center_login_attempt",
        "center_rate_event",
        "center_audit",
        "center_notice",
        "center_outbox",
        "center_job",
        "center_feed_token",
        "center_user",
        "center_user_role",
        "center_group_member",
        VERSION_TABLE,
        "piccolo_migration",
    }
)


@dataclass(frozen=True)
class Versions:
    reference: int
    data: int

    @property
    def tag(self) -> str:
        return f"{self.reference}.{self.data}"


def scope_of(table: str) -> str | None:
    """Which version a change to `table` bumps (None: none)."""
    if table in UNVERSIONED_TABLES:
        return None
    return REFERENCE if table in REFERENCE_TABLES else DATA


# --- installing the triggers --------------------------------------------------------------------------

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION center_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {VERSION_TABLE} SET version = version + 1 WHERE name = TG_ARGV[0];
    PERFORM pg_notify('center_version', TG_ARGV[0]);  -- center.lib.versions_listener
    RETURN NULL;
END
$$
"""


def _sqlite_triggers(table: str, scope: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS center_version_{scope}_{table}_{op.lower()} AFTER {op} ON {table} "
        f"BEGIN UPDATE {VERSION_TABLE} SET version = version + 1 WHERE name = '{scope}'; END"
        for op in ("INSERT", "UPDATE", "DELETE")
    ]


def _pg_triggers(table: str, scope: str) -> list[str]:
    # Per statement (a bulk insert bumps once), and on TRUNCATE too, which row triggers miss.
    return [
        f"DROP TRIGGER IF EXISTS center_version_bump ON {table}",
        f"CREATE TRIGGER center_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION center_bump_version('{scope}')",
    ]


async def install_version_triggers() -> None:
    """The version table, its two rows and a trigger on every versioned table (idempotent)."""
    from piccolo.conf.apps import Finder

    from center.lib.db import get_engine, is_postgres

    engine = get_engine()
    postgres = is_postgres(engine)
    statements = [
        f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} "
        "(name VARCHAR(20) PRIMARY KEY, version BIGINT NOT NULL DEFAULT 0)",
        f"INSERT INTO {VERSION_TABLE} (name, version) VALUES ('{REFERENCE}', 0), ('{DATA}', 0) "
        "ON CONFLICT DO NOTHING",
    ]
    if postgres:
        statements.append(PG_FUNCTION)
    for table_class in Finder().get_table_classes():
        table = table_class._meta.tablename
        scope = scope_of(table)
        if scope is not None:
            statements += _pg_triggers(table, scope) if postgres else _sqlite_triggers(table, scope)
    for statement in statements:
        await engine.run_ddl(statement)


def counters_after_restore(before: dict[str, int], table: str = VERSION_TABLE) -> list[str]:
    """Statements run on a restored database (in the restore's own transaction or file): each
    counter ends strictly above both its restored value and its value before the restore (`before`,
    empty for a fresh database), so no process, browser or proxy holding a page or a reference
    cached under an older version can take it for current. `table` may be schema-qualified. Plain
    SQL that both engines read (CASE rather than SQLite's max() or PostgreSQL's GREATEST)."""
    statements = [
        f"CREATE TABLE IF NOT EXISTS {table} "
        "(name VARCHAR(20) PRIMARY KEY, version BIGINT NOT NULL DEFAULT 0)",
        f"INSERT INTO {table} (name, version) VALUES ('{REFERENCE}', 0), ('{DATA}', 0) "
        "ON CONFLICT DO NOTHING",
    ]
    for name in (REFERENCE, DATA):
        floor = int(before.get(name, 0))
        statements.append(
            f"UPDATE {table} SET version = (CASE WHEN version > {floor} THEN version ELSE {floor} END) + 1 "
            f"WHERE name = '{name}'"
        )
    return statements


# --- reading them -------------------------------------------------------------------------------------

# Within one request the versions are read once (center.web.conditional opens the memo).
_memo: ContextVar[dict[str, Versions] | None] = ContextVar("center_versions_memo", default=None)
# Set inside center.lib.db.read_transaction: reads only, so the caches may serve and be filled.
_reading: ContextVar[bool] = ContextVar("center_versions_reading", default=False)
# Set by reference_pinned inside a write transaction that changes no reference table: the reference
# version as that transaction sees it.
_pinned: ContextVar[int | None] = ContextVar("center_versions_pinned", default=None)


@contextmanager
def request_memo() -> Iterator[None]:
    """Read the versions at most once until the block ends (one request)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


@contextmanager
def reading() -> Iterator[None]:
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


READ_QUERY = f"SELECT name, version FROM {VERSION_TABLE}"


async def current(*, pushed: bool = False) -> Versions:
    """The committed versions (one indexed query, or none when this request already read them).
    On SQLite outside a transaction, on the process's one open read-only connection
    (center.lib.db.CommittedReader), so a visitor's request opens no connection for it; inside a
    transaction, on the transaction's connection: a version read after the transaction's snapshot
    could be newer than the data it then loads, and would file old data under a new version.
    `pushed`: a revalidation may take what PostgreSQL last notified (center.lib.versions_listener)."""
    from center.lib import versions_listener
    from center.lib.db import get_engine
    from center.lib.sqlite_engine import TunedSQLiteEngine

    memo = _memo.get()
    if memo is not None and "now" in memo:
        return memo["now"]
    engine = get_engine()
    outside = not engine.transaction_exists()
    if pushed and outside and (kept := versions_listener.kept(engine)) is not None:
        return kept
    generation = versions_listener.generation()
    rows = None
    if isinstance(engine, TunedSQLiteEngine) and outside:
        try:
            rows = engine.read_committed(READ_QUERY)
        except (OSError, sqlite3.Error):  # no database file or table yet: as the engine answers
            rows = None
    if rows is None:
        rows = await engine.run_ddl(READ_QUERY)
    found = {row["name"]: int(row["version"]) for row in rows}
    versions = Versions(found.get(REFERENCE, 0), found.get(DATA, 0))
    if outside:
        versions_listener.keep(engine, versions, generation)
    if memo is not None:
        memo["now"] = versions
    return versions


def _in_write_transaction() -> bool:
    from center.lib.db import get_engine

    return get_engine().transaction_exists() and not _reading.get()


@asynccontextmanager
async def reference_pinned() -> AsyncIterator[None]:
    """Inside a write transaction that changes no reference table (a booking request, say): read
    the reference version once, inside the transaction, and let reference_cached serve (and fill)
    what it keeps for that version until the block ends. The transaction then checks against the
    reference data as it stands, without reading those tables again. A block that does write a
    reference table must not use this: it could not see its own change."""
    from center.lib.db import get_engine

    if not _in_write_transaction():
        yield
        return
    rows = await get_engine().run_ddl(f"SELECT version FROM {VERSION_TABLE} WHERE name = '{REFERENCE}'")
    token = _pinned.set(int(rows[0]["version"]) if rows else 0)
    try:
        yield
    finally:
        _pinned.reset(token)


# --- the per-process reference cache ------------------------------------------------------------------

_reference: dict[tuple[int, str], tuple[int, Any]] = {}


async def reference_cached(name: str, loader: Callable[[], Awaitable[T]]) -> T:
    """What `loader` returns, kept in this process while the reference version stands; a deep copy
    each time, so callers may change what they get. Inside a write transaction the loader always
    runs (it must see the transaction's own changes, and may not fill the cache with them), unless
    the transaction pinned the reference version (reference_pinned: it changes no reference table)."""
    from center.lib.db import get_engine

    pinned = _pinned.get()
    if _in_write_transaction():
        if pinned is None:
            return await loader()
        version = pinned
    else:
        version = (await current()).reference
    key = (id(get_engine()), name)  # tests swap engines under one process
    hit = _reference.get(key)
    if hit is None or hit[0] != version:
        value = await loader()
        if value is None:
            return value
        _reference[key] = hit = (version, value)
    return _copied(hit[1])


_IMMUTABLE = (str, int, float, bool, bytes, type(None), date, datetime, time, timedelta, Decimal)


def _copied(value: Any) -> Any:
    """A deep copy of what the loaders return (dicts, lists and tuples of plain values), a few
    times quicker than copy.deepcopy, which keeps a memo for shared and cyclic parts these never
    have; anything else goes to copy.deepcopy."""
    kind = type(value)
    if kind in _IMMUTABLE:
        return value
    if kind is dict:
        return {key: _copied(item) for key, item in value.items()}
    if kind is list:
        return [_copied(item) for item in value]
    if kind is tuple:
        return tuple(_copied(item) for item in value)
    return copy.deepcopy(value)


def clear_reference_cache() -> None:
    """Forget everything cached (tests that swap databases under one process)."""
    _reference.clear()
