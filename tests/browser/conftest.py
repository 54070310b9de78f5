"""The browser harness: the real server in a subprocess, with the demo data, and a headless Chromium
driven by Playwright.

`live_server` is per test process (xdist worker): a fresh data folder, `center migrate` and
`center demo` in subprocesses, then uvicorn on a free port until the session ends. It runs on
SQLite: what a browser test checks (pages, keyboard, accessibility) does not depend on the engine,
and the engines' own behaviour is tested in-process on both. The few flows whose outcome through a
real server does depend on the engine (holds taken and released by the ledger, PostgreSQL's
connection pool in the server, which the in-process tests do not use) say `both_engines()` and run
on a PostgreSQL server too (a fresh database). Without CENTER_TEST_DATABASE_URL those PostgreSQL
runs skip; under CI=true they fail, as does a missing Chromium. The browser tests form two groups
(tests/browser/groups.py), each run whole by one worker, which starts each server and one Chromium
once for all of its group (tests/browser/shared_chromium.py)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from types import ModuleType
from urllib.parse import urlparse, urlunparse
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from center.lib.dates import is_holiday, today
from tests.browser import shared_chromium
from tests.browser.groups import browser_group

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_SECONDS = 180  # a loaded 2-core machine (CI beside other jobs) starts it slowly


def _run_apart(coroutine):
    """asyncio.run in a thread of its own: Playwright's sync API keeps an event loop running in
    this thread while a browser is open, and asyncio.run refuses to start inside it."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def harness(request: pytest.FixtureRequest) -> ModuleType:
    """tests/conftest.py as pytest loaded it (a conftest is not importable by module name)."""
    path = str(ROOT / "tests" / "conftest.py")
    for plugin in request.config.pluginmanager.get_plugins():
        if getattr(plugin, "__file__", None) == path:
            return plugin  # type: ignore[return-value]
    raise RuntimeError("tests/conftest.py is not loaded")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _center(run_module: list[str], args: list[str], env: dict[str, str], log: Path) -> None:
    with log.open("a") as out:
        result = subprocess.run(
            [*run_module, "center.cli", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=180,
        )
    if result.returncode != 0:
        pytest.fail(f"`center {' '.join(args)}` failed:\n{log.read_text()[-4000:]}")


def _wait_until_healthy(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited with {server.returncode}:\n{log.read_text()[-4000:]}")
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:
            if answer.status == 200:
                return
        time.sleep(0.2)
    pytest.fail(
        f"the server did not answer /healthz within {SERVER_START_SECONDS}s:\n{log.read_text()[-4000:]}"
    )


def an_open_hour(after: date | None = None) -> datetime:
    """10:30 Japan time on the next Wednesday after `after` (Japan's today) that is no public holiday
    and not in the year-end closure: the demo center is open then, with most rooms free, whatever
    hour the tests run at (its inspection closures fall on Mondays)."""
    day = (after or today()) + timedelta(days=1)
    while (
        day.weekday() != 2
        or is_holiday(day)
        or (day.month, day.day) >= (12, 29)
        or day <= date(day.year, 1, 3)
    ):
        day += timedelta(days=1)
    return datetime.combine(day, dt_time(10, 30), tzinfo=ZoneInfo("Asia/Tokyo"))


@contextlib.contextmanager
def _serve(kind: str, harness: ModuleType, data_dir: Path, clock: datetime | None) -> Iterator[str]:
    """Migrate, load the demo and serve on a free port, on one engine; with `clock`, every one of
    those processes runs with its wall clock set to that instant (tests/browser/clocked.py)."""
    if kind == "postgres":
        harness.need(
            bool(harness.PG_URL),
            "PostgreSQL browser tests need CENTER_TEST_DATABASE_URL "
            "(e.g. postgresql://postgres@127.0.0.1:5432/postgres)",
        )
    log = data_dir / "server.log"
    env = {key: value for key, value in os.environ.items() if not key.startswith("CENTER_")}
    env.update(
        CENTER_DATA_DIR=str(data_dir),
        CENTER_SECRET_KEY="browser-test-secret-key",
        CENTER_CHEAP_PASSWORD_HASH="1",
        CENTER_PDF_WARM_UP="0",  # the first PDF loads the renderer; most servers here render none
        CENTER_DEMO="1",
        PYTHONUNBUFFERED="1",
    )
    # What runs a module: `python -m MODULE ...`, or the same through the clock wrapper.
    run_module = [sys.executable, "-m"]
    if clock is not None:
        run_module += ["tests.browser.clocked", clock.isoformat()]
    database = None
    if kind == "postgres":
        database = _run_apart(harness._create_pg_database(harness.PG_URL))
        env["CENTER_DATABASE_URL"] = urlunparse(urlparse(harness.PG_URL)._replace(path=f"/{database}"))
    server = None
    try:
        _center(run_module, ["migrate"], env, log)
        _center(run_module, ["demo"], env, log)
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        with log.open("a") as out:
            server = subprocess.Popen(
                [
                    *run_module,
                    "uvicorn",
                    "--factory",
                    "center.app:create_app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--no-access-log",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        _wait_until_healthy(url, server, log)
        yield url
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        if database:
            with contextlib.suppress(Exception):
                _run_apart(harness._drop_pg_database(harness.PG_URL, database))


def _servers_wanted(request: pytest.FixtureRequest, harness: ModuleType) -> list[tuple[str, datetime | None]]:
    """The (engine, clock) of every server the browser tests of the asking test's group ask for
    (every worker collects every test; it runs only its groups)."""
    here = Path(__file__).parent
    live_clock = datetime.fromisoformat(harness.TEST_CLOCK) if harness.TEST_CLOCK else None
    wanted: list[tuple[str, datetime | None]] = []
    asking = getattr(request, "_pyfuncitem", None)
    group = browser_group(Path(str(asking.fspath))) if asking is not None else None
    for item in request.session.items:
        path = Path(str(item.fspath))
        if here not in path.parents or (group is not None and browser_group(path) != group):
            continue  # not a browser test, or one of the group the other worker runs
        callspec = getattr(item, "callspec", None)
        params = callspec.params if callspec else {}
        names = getattr(item, "fixturenames", ())
        for fixture, clock in (("live_server", live_clock), ("open_live_server", None)):
            if fixture in names:
                kind = params.get(fixture, "sqlite")
                server = (kind, an_open_hour() if fixture == "open_live_server" else clock)
                if server not in wanted:
                    wanted.append(server)
    return wanted


@pytest.fixture(scope="session")
def servers(
    request: pytest.FixtureRequest, harness: ModuleType, tmp_path_factory
) -> Iterator[Callable[[str, datetime | None], str]]:
    """Start a server once per test process for each (engine, clock) asked for, and stop them all
    when the session ends: `live_server` on SQLite and the same asked for by an engine-parametrised
    test share one server.

    Each start (migrate, demo, then uvicorn: three Python processes one after the other) takes
    10-15 s. When the first server is asked for, every other one the collected browser
    tests will ask for starts beside it in a thread of its own, so later tests find theirs already
    up; each is still a fresh data folder (or database) of its own, used by the same tests as
    before. A start that fails (or skips: PostgreSQL without its URL) fails the tests that ask for
    that server, when they ask."""
    from concurrent.futures import Future, ThreadPoolExecutor

    with contextlib.ExitStack() as stack:
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=3))
        started: dict[tuple[str, str], Future[str]] = {}

        def _stop(server: contextlib.AbstractContextManager[str], future: Future[str]) -> None:
            with contextlib.suppress(BaseException):
                future.result()  # wait for a start still under way
                server.__exit__(None, None, None)

        def start(kind: str, clock: datetime | None) -> Future[str]:
            key = (kind, clock.isoformat() if clock else "")
            if key not in started:
                data_dir = tmp_path_factory.mktemp(f"server-{kind}")
                server = _serve(kind, harness, data_dir, clock=clock)
                started[key] = pool.submit(server.__enter__)
                stack.callback(_stop, server, started[key])
            return started[key]

        def serve(kind: str, clock: datetime | None) -> str:
            if not started:
                first = start(kind, clock)
                for other in _servers_wanted(request, harness):
                    start(*other)
                return first.result()
            return start(kind, clock).result()

        yield serve


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest, harness: ModuleType, servers) -> str:
    """The base URL of the real app with the demo data, on the real clock (or the suite's
    CENTER_TEST_CLOCK). SQLite unless a test that checks engine behaviour asks for both engines
    with `both_engines` (see ENGINE_PARAMS)."""
    kind = getattr(request, "param", "sqlite")
    return servers(kind, datetime.fromisoformat(harness.TEST_CLOCK) if harness.TEST_CLOCK else None)


@pytest.fixture(scope="session")
def open_live_server(request: pytest.FixtureRequest, servers) -> str:
    """Like live_server, but its clock stands at an hour when the demo center is open (an_open_hour),
    for flows that act on "now" such as the front desk's walk-ins."""
    return servers(getattr(request, "param", "sqlite"), an_open_hour())


# For browser tests that render pages from the in-process app (the `db` fixture) instead of a
# server: the browser's side does not depend on the engine, which the in-process tests cover.
on_sqlite = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


def both_engines(fixture: str = "live_server") -> pytest.MarkDecorator:
    """Run a browser test against a server on each engine (`pytestmark = both_engines()`), for the
    few flows whose outcome depends on the engine behind the real server. Accessibility and page
    structure do not, so every other browser test runs on SQLite alone."""
    return pytest.mark.parametrize(fixture, ["sqlite", "postgres"], indirect=True)


@pytest.fixture(scope="session")
def _chromium_process() -> Iterator[None]:
    """Closes the shared Chromium when the session's fixtures are torn down (set up after the
    session fixtures of the tests before it, so torn down before them, and before the session
    ends: the one place it is closed at the end)."""
    yield
    shared_chromium.close()


@pytest.fixture
def browser(harness: ModuleType, _chromium_process: None) -> Iterator[Browser]:
    """This worker's Chromium, shared by its browser tests. Every context a test leaves open is
    closed when it ends, so no page of one test (a desk board polling, say) runs on into the next."""
    harness.need(
        Path(CHROMIUM).exists(), f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
    )
    browser = shared_chromium.browser(CHROMIUM, CHROMIUM_ARGS)
    yield browser
    for context in browser.contexts:
        context.close()


@pytest.fixture
def context(browser: Browser, live_server: str) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def engine_kind(request: pytest.FixtureRequest) -> str:
    """Which engine the live server of this test runs on (for screenshot names)."""
    callspec = getattr(request.node, "callspec", None)
    params = callspec.params if callspec else {}
    return params.get("live_server") or params.get("open_live_server") or "sqlite"
