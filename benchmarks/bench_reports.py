"""Benchmark the yearly reports on three years of realistic history (a script, not a test).

    .venv/bin/python benchmarks/bench_reports.py [--engine sqlite|postgres|both] [--bookings 30000]
        [--runs 5] [--pg-url postgresql://postgres@127.0.0.1:5432/postgres]

For each engine a child process builds a fresh database (a temporary SQLite file, or a new
PostgreSQL database dropped afterwards), loads the demo center plus three rooms (12 bookable
rooms) and about three years of past bookings with their holds (benchmarks/bench_bookings.py's
bulk loader), then makes the history realistic for the reports: head counts on nine approved
bookings in ten, a no-show in forty, a desk payment for each approved booking with a fee,
maintenance tickets through the years. It then times, through the ASGI app as a signed-in
manager, the reports for the last complete fiscal year in the history (which compare with the
year before): each report as the HTML page, the PDF and the CSV. It prints the median and the
slowest run in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
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
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_bookings  # noqa: E402  (the bulk loader is shared)

DEFAULT_PG = os.environ.get("CENTER_TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
KINDS = ("usage", "income", "maintenance", "programmes")
FORMATS = (("", "HTML"), ("/pdf", "PDF"), ("/csv", "CSV"))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--bookings", type=int, default=30_000, help="history size (default 30000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measure (default 5)")
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
        print(f"{engine}: loading {args.bookings:,} bookings and measuring ...", file=sys.stderr, flush=True)
        results.append(run_child(engine, args))
    print_table(results, args.runs)


def run_child(engine: str, args: argparse.Namespace) -> dict:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--engine",
        engine,
        "--bookings",
        str(args.bookings),
        "--runs",
        str(args.runs),
    ]
    data_dir = tempfile.mkdtemp(prefix="center-bench-reports-")
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
        asyncio.run(bench_bookings._pg_admin(args.pg_url, f'CREATE DATABASE "{database}"'))
        env["CENTER_DATABASE_URL"] = urlunparse(urlparse(args.pg_url)._replace(path=f"/{database}"))
    try:
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"the {engine} run failed:\n{result.stderr[-6000:]}")
        return json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        if database:
            asyncio.run(
                bench_bookings._pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            )


def print_table(results: list[dict], runs: int) -> None:
    print()
    print(f"yearly reports: median / slowest in milliseconds, {runs} runs each (after one warm-up)")
    for result in results:
        print(
            f"\n{result['engine']}: {result['bookings']:,} bookings ({result['payments']:,} payments, "
            f"{result['tickets']:,} tickets), fiscal year {result['year']} "
            f"compared with {result['year'] - 1}; "
            f"load {result['load_seconds']:.1f} s"
        )
        header = f"{'report':<12}" + "".join(f"{label:>22}" for _, label in FORMATS)
        print(header)
        print("-" * len(header))
        for kind in KINDS:
            cells = "".join(
                f"{result['timings'][kind][label][0]:>12.0f} / {result['timings'][kind][label][1]:>7.0f}"
                for _, label in FORMATS
            )
            print(f"{kind:<12}{cells}")


async def child(args: argparse.Namespace) -> dict:
    from center.lib.db import migrate, start_pool

    await migrate()
    await start_pool()
    from center.shell.demo import load_demo

    await load_demo()
    await bench_bookings.add_rooms()
    began = time.perf_counter()
    loaded = await bench_bookings.load_history(args.bookings)
    payments, tickets = await make_realistic()
    load_seconds = time.perf_counter() - began
    await bench_bookings.analyze()
    year = await last_complete_fiscal_year()
    return {
        "engine": args.engine,
        "bookings": loaded,
        "payments": payments,
        "tickets": tickets,
        "year": year,
        "load_seconds": load_seconds,
        "timings": await measure(year, args.runs),
    }


async def make_realistic() -> tuple[int, int]:
    """Head counts, no-shows, desk payments and maintenance tickets over the loaded history."""
    import random
    from datetime import timedelta

    from bookings.tables import Booking, Payment
    from center.lib.db import write_transaction
    from maintenance.tables import Location, Ticket
    from maintenance.workflow import CATEGORIES

    rng = random.Random(20261127)
    await Booking.raw(
        "UPDATE bookings_booking SET actual_head_count = expected_head_count "
        "WHERE status = 'approved' AND permit_number IS NOT NULL AND id % 10 <> 0"
    )
    await Booking.raw(
        "UPDATE bookings_booking SET no_show_at = ends_at "
        "WHERE status = 'approved' AND permit_number IS NOT NULL AND id % 40 = 0"
    )
    rows = await Booking.select(Booking.id, Booking.starts_at, Booking.fee_total).where(
        (Booking.status == "approved") & Booking.permit_number.is_not_null() & (Booking.fee_total > 0)
    )
    payments = [
        Payment(
            booking=row["id"],
            kind="payment",
            amount=row["fee_total"],
            method="cash" if rng.random() < 0.85 else "other",
            receipt_number=f"B{row['id']:07d}",
            paid_at=row["starts_at"] - timedelta(hours=1),
        )
        for row in rows
    ]
    location = (await Location.select(Location.id).first() or {}).get("id")
    tickets = []
    if location and rows:
        first, last = min(r["starts_at"] for r in rows), max(r["starts_at"] for r in rows)
        span = (last - first).total_seconds()
        for n in range(600):
            opened = first + timedelta(seconds=rng.random() * span)
            done = rng.random() < 0.85
            tickets.append(
                Ticket(
                    title=f"修繕 {n}",
                    category=rng.choice(list(CATEGORIES)),
                    location=location,
                    status="done" if done else "in_progress",
                    due_on=(opened + timedelta(days=14)).date(),
                    created_at=opened,
                    updated_at=opened,
                    resolved_at=opened + timedelta(days=rng.randint(1, 40)) if done else None,
                    actual_cost=rng.choice((0, 5000, 20000, 150000)) if done else None,
                )
            )
    async with write_transaction():
        for offset in range(0, len(payments), 500):
            await Payment.insert(*payments[offset : offset + 500])
        for offset in range(0, len(tickets), 200):
            await Ticket.insert(*tickets[offset : offset + 200])
    return len(payments), len(tickets)


async def last_complete_fiscal_year() -> int:
    """The last fiscal year the loaded history covers entirely."""
    from bookings.tables import Booking
    from center.lib.dates import to_local

    newest = (
        await Booking.select(Booking.starts_at)
        .where(Booking.permit_number.is_not_null())
        .order_by(Booking.starts_at, ascending=False)
        .first()
    )
    last = to_local(newest["starts_at"]).date()
    return (last.year if last.month >= 4 else last.year - 1) - 1


async def measure(year: int, runs: int) -> dict[str, dict[str, tuple[float, float]]]:
    import httpx

    from center.app import create_app
    from center.web.pdf import warm_up

    await warm_up()
    app = create_app()
    transport = httpx.ASGITransport(app=app)
    timings: dict[str, dict[str, tuple[float, float]]] = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as client:
        await client.get("/login")
        token = client.cookies.get("csrftoken")
        answer = await client.post(
            "/login", data={"username": "manager", "password": "demo-password", "_csrf_token": token}
        )
        assert answer.status_code == 303, answer.text[:300]
        for kind in KINDS:
            timings[kind] = {}
            for suffix, label in FORMATS:
                url = f"/reports/{kind}{suffix}?year={year}"
                answer = await client.get(url)  # warm-up
                assert answer.status_code == 200, (url, answer.status_code, answer.text[:300])
                samples = []
                for _ in range(runs):
                    began = time.perf_counter()
                    answer = await client.get(url)
                    samples.append((time.perf_counter() - began) * 1000)
                    assert answer.status_code == 200
                timings[kind][label] = (statistics.median(samples), max(samples))
    return timings


if __name__ == "__main__":
    main()
