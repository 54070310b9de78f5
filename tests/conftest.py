"""The test harness every test uses.

- `engine` runs a test on SQLite and on PostgreSQL: a fresh database per test session (per xdist
  worker). PostgreSQL comes from CENTER_TEST_DATABASE_URL (a server URL; the harness creates and
  drops its own database). Without it the PostgreSQL runs skip with the reason; under CI=true they
  fail instead.
- `db` gives a test an empty, migrated database on the current engine.
- `client` is an httpx.AsyncClient talking to the real app in the test's own event loop.
- tests/snapshots.py: a data fixture's rows built once per worker, then restored for each test.

CENTER_TEST_CLOCK=2026-12-28T23:30:00+09:00 runs the whole suite (and the browser tests' servers)
with the wall clock set to that instant and ticking on, to check that no test depends on the hour,
the weekday or the season it happens to run in.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import secrets
import sqlite3
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

# Settings are read once: point them at a throwaway data folder before anything imports the app.
_DATA_DIR = Path(tempfile.mkdtemp(prefix="center-test-"))
os.environ["CENTER_DATA_DIR"] = str(_DATA_DIR)
os.environ["CENTER_CHEAP_PASSWORD_HASH"] = "1"
os.environ["CENTER_DEMO"] = "0"
os.environ["CENTER_PG_POOL"] = "0"
# The suite starts many short-lived servers; the PDF tests render on demand.
os.environ["CENTER_PDF_WARM_UP"] = "0"
os.environ["CENTER_SECRET_KEY"] = "test-secret-key-not-for-production"
os.environ.pop("CENTER_DATABASE_URL", None)

import asyncpg  # noqa: E402
import httpx  # noqa: E402
import pytest  # noqa: E402
from piccolo.conf.apps import Finder  # noqa: E402
from piccolo.engine.postgres import PostgresEngine  # noqa: E402

import piccolo_conf  # noqa: E402
from center.lib.db import keep_session_state, migrate, postgres_config  # noqa: E402
from center.shell.wiring import wire  # noqa: E402
from tests.pg_engine import POOL_SIZE, LoopPooledPostgresEngine, run_on_kept_connection  # noqa: E402

wire()  # the domains' providers, as every entry point registers them
from center.lib.sqlite_engine import TunedSQLiteEngine as SQLiteEngine  # noqa: E402

IN_CI = os.environ.get("CI", "").lower() == "true"
TEST_CLOCK = os.environ.get("CENTER_TEST_CLOCK", "")
if TEST_CLOCK:
    from datetime import datetime

    import time_machine

    _clock = datetime.fromisoformat(TEST_CLOCK)
    if _clock.tzinfo is None:
        raise SystemExit("CENTER_TEST_CLOCK needs a UTC offset, e.g. 2026-12-28T23:30:00+09:00")
    time_machine.travel(_clock, tick=True).start()
PG_URL = os.environ.get("CENTER_TEST_DATABASE_URL", "")
ENGINES = ("sqlite", "postgres")


def need(condition: bool, reason: str) -> None:
    """Skip with a reason on a developer's machine; fail under CI, where nothing may skip."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required under CI=true: {reason}")
    pytest.skip(reason)


def _table_classes():
    return Finder().get_table_classes()


def _all_tables():
    """Our tables plus Piccolo's own migration table, which caches its engine too."""
    from piccolo.apps.migrations.tables import Migration

    return [*_table_classes(), Migration]


def activate(engine) -> None:
    """Point piccolo_conf and every table at this engine."""
    piccolo_conf.DB = engine
    for table in _all_tables():
        table._meta.db = engine


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


async def _create_pg_database(url: str) -> str:
    config = postgres_config(url)
    name = f"center_test_{_worker()}_{secrets.token_hex(4)}"
    conn = await asyncpg.connect(**{**config, "database": config.get("database") or "postgres"})
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
        # Durability on a crash is not under test: a commit need not wait for the disk (every
        # connection to a test database, the tests' servers too, inherits this).
        await conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    finally:
        await conn.close()
    return name


async def _drop_pg_database(url: str, name: str) -> None:
    config = postgres_config(url)
    conn = await asyncpg.connect(**config)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def _build(kind: str) -> tuple[object, str | None]:
    if kind == "sqlite":
        path = _DATA_DIR / f"test-{_worker()}.sqlite3"
        return SQLiteEngine(path=str(path), timeout=30), None
    name = asyncio.run(_create_pg_database(PG_URL))
    config = {**postgres_config(PG_URL), "database": name}
    return LoopPooledPostgresEngine(config=config), name


_ENGINES: dict[str, object] = {}
_PG_DATABASES: list[str] = []


@pytest.fixture(scope="session", params=ENGINES)
def engine(request) -> Iterator[str]:
    """The engine a test runs on; migrated once per session."""
    kind = request.param
    if kind == "postgres":
        need(
            bool(PG_URL),
            "PostgreSQL tests need CENTER_TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/postgres)",
        )
    if kind not in _ENGINES:
        built, name = _build(kind)
        activate(built)
        asyncio.run(migrate())
        _ENGINES[kind] = built
        if name:
            _PG_DATABASES.append(name)
    activate(_ENGINES[kind])
    yield kind


@pytest.hookimpl(optionalhook=True)  # (xdist's hook: pytest -p no:xdist must still start)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """`--dist loadgroup` as ./dev test asks for it: the browser tests in two groups, each run whole
    by one worker (tests/browser/groups.py says why xdist's own groups are not used)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from tests.browser.groups import BrowserGroupScheduling

    return BrowserGroupScheduling(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before a test that does not drive the shared Chromium, close it if it is open in this process:
    while Playwright's sync API runs, `asyncio.run` refuses to start (tests/browser/shared_chromium.py)."""
    if "browser" not in getattr(item, "fixturenames", ()):
        shared = sys.modules.get("tests.browser.shared_chromium")
        if shared is not None:
            shared.close()


def pytest_sessionfinish(session, exitstatus) -> None:
    for name in _PG_DATABASES:
        with contextlib.suppress(Exception):
            asyncio.run(_drop_pg_database(PG_URL, name))


# Every sequence of the public schema back to 1, whichever table owns it, except the sequence of
# Piccolo's migration table, whose rows stay (restarting it made the next migration row collide).
_RESTART_SEQUENCES = """DO $$ DECLARE seq regclass; BEGIN
    FOR seq IN SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'S' AND n.nspname = 'public' AND c.relname NOT LIKE 'migration%'
    LOOP PERFORM setval(seq, 1, false); END LOOP;
END $$;"""


def _reset_script(kind: str) -> str:
    """One script that empties every table in one transaction and restarts the ids: children before
    their parents (no cascades to chase), then PostgreSQL's sequences. (Piccolo's SQLite ids are
    INTEGER PRIMARY KEY without AUTOINCREMENT, so an emptied table counts from 1 again.) Piccolo's
    migration table keeps its rows."""
    from piccolo.table import sort_table_classes

    tables = [table._meta.tablename for table in reversed(sort_table_classes(_table_classes()))]
    deletes = "".join(f'DELETE FROM "{name}";' for name in tables)
    if kind == "postgres":
        return f"BEGIN;{deletes}{_RESTART_SEQUENCES}COMMIT;"
    return f"BEGIN IMMEDIATE;{deletes}COMMIT;"


_RESET_SCRIPTS: dict[str, str] = {}


async def _empty_all_tables() -> None:
    """Empty the current engine's database: one transaction on one connection (PostgreSQL's
    TRUNCATE of every table took a second per test; SQLite's DELETEs one connection each)."""
    engine = piccolo_conf.DB
    kind = "postgres" if isinstance(engine, PostgresEngine) else "sqlite"
    if kind not in _RESET_SCRIPTS:
        _RESET_SCRIPTS[kind] = _reset_script(kind)
    script = _RESET_SCRIPTS[kind]
    if isinstance(engine, PostgresEngine):
        await run_on_kept_connection(engine.config, script)
        return
    with contextlib.closing(sqlite3.connect(engine.path, isolation_level=None, timeout=30)) as conn:
        conn.executescript(script)


@pytest.fixture
def db(engine) -> str:
    """An empty, migrated database on the current engine."""
    activate(_ENGINES[engine])
    asyncio.run(_empty_all_tables())
    return engine


@pytest.fixture
async def pg_pool(db) -> AsyncIterator[None]:
    """A connection pool for an async test on PostgreSQL, in the test's own event loop (the server
    keeps one too); every async test that uses the database gets it (pytest_collection_modifyitems)."""
    engine = piccolo_conf.DB
    if not isinstance(engine, PostgresEngine):
        yield
        return
    if engine.pool is None:  # (a fixture's query in this loop may have started one already)
        await engine.start_connection_pool(min_size=1, max_size=POOL_SIZE, reset=keep_session_state)
    try:
        yield
    finally:
        if engine.pool is not None:
            await engine.close_connection_pool()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixturenames = getattr(item, "fixturenames", None)
        if fixturenames is None or "db" not in fixturenames or "pg_pool" in fixturenames:
            continue
        if inspect.iscoroutinefunction(getattr(item, "obj", None)):
            fixturenames.append("pg_pool")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def app():
    from center.app import create_app

    return create_app()


@pytest.fixture
async def client(db, app) -> AsyncIterator[httpx.AsyncClient]:
    """The real app over ASGI, in the test's event loop, with cookies kept between requests."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
