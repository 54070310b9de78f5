"""The cost of the data-version check (center.lib.versions.current) on SQLite, in process.

    .venv/bin/python benchmarks/bench_versions.py [--runs 2000]

A fresh, migrated SQLite database in a temporary folder; then, after a warm-up, it times
`current()` alone (outside any transaction, as the conditional GET of a visitor's page reads it)
and a visitor's conditional GET answered 304 through the ASGI app (GET /api/availability with the
ETag of a first answer), and counts the SQLite connections opened per request. Prints the median,
the 90th and the 95th percentile in microseconds. BENCH_PAUSE=0.003 sleeps that many seconds
between requests (not timed): on a busy shared CPU a loop that never waits is preempted mid-request
by the scheduler, which swamps the tail figures.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

PAUSE = float(os.environ.get("BENCH_PAUSE", "0"))
ROOT = Path(__file__).resolve().parents[1]


def _figures(label: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p90, p95 = (ordered[int(len(ordered) * share) - 1] * 1e6 for share in (0.90, 0.95))
    return (
        f"{label:<42} median {statistics.median(ordered) * 1e6:8.1f} us   p90 {p90:8.1f} us"
        f"   p95 {p95:8.1f} us"
    )


async def _measure(runs: int) -> None:
    import httpx

    from center.app import create_app
    from center.lib import versions
    from center.lib.db import migrate
    from center.lib.sqlite_engine import TunedSQLiteEngine

    await migrate()
    opened = 0
    original = TunedSQLiteEngine.get_connection

    async def counting(self):  # type: ignore[no-untyped-def]
        nonlocal opened
        opened += 1
        return await original(self)

    TunedSQLiteEngine.get_connection = counting  # type: ignore[method-assign]

    for _ in range(50):
        await versions.current()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await versions.current()
        samples.append(time.perf_counter() - started)
    print(_figures("versions.current()", samples))

    app = create_app()
    logging.disable(logging.INFO)  # the access log of thousands of requests
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        url = "/api/availability?from=2030-01-07&to=2030-01-13"
        await client.get(url)  # the CSRF cookie, which the ETag covers
        headers = {"If-None-Match": (await client.get(url)).headers["ETag"]}
        for _ in range(50):
            await client.get(url, headers=headers)
        opened = 0
        samples = []
        while len(samples) < runs:
            before = opened
            started = time.perf_counter()
            answer = await client.get(url, headers=headers)
            elapsed = time.perf_counter() - started
            if answer.status_code != 304:  # the minute turned: a new ETag
                assert answer.status_code == 200, answer.text[:300]
                headers = {"If-None-Match": answer.headers["ETag"]}
                opened = before
                continue
            samples.append(elapsed)
            await asyncio.sleep(PAUSE)  # not timed: a pause between requests, as between visitors
        print(_figures("visitor's conditional GET answered 304", samples))
        print(f"{'SQLite connections opened per 304':<42} {opened / runs:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    os.environ.update(
        CENTER_DATA_DIR=tempfile.mkdtemp(prefix="center-bench-versions-"),
        CENTER_SECRET_KEY="benchmark-secret-key",
        CENTER_SCHEDULER="0",
        CENTER_DEMO="0",
    )
    os.environ.pop("CENTER_DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    asyncio.run(_measure(args.runs))


if __name__ == "__main__":
    main()
