"""50 simultaneous requests for the same slot against the running server with three worker
processes, on SQLite and on PostgreSQL: exactly one wins, every other one is told in Japanese that
the slot was just taken and offered free rooms, and the database holds exactly one hold.

The server is the real thing (`center run --workers 3`) in a subprocess on a fresh data folder or
a fresh PostgreSQL database; half the requests come through the HTML form, half through the JSON
API, each from its own logged-in session (50 member accounts in 10 groups)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from urllib.parse import urlparse, urlunparse

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 50
GROUPS = 10
WORKERS = 3
PASSWORD = "race-password-123"
TAKEN_JA = "すでに予約が入りました"
ALTERNATIVE_JA = "会議室2"

# Run in a subprocess against the server's database: `seed` sets up the center, `count` reports
# what the ledger and the bookings table hold.
SCRIPT = r"""
import asyncio, json, sys
from datetime import timedelta

async def seed():
    from bookings.fees import ensure_default_rules
    from bookings.service import ensure_default_refund_rules
    from center.accounts import service as accounts
    from center.lib.dates import today
    from tests.helpers import make_calendar, make_group, make_room

    slots = await make_calendar(heating=(1, 12))
    await ensure_default_rules()
    await ensure_default_refund_rules()
    fees = {"morning": (600, 200), "afternoon": (800, 250), "evening": (800, 250)}
    await make_room(code="hall", name_ja="多目的ホール", capacity=100, fees=fees, slot_ids=slots)
    await make_room(code="meeting2", name_ja="会議室2", capacity=40, fees=fees, slot_ids=slots)
    groups = []
    for g in range(GROUPS):
        members = []
        for m in range(CLIENTS // GROUPS):
            members.append(await accounts.create_user(f"racer{g}x{m}", f"Racer {g}-{m}", PASSWORD, []))
        groups.append(await make_group(f"競争団体{g}", members=tuple(members)))
    print(json.dumps({"groups": groups, "day": (today() + timedelta(days=20)).isoformat()}))

async def count():
    from bookings.tables import Booking
    from center.ledger.tables import Hold
    print(json.dumps({
        "active_holds": await Hold.count().where(Hold.active == True),
        "holds": await Hold.count(),
        "live_bookings": await Booking.count().where(Booking.status.is_in(["requested", "approved"])),
        "bookings": await Booking.count(),
    }))

asyncio.run({"seed": seed, "count": count}[sys.argv[1]]())
"""


@pytest.fixture(scope="module")
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


def _run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(args[:4])} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    return result.stdout


def _script(mode: str, env: dict[str, str]) -> dict:
    source = SCRIPT.replace("GROUPS", str(GROUPS)).replace("CLIENTS", str(CLIENTS))
    source = source.replace("PASSWORD", repr(PASSWORD))
    out = _run([sys.executable, "-c", source, mode], {**env, "PYTHONPATH": str(ROOT)})
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(request: pytest.FixtureRequest, harness: ModuleType, tmp_path_factory) -> Iterator[dict]:
    """`center run --workers 3` on a fresh database with the race's center seeded."""
    kind = request.param
    if kind == "postgres":
        harness.need(
            bool(harness.PG_URL),
            "PostgreSQL tests need CENTER_TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/postgres)",
        )
    data_dir = tmp_path_factory.mktemp(f"race-{kind}")
    env = {key: value for key, value in os.environ.items() if not key.startswith("CENTER_")}
    env.update(
        CENTER_DATA_DIR=str(data_dir),
        CENTER_PDF_WARM_UP="0",
        CENTER_SECRET_KEY="race-test-secret-key",
        CENTER_CHEAP_PASSWORD_HASH="1",
        CENTER_DEMO="0",
        CENTER_SCHEDULER="0",
        PYTHONUNBUFFERED="1",
    )
    database = None
    if kind == "postgres":
        database = asyncio.run(harness._create_pg_database(harness.PG_URL))
        env["CENTER_DATABASE_URL"] = urlunparse(urlparse(harness.PG_URL)._replace(path=f"/{database}"))
    log = data_dir / "server.log"
    process = None
    try:
        _run([sys.executable, "-m", "center.cli", "migrate"], env)
        seeded = _script("seed", env)
        port = _free_port()
        with log.open("w") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "center.cli",
                    "run",
                    "--no-demo",
                    "--workers",
                    str(WORKERS),
                    "--port",
                    str(port),
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the workers stop with it
            )
        url = f"http://127.0.0.1:{port}"
        _wait_for_workers(url, process, log)
        yield {"url": url, "env": env, "kind": kind, **seeded}
    finally:
        if process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if database:
            with contextlib.suppress(Exception):
                asyncio.run(harness._drop_pg_database(harness.PG_URL, database))


def _wait_for_workers(url: str, process: subprocess.Popen, log: Path) -> None:
    """Until /healthz answers and every worker has started its application."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        started = log.read_text().count("Application startup complete")
        if started >= WORKERS:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    return
        time.sleep(0.2)
    pytest.fail(f"the server did not start {WORKERS} workers within 60s:\n{log.read_text()[-4000:]}")


async def _logged_in(url: str, username: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=url, timeout=60)
    await client.get("/login")
    token = client.cookies.get("csrftoken")
    response = await client.post(
        "/login", data={"username": username, "password": PASSWORD, "_csrf_token": token}
    )
    assert response.status_code == 303, response.text[:300]
    return client


def _form(server: dict, group_id: int, token: str) -> dict:
    return {
        "_csrf_token": token,
        "group": str(group_id),
        "room": "hall",
        "day": server["day"],
        "slots": ["afternoon"],
        "purpose": "同時申込の試験",
        "expected_head_count": "30",
        "action": "confirm",
        "agree_to_terms": "on",
    }


def _json(server: dict, group_id: int) -> dict:
    return {
        "group_id": group_id,
        "room": "hall",
        "day": server["day"],
        "slots": ["afternoon"],
        "purpose": "同時申込の試験",
        "expected_head_count": 30,
        "agree_to_terms": True,
    }


async def _race(server: dict) -> list[tuple[str, httpx.Response]]:
    users = [
        (group, f"racer{g}x{m}") for g, group in enumerate(server["groups"]) for m in range(CLIENTS // GROUPS)
    ]
    clients = await asyncio.gather(*(_logged_in(server["url"], name) for _, name in users))
    start = asyncio.Event()

    async def fire(index: int) -> tuple[str, httpx.Response]:
        client, group = clients[index], users[index][0]
        token = client.cookies.get("csrftoken")
        await start.wait()
        if index % 2:
            return "api", await client.post(
                "/api/bookings", json=_json(server, group), headers={"x-csrftoken": token}
            )
        return "form", await client.post("/bookings/request/confirm", data=_form(server, group, token))

    try:
        tasks = [asyncio.create_task(fire(index)) for index in range(CLIENTS)]
        await asyncio.sleep(0.05)  # every task is waiting at the start line
        start.set()
        return await asyncio.gather(*tasks)
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))


def test_fifty_simultaneous_requests_for_one_slot_give_exactly_one_booking(server):
    began = time.monotonic()
    answers = asyncio.run(_race(server))
    elapsed = time.monotonic() - began
    statuses = sorted(response.status_code for _, response in answers)
    winners = [(kind, r) for kind, r in answers if r.status_code in (201, 303)]
    losers = [(kind, r) for kind, r in answers if r.status_code == 409]
    assert len(winners) == 1, f"statuses: {statuses}"
    assert len(losers) == CLIENTS - 1, f"statuses: {statuses}"
    for kind, response in losers:
        if kind == "api":
            problem = response.json()
            assert TAKEN_JA in problem["detail"], problem
            assert [alt["room"] for alt in problem["alternatives"]] == ["meeting2"], problem
            assert [c["room"] for c in problem["conflicts"]] == ["hall"], problem
        else:
            text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))
            assert TAKEN_JA in text and ALTERNATIVE_JA in text, text[:500]
    counts = _script("count", server["env"])
    assert counts == {"active_holds": 1, "holds": 1, "live_bookings": 1, "bookings": 1}, counts
    print(
        f"\n{server['kind']}: {CLIENTS} requests, {WORKERS} workers, {elapsed:.2f}s, statuses {statuses[:1]}+"
    )
