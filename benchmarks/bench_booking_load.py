"""Booking requests per second through the real server (a script, not a test).

    .venv/bin/python benchmarks/bench_booking_load.py [--engine sqlite|postgres|both] [--workers 1,4]
        [--clients 16] [--duration 15] [--alone 60] [--bookings 30000] [--root DIR] [--pg-url ...]

For each engine a fresh database (a temporary SQLite file, or a new PostgreSQL database dropped
afterwards) gets the demo center, three more rooms (12 bookable) and --bookings of history from
bench_bookings.py's loader (through bench_http.py's database helper), then --clients members, each
the only member of an approved group of their own (the policy's cap on a group's future bookings is
lifted, and requests may go 12 months ahead, so the clients do not run out of what they may book).

The real server (`center run`, uvicorn) then serves it with each --workers count in turn. Every
client signs in through the login form and sends booking requests as the confirmation page does
(POST /bookings/request/confirm with its CSRF token, the terms agreed, action=confirm), each for a
distinct free (room, day, slot) cell read from the availability API beforehand, so no two requests
clash. For each server:

- alone: one client, one request after another (--alone requests after 5 warm-ups): p50 and p95;
- load: --clients clients at once for --duration seconds: bookings/s (303 answers), p50/p95/p99,
  and every other answer counted as an error. Afterwards the database is asked how many of the
  run's bookings exist with an active hold, which must equal the 303 answers.

After each 303 the client opens the booking page it points to, as a browser does (that page shows
and so clears the flash message; without it every request would grow the session). That GET is
not in the latency figures, but it is in bookings/s, which is a member's whole round.

The load generator is one asyncio process with an httpx client per member, on the same machine as
the server and the database: on a shared CPU compare figures from one run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_http import DEFAULT_PG, _database, _with_server, server_command  # noqa: E402

PASSWORD = "bench-load-password-7"
USER_PREFIX = "loadmember"
WINDOW_MONTHS = 12  # how far ahead the clients may book (the policy's book_until_months)
FIRST_DAY = 10  # the first day ahead to book (beyond the policy's book_from_days)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--workers", default="1,4", help="server processes, comma-separated (1,4)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent members (default 16)")
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per server (15)")
    parser.add_argument("--alone", type=int, default=60, help="sequential requests, one client (60)")
    parser.add_argument("--bookings", type=int, default=30_000, help="history size (default 30000)")
    parser.add_argument("--root", default=str(ROOT), help="the checkout to serve (default this one)")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="PostgreSQL server for the database")
    parser.add_argument("--setup-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--count-child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.root = str(Path(args.root).resolve())
    if args.setup_child:
        print(json.dumps(asyncio.run(_setup(args.clients))))
        return
    if args.count_child:
        print(json.dumps(asyncio.run(_count(args.count_child))))
        return
    print(f"serving: {args.root}; {args.clients} clients, {args.duration} s of load", flush=True)
    engines = ("sqlite", "postgres") if args.engine == "both" else (args.engine,)
    workers = [int(value) for value in args.workers.split(",") if value]
    results = []
    for engine in engines:
        with _database(engine, args) as env:
            setup = _child(args, env, ["--setup-child", "--clients", str(args.clients)])
            # The clients' accounts are real ones to the server, which refuses demo mode beside them.
            served = {key: value for key, value in env.items() if key != "CENTER_DEMO"}
            for count in workers:
                print(f"{engine}, {count} worker(s) ...", flush=True)
                result = _with_server(
                    server_command(count),
                    Path(args.root),
                    served,
                    lambda port, setup=setup, env=env: asyncio.run(_measure(port, args, setup, env)),
                )
                result.update(engine=engine, workers=count, load=_load_average())
                print(f"  {_line(result)}", flush=True)
                results.append(result)
    _print(results, args)


def _child(args: argparse.Namespace, env: dict[str, str], extra: list[str]) -> dict:
    command = [sys.executable, __file__, *extra]
    done = subprocess.run(command, cwd=args.root, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{extra[0]} failed:\n{done.stderr[-6000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


# --- in the database's environment: the members, and counting what was booked ---------------------


async def _setup(clients: int) -> dict:
    """`clients` members, each alone in an approved group of their own; the policy lets each group
    hold many future bookings up to WINDOW_MONTHS ahead. Returns the bookable slot rooms' codes."""
    from datetime import UTC, datetime

    from bookings.tables import BookingPolicy, LotteryRoom
    from center.accounts.service import create_user
    from center.accounts.tables import Group, GroupMember
    from center.places.rooms import list_rooms

    now = datetime.now(UTC)
    groups = []
    for number in range(clients):
        user_id = await create_user(f"{USER_PREFIX}{number}", f"負荷 {number}", PASSWORD)
        rows = await Group.insert(
            Group(
                name=f"負荷測定の会 {number}",
                representative=f"負荷 {number}",
                status="approved",
                applied_at=now,
                decided_at=now,
                updated_at=now,
            )
        ).returning(Group.id)
        await GroupMember.insert(GroupMember(group=rows[0]["id"], user=user_id, is_representative=True))
        groups.append(rows[0]["id"])
    await BookingPolicy.update(
        {BookingPolicy.max_future_bookings: 1_000_000, BookingPolicy.book_until_months: WINDOW_MONTHS},
        force=True,
    )
    lottery = {
        row["room"] for row in await LotteryRoom.select(LotteryRoom.room).where(LotteryRoom.active == True)
    }
    rooms = [
        room["code"]
        for room in await list_rooms()
        if room["booked_by"] == "slot" and room["id"] not in lottery
    ]
    return {"rooms": rooms, "groups": groups}


async def _count(marker: str) -> dict:
    """The run's bookings (their purpose is the run's marker) and how many hold the room."""
    from bookings.tables import Booking
    from center.ledger.tables import Hold

    rows = await Booking.select(Booking.id, Booking.hold).where(Booking.purpose == marker)
    holds = [row["hold"] for row in rows if row["hold"]]
    active = await Hold.count().where(Hold.id.is_in(holds) & (Hold.active == True)) if holds else 0
    return {"bookings": len(rows), "active_holds": active}


# --- the clients ---------------------------------------------------------------------------------------


@dataclass
class Member:
    client: object
    token: str
    group: str


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    ran_out: bool = False


async def _sign_in(http, base: str, number: int, group: int) -> Member:
    client = http.AsyncClient(base_url=base, timeout=60)
    await client.get("/login")
    answer = await client.post(
        "/login",
        data={
            "username": f"{USER_PREFIX}{number}",
            "password": PASSWORD,
            "_csrf_token": client.cookies["csrftoken"],
        },
    )
    assert answer.status_code == 303, f"login {number}: {answer.status_code} {answer.text[:300]}"
    return Member(client, client.cookies["csrftoken"], str(group))


async def _free_cells(client, rooms: set[str], until_days: int) -> list[tuple[str, str, str]]:
    """Every free (room, day, slot) cell of the slot rooms, FIRST_DAY days ahead on, earliest last."""
    from center.lib.dates import today

    found: list[tuple[str, str, str]] = []
    first = today() + timedelta(days=FIRST_DAY)
    end = today() + timedelta(days=until_days)
    while first <= end:
        last = min(first + timedelta(days=13), end)
        data = (await client.get(f"/api/availability?from={first}&to={last}")).json()
        found += [
            (cell["room"], cell["date"], cell["slot"])
            for cell in data["cells"]
            if cell["state"] == "free" and cell["room"] in rooms
        ]
        first = last + timedelta(days=1)
    found.reverse()  # pop() takes the earliest first
    return found


def _request_form(member: Member, cell: tuple[str, str, str], purpose: str) -> dict:
    room, day, slot = cell
    return {
        "_csrf_token": member.token,
        "group": member.group,
        "room": room,
        "day": day,
        "slots": [slot],
        "purpose": purpose,
        "expected_head_count": "4",
    }


async def _terms_version(member: Member, cell: tuple[str, str, str]) -> str:
    """The terms' version the confirmation page carries (its first step writes nothing)."""
    import re

    page = await member.client.post(
        "/bookings/new", data={**_request_form(member, cell, "確認"), "action": "confirm"}
    )
    assert page.status_code == 200, f"confirmation page: {page.status_code} {page.text[:300]}"
    found = re.search(r'name="terms_version" value="([^"]*)"', page.text)
    assert found, "no terms_version on the confirmation page"
    return found.group(1)


async def _book(member: Member, cell: tuple[str, str, str], marker: str, terms: str, tally: Tally) -> None:
    # As the confirmation page sends it: the request's hidden fields, the terms agreed.
    data = {
        **_request_form(member, cell, marker),
        "terms_version": terms,
        "agree_to_terms": "on",
        "action": "confirm",
    }
    began = time.perf_counter()
    try:
        answer = await member.client.post("/bookings/request/confirm", data=data)
        status = str(answer.status_code)
        elapsed = (time.perf_counter() - began) * 1000
        if status == "303":
            # As a browser: open the booking it points to (which shows, and so takes, the flash
            # message; else the session would grow with every request). Not part of the latency.
            shown = await member.client.get(answer.headers["location"])
            if shown.status_code != 200:
                status = f"303 then {shown.status_code}"
    except Exception as exc:  # a dropped connection or a timeout is an error, not a crash
        status = type(exc).__name__
    if status == "303":
        tally.latencies.append(elapsed)
    else:
        tally.errors[status] = tally.errors.get(status, 0) + 1


async def _measure(port: int, args: argparse.Namespace, setup: dict, env: dict[str, str]) -> dict:
    import httpx

    base = f"http://127.0.0.1:{port}"
    members = [await _sign_in(httpx, base, number, group) for number, group in enumerate(setup["groups"])]
    try:
        cells = await _free_cells(members[0].client, set(setup["rooms"]), 30 * WINDOW_MONTHS - 5)
        terms = await _terms_version(members[0], cells[-1])
        run = secrets.token_hex(3)

        # alone: one member, one request after another
        alone_marker = f"負荷測定 {run} alone"
        alone = Tally()
        for _ in range(5):
            await _book(members[0], cells.pop(), alone_marker, terms, Tally())
        for _ in range(args.alone):
            await _book(members[0], cells.pop(), alone_marker, terms, alone)

        # load: every member at once, each taking the next free cell
        marker = f"負荷測定 {run} load"
        load = Tally()
        stop = time.perf_counter() + args.duration

        async def one_member(member: Member) -> None:
            while time.perf_counter() < stop:
                if not cells:
                    load.ran_out = True
                    return
                await _book(member, cells.pop(), marker, terms, load)

        began, cpu_before, busy_before = time.perf_counter(), time.process_time(), _machine_busy()
        await asyncio.gather(*(one_member(member) for member in members))
        elapsed = time.perf_counter() - began
        generator_cpu, machine_cpu = time.process_time() - cpu_before, _machine_busy() - busy_before
    finally:
        for member in members:
            await member.client.aclose()
    counted = _child(args, env, ["--count-child", marker])
    return {
        "alone": _percentiles(alone.latencies),
        "alone_errors": alone.errors,
        "rate": len(load.latencies) / elapsed,
        "ok": len(load.latencies),
        "latency": _percentiles(load.latencies),
        "errors": load.errors,
        "counted": counted,
        "ran_out": load.ran_out,
        # Where the machine's CPU went during the load: this process is the load generator.
        "generator_share": generator_cpu / machine_cpu if machine_cpu > 0 else float("nan"),
        "cpu_per_booking_ms": 1000 * (machine_cpu - generator_cpu) / max(1, len(load.latencies)),
    }


def _machine_busy() -> float:
    """CPU seconds the whole machine has spent busy (not idle or waiting), from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _percentiles(samples: list[float]) -> dict[str, float]:
    if len(samples) < 2:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan")}
    cuts = statistics.quantiles(samples, n=100)
    return {"p50": statistics.median(samples), "p95": cuts[94], "p99": cuts[98]}


# --- the table -----------------------------------------------------------------------------------------


def _line(result: dict) -> str:
    alone, latency, counted = result["alone"], result["latency"], result["counted"]
    checked = "ok" if counted["bookings"] == counted["active_holds"] == result["ok"] else "MISMATCH"
    errors = ", ".join(f"{key}×{value}" for key, value in sorted(result["errors"].items())) or "0"
    return (
        f"alone p50 {alone['p50']:.1f} / p95 {alone['p95']:.1f} ms; "
        f"{result['rate']:.1f} bookings/s ({result['ok']} × 303, db: {counted['bookings']} bookings "
        f"{counted['active_holds']} holds {checked}) p50 {latency['p50']:.1f} p95 {latency['p95']:.1f} "
        f"p99 {latency['p99']:.1f} ms; errors {errors}"
        + ("; RAN OUT of free cells" if result["ran_out"] else "")
        + f"; load generator {100 * result['generator_share']:.0f}% of the CPU used, "
        f"server and database {result['cpu_per_booking_ms']:.1f} ms CPU per booking round"
        + f"; load avg {result['load']}"
    )


def _print(results: list[dict], args: argparse.Namespace) -> None:
    print()
    print(
        f"booking requests through the real server: alone = 1 client × {args.alone} sequential; "
        f"load = {args.clients} clients × {args.duration} s (ms)"
    )
    print(
        "| engine | workers | alone p50 | alone p95 | bookings/s | p50 | p95 | p99 | errors "
        "| db check | load avg (1/5/15 min) |"
    )
    print("| --- " * 11 + "|")
    for result in results:
        alone, latency, counted = result["alone"], result["latency"], result["counted"]
        errors = sum(result["errors"].values()) + sum(result["alone_errors"].values())
        checked = counted["bookings"] == counted["active_holds"] == result["ok"]
        print(
            f"| {result['engine']} | {result['workers']} | {alone['p50']:.1f} | {alone['p95']:.1f} "
            f"| {result['rate']:.1f} | {latency['p50']:.1f} | {latency['p95']:.1f} | {latency['p99']:.1f} "
            f"| {errors} | {'ok' if checked else 'MISMATCH'} ({counted['bookings']}) | {result['load']} |"
        )


if __name__ == "__main__":
    main()
