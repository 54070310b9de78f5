"""Benchmark a calendar feed of 5,000 events (a script, not a test).

    .venv/bin/python benchmarks/bench_feeds.py [--engine sqlite|postgres|both] [--events 5000]
        [--runs 10] [--pg-url postgresql://postgres@127.0.0.1:5432/postgres]

For each engine a child process builds a fresh database (a temporary SQLite file, or a new
PostgreSQL database dropped afterwards) with a center, one group and --events bookings of that
group inside the feed's window (a share cancelled), and a feed token. It then times, in process
through the ASGI app (httpx.ASGITransport, as the server runs it):

- build:  GET /feeds/t/<token>.ics with nothing remembered: query, assemble, serialise, ETag
- again:  the same GET once this process has served that feed (the text is remembered by a
          digest of its inputs, so only the query and the digest run)
- 304:    the same request with If-None-Match of the last answer (an unchanged feed)
- icalendar alone: the same events, already in memory, turned into icalendar Events and
  serialised with Calendar.to_ical() (no database, no HTTP)

and prints the medians and the ratios build / icalendar and 304 / icalendar.
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
DEFAULT_PG = os.environ.get("CENTER_TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
CANCELLED_EVERY = 12


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--events", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(child(args))))
        return
    engines = ("sqlite", "postgres") if args.engine == "both" else (args.engine,)
    results = [run_child(engine, args) for engine in engines]
    print(f"A private group feed of {args.events:,} events, median of {args.runs} runs (seconds)")
    print(
        f"{'engine':<9} {'bytes':>10} {'build':>8} {'again':>8} {'304':>8} {'icalendar':>10} "
        f"{'build/ical':>11} {'again/ical':>11} {'304/ical':>9}"
    )
    for r in results:
        print(
            f"{r['engine']:<9} {r['bytes']:>10,} {r['build']:>8.3f} {r['again']:>8.3f} "
            f"{r['not_modified']:>8.3f} {r['icalendar']:>10.3f} {r['build'] / r['icalendar']:>10.2f}x "
            f"{r['again'] / r['icalendar']:>10.2f}x {r['not_modified'] / r['icalendar']:>8.2f}x"
        )


async def _pg_admin(url: str, sql: str) -> None:
    import asyncpg

    from center.lib.db import postgres_config

    connection = await asyncpg.connect(**postgres_config(url))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def run_child(engine: str, args: argparse.Namespace) -> dict:
    sys.path.insert(0, str(ROOT))
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--engine", engine]
    command += ["--events", str(args.events), "--runs", str(args.runs), "--pg-url", args.pg_url]
    data_dir = tempfile.mkdtemp(prefix="center-bench-feeds-")
    env = {key: value for key, value in os.environ.items() if not key.startswith("CENTER_")}
    env.update(
        CENTER_DATA_DIR=data_dir,
        CENTER_SECRET_KEY="benchmark-secret-key",
        CENTER_CHEAP_PASSWORD_HASH="1",
        CENTER_DEMO="0",
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


async def load(count: int) -> tuple[int, int]:
    """A center with one room, one group and `count` bookings of that group (no holds: the feed
    reads the bookings), spread over the next year, every twelfth cancelled."""
    from datetime import UTC, datetime, timedelta

    from bookings.tables import Booking
    from center.accounts import service as accounts
    from center.accounts.tables import Group, GroupMember
    from center.lib.dates import TOKYO, today
    from center.places.tables import CenterProfile, Room

    now = datetime.now(UTC)
    await CenterProfile.insert(
        CenterProfile(
            name_ja="苫小牧市市民活動センター",
            name_en="Tomakomai Civic Activity Center",
            address_ja="北海道苫小牧市",
        )
    )
    room = (
        await Room.insert(
            Room(code="meeting1", name_ja="会議室1", name_en="Meeting 1", floor=3, capacity=24)
        ).returning(Room.id)
    )[0]["id"]
    user = await accounts.create_user("member", "Member", "bench-password", [])
    group = (
        await Group.insert(
            Group(
                name="いきいきサロン",
                representative="代表",
                contact_phone="0144",
                status="approved",
                applied_at=now,
                updated_at=now,
            )
        ).returning(Group.id)
    )[0]["id"]
    await GroupMember.insert(GroupMember(group=group, user=user))
    first = today()
    rows = []
    for n in range(count):
        day = first + timedelta(days=n % 360)
        start = datetime(day.year, day.month, day.day, 9 + (n // 360) % 12, tzinfo=TOKYO).astimezone(UTC)
        cancelled = n % CANCELLED_EVERY == 0
        rows.append(
            Booking(
                group=group,
                room=room,
                starts_at=start,
                ends_at=start + timedelta(minutes=50),
                purpose=f"健康体操教室 第{n + 1}回",
                status="cancelled" if cancelled else "approved",
                ical_sequence=1 if cancelled else 0,
                permit_number=f"R8-{n + 1:05d}",
                created_at=now,
                updated_at=now,
            )
        )
    for offset in range(0, len(rows), 500):
        await Booking.insert(*rows[offset : offset + 500])
    return user, group


def icalendar_alone(events) -> float:
    """The same events through icalendar directly: Events built and the calendar serialised."""
    from icalendar import Calendar, Event

    began = time.perf_counter()
    calendar = Calendar()
    calendar.add("prodid", "-//bench//EN")
    calendar.add("version", "2.0")
    for record in events:
        event = Event()
        event.add("uid", f"{record.kind}-{record.ref}@bench")
        event.add("dtstamp", record.updated_at)
        event.add("last-modified", record.updated_at)
        event.add("sequence", record.sequence)
        event.add("dtstart", record.starts)
        event.add("dtend", record.ends)
        event.add("summary", record.summary)
        event.add("status", record.status)
        event.add("location", record.location)
        event.add("description", record.description)
        event.add("url", record.url)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    calendar.to_ical()
    return time.perf_counter() - began


async def child(args: argparse.Namespace) -> dict:
    sys.path.insert(0, str(ROOT))
    import httpx

    from center.lib.db import close_pool, migrate, start_pool

    await migrate()
    await start_pool()
    try:
        user, group = await load(args.events)
        from center.app import create_app
        from center.shell.feeds import sources, tokens

        token, _ = await tokens.make_token("group", user_id=user, scope_id=group)
        app = create_app()
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        from center.shell.feeds.calendars import RENDERED

        build, again, not_modified = [], [], []
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            url = f"/feeds/t/{token}.ics"
            first = await client.get(url)
            assert first.status_code == 200, first.text[:500]
            for _ in range(args.runs):
                RENDERED.clear()
                began = time.perf_counter()
                answer = await client.get(url)
                build.append(time.perf_counter() - began)
                assert answer.status_code == 200
                began = time.perf_counter()
                repeat = await client.get(url)
                again.append(time.perf_counter() - began)
                assert repeat.content == answer.content
                began = time.perf_counter()
                unchanged = await client.get(url, headers={"If-None-Match": answer.headers["etag"]})
                not_modified.append(time.perf_counter() - began)
                assert unchanged.status_code == 304
        where, _stamp = await sources.place()
        events, _stamp = await sources.group_bookings(
            group, sources.default_window(), where, lambda *a, **k: "http://bench/x"
        )
        assert len(events) == args.events, len(events)
        alone = [icalendar_alone(events) for _ in range(args.runs)]
        return {
            "engine": args.engine,
            "bytes": len(first.content),
            "build": statistics.median(build),
            "again": statistics.median(again),
            "not_modified": statistics.median(not_modified),
            "icalendar": statistics.median(alone),
        }
    finally:
        await close_pool()


if __name__ == "__main__":
    main()
