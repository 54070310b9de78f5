"""Benchmark the booking pages against years of history (a script, not a test).

    .venv/bin/python benchmarks/bench_bookings.py [--engine sqlite|postgres|both] [--bookings 30000]
        [--small 1000] [--runs 30] [--pg-url postgresql://postgres@127.0.0.1:5432/postgres]

For each engine, and for each history size (--bookings, then --small), a child process builds a
fresh database (a temporary SQLite file, or a new PostgreSQL database that is dropped afterwards),
loads the demo center plus three more rooms (12 bookable rooms), bulk-loads about three years of
past bookings, each with its ledger hold and never overlapping (a share cancelled, their holds
released), and then times, in process through the ASGI app (httpx.ASGITransport, the PostgreSQL
pool started and the PDF renderer warm as in the server):

- the all-rooms week grid        GET  /availability?week=...
- one room's month               GET  /availability/rooms/CODE?month=...
- the availability API, a week   GET  /api/availability?from=...&to=...
- a booking request              POST /bookings/request/confirm (the confirmation page's send, terms
                                 agreed; a fresh free slot each time)
- the permit PDF                 GET  /bookings/ID/permit.pdf

It prints median and 95th percentile per engine and history size, so one can see whether the cost
grows with history.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PG = os.environ.get("CENTER_TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
HISTORY_YEARS = 3
EXTRA_ROOMS = (  # three more rooms, so the center has 12 bookable rooms as in the issue
    ("meeting3", "会議室3", "Meeting room 3", 4, 18),
    ("meeting4", "会議室4", "Meeting room 4", 4, 12),
    ("studio", "多目的スタジオ", "Studio", 5, 30),
)
MEASURES = (
    ("week", "week grid, all rooms"),
    ("month", "one room's month"),
    ("api", "availability API, a week"),
    ("request", "booking request (POST)"),
    ("permit", "permit PDF"),
)
CANCELLED_SHARE = 0.08


# --- the parent: one child per engine and history size, then the table ---------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--bookings", type=int, default=30_000, help="history size (default 30000)")
    parser.add_argument("--small", type=int, default=1_000, help="the comparison size (default 1000)")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per measure (default 30)")
    parser.add_argument(
        "--pg-url", default=DEFAULT_PG, help="a PostgreSQL server URL (a database is created)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(child(args))))
        return
    engines = ("sqlite", "postgres") if args.engine == "both" else (args.engine,)
    results = []
    for engine in engines:
        for size in (args.bookings, args.small):
            print(f"{engine}: loading {size:,} bookings and measuring ...", file=sys.stderr, flush=True)
            results.append(run_child(engine, size, args))
    print_table(results, args.runs)


def run_child(engine: str, size: int, args: argparse.Namespace) -> dict:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--engine",
        engine,
        "--bookings",
        str(size),
        "--runs",
        str(args.runs),
        "--pg-url",
        args.pg_url,
    ]
    data_dir = tempfile.mkdtemp(prefix="center-bench-")
    env = {key: value for key, value in os.environ.items() if not key.startswith("CENTER_")}
    env.update(
        CENTER_DATA_DIR=data_dir,
        CENTER_SECRET_KEY="benchmark-secret-key",
        CENTER_CHEAP_PASSWORD_HASH="1",
        CENTER_DEMO="1",
        CENTER_SCHEDULER="0",
        PYTHONPATH=str(ROOT),
    )
    database = None
    if engine == "postgres":
        database = f"center_bench_{secrets.token_hex(4)}"
        asyncio.run(_pg_admin(args.pg_url, f'CREATE DATABASE "{database}"'))
        env["CENTER_DATABASE_URL"] = urlunparse(urlparse(args.pg_url)._replace(path=f"/{database}"))
    try:
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"the {engine} run failed:\n{result.stderr[-6000:]}")
        return json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        if database:
            asyncio.run(_pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))


async def _pg_admin(url: str, sql: str) -> None:
    import asyncpg

    from center.lib.db import postgres_config

    connection = await asyncpg.connect(**postgres_config(url))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def print_table(results: list[dict], runs: int) -> None:
    print()
    print(f"median / p95 in milliseconds, {runs} runs each (after warm-up); load = time to bulk-load")
    header = f"{'engine':<9} {'bookings':>9} {'holds':>7} {'load s':>7}  " + "  ".join(
        f"{label:>26}" for _, label in MEASURES
    )
    print(header)
    print("-" * len(header))
    for result in results:
        cells = []
        for key, _ in MEASURES:
            median, p95 = result["timings"][key]
            cells.append(f"{median:>12.1f} / {p95:>11.1f}")
        print(
            f"{result['engine']:<9} {result['bookings']:>9,} {result['holds']:>7,} "
            f"{result['load_seconds']:>7.1f}  " + "  ".join(cells)
        )


# --- the child: build, load, measure ----------------------------------------------------------------


async def child(args: argparse.Namespace) -> dict:
    sys.path.insert(0, str(ROOT))
    from center.lib.db import migrate, start_pool

    await migrate()
    await start_pool()
    from center.shell.demo import load_demo

    await load_demo()
    await add_rooms()
    began = time.perf_counter()
    loaded = await load_history(args.bookings)
    load_seconds = time.perf_counter() - began
    await analyze()
    timings = await measure(args.runs)
    from center.ledger.tables import Hold

    return {
        "engine": args.engine,
        "bookings": loaded,
        "holds": await Hold.count(),
        "load_seconds": load_seconds,
        "timings": timings,
    }


async def add_rooms() -> None:
    """Three more bookable rooms with the fees of the demo's first meeting room."""
    from datetime import UTC, datetime

    from center.places.tables import Room, RoomSlotFee

    model = await Room.select().where(Room.code == "meeting1").first()
    fees = await RoomSlotFee.select().where(RoomSlotFee.room == model["id"])
    for order, (code, name_ja, name_en, floor, capacity) in enumerate(EXTRA_ROOMS):
        rows = await Room.insert(
            Room(
                code=code,
                name_ja=name_ja,
                name_en=name_en,
                floor=floor,
                capacity=capacity,
                sort_order=100 + order,
                updated_at=datetime.now(UTC),
            )
        ).returning(Room.id)
        await RoomSlotFee.insert(
            *(
                RoomSlotFee(
                    room=rows[0]["id"], slot=fee["slot"], fee=fee["fee"], heating_fee=fee["heating_fee"]
                )
                for fee in fees
            )
        )


async def load_history(count: int) -> int:
    """About three years of past bookings over every bookable room's slots, each with its hold:
    mostly approved (with permit numbers), some cancelled (hold released). Cells already held (the
    demo's bookings, closures, screenings) are skipped, so the ledger's no-overlap rule holds."""
    from datetime import timedelta

    from bookings.service import permit_number
    from bookings.tables import Booking
    from center.accounts.tables import Group
    from center.ledger.tables import Hold
    from center.lib.dates import today
    from center.lib.db import is_postgres, write_transaction
    from center.places.calendar import days_info
    from center.places.rooms import list_rooms

    rng = random.Random(20261126)
    rooms = await list_rooms()
    groups = [row["id"] for row in await Group.select(Group.id).where(Group.status == "approved")]
    end = today() - timedelta(days=70)  # the demo's own bookings start about two months back
    start = end - timedelta(days=365 * HISTORY_YEARS)
    # Active holds by room (the demo's bookings, some spanning several slots, closures, screenings):
    # a cell that overlaps any of them is skipped.
    taken: dict[int, list[tuple]] = {}
    for row in await Hold.select(Hold.room, Hold.starts_at, Hold.ends_at).where(Hold.active == True):
        taken.setdefault(row["room"], []).append((row["starts_at"], row["ends_at"]))
    cells = []
    for info in await days_info(start, end):
        for slot in info.slots:
            for room in rooms:
                offered = {fee["code"] for fee in room["fees"]}
                if room["booked_by"] == "slot" and slot.code not in offered:
                    continue
                if not any(
                    held_from < slot.ends_at and slot.starts_at < held_to
                    for held_from, held_to in taken.get(room["id"], ())
                ):
                    cells.append((room, slot))
    rng.shuffle(cells)
    cells = sorted(cells[:count], key=lambda cell: cell[1].starts_at)
    first_booking = (
        (await Booking.select(Booking.id).order_by(Booking.id, ascending=False).first()) or {"id": 0}
    )["id"] + 1
    first_hold = ((await Hold.select(Hold.id).order_by(Hold.id, ascending=False).first()) or {"id": 0})[
        "id"
    ] + 1
    holds, bookings = [], []
    for index, (room, slot) in enumerate(cells):
        booking_id, hold_id = first_booking + index, first_hold + index
        cancelled = rng.random() < CANCELLED_SHARE
        created = slot.starts_at - timedelta(days=rng.randint(4, 150))
        holds.append(
            Hold(
                id=hold_id,
                room=room["id"],
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                kind="booking",
                ref=booking_id,
                label="利用",
                active=not cancelled,
                created_at=created,
                released_at=created + timedelta(days=2) if cancelled else None,
                release_reason="cancel: 都合により" if cancelled else "",
            )
        )
        fee = rng.choice((600, 800, 1200))
        bookings.append(
            Booking(
                id=booking_id,
                group=rng.choice(groups),
                room=room["id"],
                hold=hold_id,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                slot_codes=slot.code,
                purpose=rng.choice(("定例会", "練習", "講座", "相談会", "作品展の準備", "体操教室")),
                public=rng.random() < 0.2,
                public_title="公開講座",
                expected_head_count=rng.randint(3, 20),
                status="cancelled" if cancelled else "approved",
                room_fee=fee,
                fee_total=fee,
                permit_number=None if cancelled else permit_number(booking_id, slot.starts_at),
                cancelled_at=created + timedelta(days=2) if cancelled else None,
                cancel_reason="都合により" if cancelled else "",
                decided_at=created + timedelta(days=1),
                created_at=created,
                updated_at=created + timedelta(days=2),
            )
        )
    batch = 500
    async with write_transaction():
        for offset in range(0, len(holds), batch):
            await Hold.insert(*holds[offset : offset + batch])
            await Booking.insert(*bookings[offset : offset + batch])
        if is_postgres():
            for table in ("center_hold", "bookings_booking"):
                await Hold.raw(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
    return len(bookings)


async def analyze() -> None:
    """Fresh planner statistics after the bulk load, as autovacuum would gather them."""
    from center.lib.db import get_engine

    await get_engine().run_ddl("ANALYZE")


async def measure(runs: int) -> dict[str, tuple[float, float]]:
    from datetime import timedelta

    import httpx

    from bookings.availability import week_start
    from bookings.rules import load_policy
    from bookings.tables import Booking, BookingPolicy, LotteryRoom
    from center.accounts.tables import Group, GroupMember, User
    from center.app import create_app
    from center.lib.dates import today
    from center.places.rooms import list_rooms
    from center.web.pdf import warm_up

    # The app first: create_app wires the ports, whose template helpers (equipment_text ...) the
    # PDF renderer's environment takes when warm_up builds it, as in the server's start-up.
    app = create_app()
    await warm_up()
    await load_policy()
    # Many requests from one group in the benchmark: lift the cap on a group's future bookings.
    await BookingPolicy.update({BookingPolicy.max_future_bookings: 100_000}, force=True)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        await client.get("/login")
        token = client.cookies["csrftoken"]
        login = await client.post(
            "/login", data={"username": "member", "password": "demo-password", "_csrf_token": token}
        )
        assert login.status_code == 303, login.text[:300]
        token = client.cookies["csrftoken"]
        member = await User.select(User.id).where(User.username == "member").first()
        group_rows = await GroupMember.select(GroupMember.group).where(GroupMember.user == member["id"])
        group = (
            await Group.select()
            .where(Group.id.is_in([row["group"] for row in group_rows]) & (Group.status == "approved"))
            .first()
        )

        next_week = week_start(today()) + timedelta(days=7)
        month = (today().replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
        lottery = {
            row["room"]
            for row in await LotteryRoom.select(LotteryRoom.room).where(LotteryRoom.active == True)
        }
        slot_rooms = [
            room for room in await list_rooms() if room["booked_by"] == "slot" and room["id"] not in lottery
        ]
        free_cells = await _free_cells(client, slot_rooms, runs + 3)

        permit = (
            await Booking.select(Booking.id)
            .where((Booking.group == group["id"]) & (Booking.status == "approved"))
            .first()
        )
        assert permit, "the demo member's group has no approved booking"

        async def request_one() -> None:
            room_code, day, slot = free_cells.pop()
            response = await client.post(
                "/bookings/request/confirm",
                data={
                    "_csrf_token": token,
                    "group": str(group["id"]),
                    "room": room_code,
                    "day": day,
                    "slots": [slot],
                    "purpose": "ベンチマーク",
                    "expected_head_count": "5",
                    "agree_to_terms": "on",
                    "action": "confirm",
                },
            )
            assert response.status_code == 303, f"{response.status_code}: {response.text[:300]}"

        async def get(url: str, content_type: str = "text/html"):
            async def fetch() -> None:
                response = await client.get(url)
                assert response.status_code == 200, f"{url}: {response.status_code}"
                assert response.headers["content-type"].startswith(content_type)

            return fetch

        actions = {
            "week": await get(f"/availability?week={next_week}"),
            "month": await get(f"/availability/rooms/{slot_rooms[0]['code']}?month={month}"),
            "api": await get(
                f"/api/availability?from={next_week}&to={next_week + timedelta(days=6)}", "application/json"
            ),
            "request": request_one,
            "permit": await get(f"/bookings/{permit['id']}/permit.pdf", "application/pdf"),
        }
        timings = {}
        for key, action in actions.items():
            for _ in range(3):  # warm-up: templates compiled, caches filled
                await action()
            samples = []
            for _ in range(runs):
                began = time.perf_counter()
                await action()
                samples.append((time.perf_counter() - began) * 1000)
            timings[key] = (statistics.median(samples), statistics.quantiles(samples, n=20)[-1])
    return timings


async def _free_cells(client, rooms: list[dict], needed: int) -> list[tuple[str, str, str]]:
    """Free (room, day, slot) cells from 10 days ahead on, from the availability API."""
    from datetime import timedelta

    from center.lib.dates import today

    found: list[tuple[str, str, str]] = []
    first = today() + timedelta(days=10)
    codes = {room["code"] for room in rooms}
    while len(found) < needed:
        last = first + timedelta(days=13)
        data = (await client.get(f"/api/availability?from={first}&to={last}")).json()
        found += [
            (cell["room"], cell["date"], cell["slot"])
            for cell in data["cells"]
            if cell["state"] == "free" and cell["room"] in codes
        ]
        first = last + timedelta(days=1)
    found.reverse()  # pop() takes the earliest first
    return found


if __name__ == "__main__":
    main()
