"""The per-process caches (reference data, visitors' pages) are right across processes: two real
servers (uvicorn subprocesses) on one database, on each engine. Each first serves the week, so both
hold it in their caches; then a change to a room, a fee, the calendar or the policy, and a new hold
in the ledger, written by another process (this test, through the app's tables in one transaction
each) is seen by both servers' next request."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

import piccolo_conf
from center.lib.db import TunedSQLiteEngine, postgres_config
from tests.conftest import PG_URL, _create_pg_database, _drop_pg_database, activate, need

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    command = [sys.executable, "-c", "import sys; from center.cli import main; sys.exit(main())"]
    server = subprocess.Popen(
        [*command, "run", "--demo", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # migrations, the demo and the PDF warm-up; the CPU is shared
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server stopped"
        try:
            if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                return server, base
        except httpx.HTTPError:
            time.sleep(0.3)
    raise AssertionError("the server did not start")


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_a_change_written_elsewhere_is_seen_by_both_servers_next_request(kind):
    data_dir = tempfile.mkdtemp(prefix="center-two-")
    env = {key: value for key, value in os.environ.items() if not key.startswith("CENTER_")}
    env.update(
        CENTER_DATA_DIR=data_dir,
        CENTER_SECRET_KEY="two-processes-secret",
        CENTER_SCHEDULER="0",
        CENTER_CHEAP_PASSWORD_HASH="1",
    )
    database = None
    if kind == "postgres":
        need(bool(PG_URL), "PostgreSQL tests need CENTER_TEST_DATABASE_URL")
        database = asyncio.run(_create_pg_database(PG_URL))
        config = {**postgres_config(PG_URL), "database": database}
        env["CENTER_DATABASE_URL"] = (
            f"postgresql://{config['user']}@{config['host']}:{config['port']}/{database}"
        )
    previous = piccolo_conf.DB
    servers = []
    try:
        first, base_a = _start(env)
        servers.append(first)
        second, base_b = _start(env)
        servers.append(second)
        if kind == "postgres":
            from piccolo.engine.postgres import PostgresEngine

            activate(PostgresEngine(config=config))
        else:
            activate(TunedSQLiteEngine(path=str(Path(data_dir) / "center.sqlite3"), timeout=30))
        _check_changes(base_a, base_b)
    finally:
        activate(previous)
        for server in servers:
            server.terminate()
            server.wait(timeout=20)
        if database:
            asyncio.run(_drop_pg_database(PG_URL, database))


def _check_changes(base_a: str, base_b: str) -> None:
    from bookings.tables import BookingPolicy
    from center.ledger.tables import Hold
    from center.places.tables import OpeningHours, Room, RoomSlotFee, Slot

    today = datetime.now(UTC).date()
    week = (today - timedelta(days=today.weekday()) + timedelta(days=14)).isoformat()
    end = (datetime.fromisoformat(week) + timedelta(days=6)).date().isoformat()
    # One visitor per server, keeping its cookies (the CSRF token in the page is the cookie's).
    visitors = [httpx.Client(base_url=base, cookies={"lang": "en"}, timeout=30) for base in (base_a, base_b)]

    def grid(visitor: httpx.Client) -> str:
        return visitor.get(f"/availability?week={week}").text

    def cells(visitor: httpx.Client) -> list[dict]:
        return visitor.get(f"/api/availability?from={week}&to={end}").json()["cells"]

    def states(visitor: httpx.Client, room: str | None = None) -> Counter:
        return Counter(cell["state"] for cell in cells(visitor) if room is None or cell["room"] == room)

    before = {id(visitor): (grid(visitor), states(visitor)) for visitor in visitors}
    for visitor in visitors:  # served from the caches now
        assert grid(visitor) == before[id(visitor)][0]
        assert states(visitor) == before[id(visitor)][1]

    # A room: its English name.
    _write(Room.update({Room.name_en: "The Renamed Hall"}).where(Room.code == "hall"))
    for visitor in visitors:
        assert "The Renamed Hall" in grid(visitor)

    # A fee: the hall no longer offers its evening slot.
    hall = _read(Room.select(Room.id, Room.booked_by).where(Room.code == "hall").first())
    evening = _read(Slot.select(Slot.id).where(Slot.code == "evening").first())
    offered_before = [states(visitor, "hall")["not_offered"] for visitor in visitors]
    _write(RoomSlotFee.delete().where((RoomSlotFee.room == hall["id"]) & (RoomSlotFee.slot == evening["id"])))
    if hall["booked_by"] == "slot":
        for visitor, count in zip(visitors, offered_before, strict=True):
            assert states(visitor, "hall")["not_offered"] > count

    # The calendar: Wednesdays closed.
    closed_before = [states(visitor)["closed"] for visitor in visitors]
    _write(OpeningHours.update({OpeningHours.closed: True}).where(OpeningHours.weekday == 2))
    for visitor, count in zip(visitors, closed_before, strict=True):
        assert states(visitor)["closed"] > count

    # The policy: requests online open from today and a year ahead, so no cell is "desk only".
    _write(
        BookingPolicy.update(
            {BookingPolicy.book_from_days: 0, BookingPolicy.book_until_months: 12}, force=True
        )
    )
    for visitor in visitors:
        found = states(visitor)
        assert found["desk_only"] == 0 and found["not_yet_open"] == 0

    # The ledger: a hold on a free cell turns it at once in both.
    free = next(cell for cell in cells(visitors[0]) if cell["state"] == "free")
    room = _read(Room.select(Room.id).where(Room.code == free["room"]).first())
    _write(
        Hold.insert(
            Hold(
                room=room["id"],
                starts_at=datetime.fromisoformat(free["starts_at"]),
                ends_at=datetime.fromisoformat(free["ends_at"]),
                kind="closure",
                label="works",
                created_at=datetime.now(UTC),
            )
        )
    )
    key = (free["room"], free["date"], free["slot"])
    for visitor in visitors:
        cell = next(c for c in cells(visitor) if (c["room"], c["date"], c["slot"]) == key)
        assert cell["state"] == "held"
        visitor.close()


def _read(query):
    return asyncio.run(query.run())


def _write(query) -> None:
    """One statement in one write transaction, from this (third) process."""
    from center.lib.db import write_transaction

    async def run() -> None:
        async with write_transaction():
            await query.run()

    asyncio.run(run())
