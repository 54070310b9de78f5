"""Throughput of the real server against bare Litestar, in one run (a script, not a test).

    .venv/bin/python benchmarks/bench_http.py [--engine sqlite|postgres|both] [--workers 1,4]
        [--bookings 30000] [--duration 10] [--root DIR] [--pg-url postgresql://...]

For each engine a fresh database (a temporary SQLite file, or a new PostgreSQL database dropped
afterwards) gets the demo center, three more rooms (12 bookable) and --bookings of history from
bench_bookings.py's loader. Then the real server (`center run`, uvicorn, --workers processes each in
turn) serves it, and a bare Litestar+Jinja app of the same grid size (benchmarks/bare_app.py) is run
beside it. Each request is driven for --duration seconds by wrk (Debian's `wrk` package: 2
threads, 16 connections) when installed, else by an async httpx client with 16 connections. It
prints req/s, p50 and p99 per request and the ratio of req/s to the bare app's grid (pages) or
"hello" (/healthz and the 304 answers), each measured just before the request (the bare app stays
up for the whole run), so a shared machine's drifting speed does not skew the ratios.

--root serves another checkout of the code (e.g. an exported older commit) with this script's
loader and load generator, so "before" and "after" are measured the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_PG = os.environ.get("CENTER_TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
CONNECTIONS = 16
THREADS = 2


def _requests(today: date) -> list[tuple[str, str, str, bool]]:
    """(key, label, path, conditional): conditional ones are sent with the ETag of a first GET."""
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    week = monday.isoformat()
    api = f"/api/availability?from={week}&to={(monday + timedelta(days=6)).isoformat()}"
    return [
        ("grid", "week grid, all rooms", f"/availability?week={week}", False),
        ("grid304", "week grid, 304", f"/availability?week={week}", True),
        ("api", "availability API, a week", api, False),
        ("feed", "public feed", "/feeds/public.ics", False),
        ("feed304", "public feed, 304", "/feeds/public.ics", True),
        ("home", "home page", "/", False),
        ("health", "/healthz", "/healthz", False),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--workers", default="1,4", help="server processes, comma-separated (1,4)")
    parser.add_argument("--bookings", type=int, default=30_000, help="history size (default 30000)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per request (default 10)")
    parser.add_argument("--root", default=str(ROOT), help="the checkout to serve (default this one)")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="PostgreSQL server for the database")
    parser.add_argument("--only", default="", help="request keys to run, comma-separated (all)")
    parser.add_argument("--load-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.root = str(Path(args.root).resolve())
    if args.load_child:
        asyncio.run(_load(args.bookings))
        return
    sys.path.insert(0, str(ROOT))
    tool = "wrk" if shutil.which("wrk") else "httpx"
    print(f"load generator: {tool}, {CONNECTIONS} connections, {args.duration} s per request")
    print(f"serving: {args.root}", flush=True)
    results: dict[tuple[str, int], dict[str, tuple[float, float, float]]] = {}
    bare_command = [
        sys.executable,
        "-m",
        "uvicorn",
        "benchmarks.bare_app:app",
        "--port",
        "{port}",
        "--log-level",
        "warning",
    ]
    engines = ("sqlite", "postgres") if args.engine == "both" else (args.engine,)
    workers = [int(value) for value in args.workers.split(",") if value]
    only = {key for key in args.only.split(",") if key}
    # The bare app stays up for the whole run: each request's ratio is taken against the bare
    # reference measured just before it, so a machine whose speed drifts over the minutes of a run
    # (a shared host) does not skew the ratios.
    with _serving(bare_command, ROOT, dict(os.environ, PYTHONPATH=str(ROOT))) as bare_port:
        bare = {
            "grid": _drive(tool, bare_port, "/grid", args.duration),
            "hello": _drive(tool, bare_port, "/hello", args.duration),
        }
        for engine in engines:
            with _database(engine, args) as env:
                for count in workers:
                    print(f"{engine}, {count} worker(s) ...", flush=True)
                    results[(engine, count)] = _with_server(
                        server_command(count),
                        Path(args.root),
                        env,
                        lambda port: _drive_all(tool, port, args.duration, only, bare_port),
                    )
                    for key, figures in results[(engine, count)].items():
                        print(
                            f"  {key}: {_cell(figures[:3])} (bare {_base_path(key)}: {figures[3]:,.1f} req/s)"
                        )
    _print(bare, results, engines, workers)


# --- databases ---------------------------------------------------------------------------------------


class _database:
    """A fresh database with the history loaded; yields the server's environment."""

    def __init__(self, engine: str, args: argparse.Namespace) -> None:
        self.engine, self.args = engine, args
        self.data_dir = tempfile.mkdtemp(prefix="center-bench-http-")
        self.database: str | None = None

    def __enter__(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("CENTER_")}
        env.update(
            CENTER_DATA_DIR=self.data_dir,
            CENTER_SECRET_KEY="benchmark-secret-key",
            CENTER_CHEAP_PASSWORD_HASH="1",
            CENTER_DEMO="1",
            CENTER_SCHEDULER="0",
            PYTHONPATH=os.pathsep.join([self.args.root, str(HERE)]),
        )
        if self.engine == "postgres":
            self.database = f"center_bench_{secrets.token_hex(4)}"
            asyncio.run(_pg_admin(self.args.pg_url, f'CREATE DATABASE "{self.database}"'))
            url = urlparse(self.args.pg_url)._replace(path=f"/{self.database}")
            env["CENTER_DATABASE_URL"] = urlunparse(url)
        began = time.perf_counter()
        command = [sys.executable, __file__, "--load-child", "--bookings", str(self.args.bookings)]
        loaded = subprocess.run(command, cwd=self.args.root, env=env, capture_output=True, text=True)
        if loaded.returncode != 0:
            self.__exit__()
            sys.exit(f"loading the {self.engine} database failed:\n{loaded.stderr[-6000:]}")
        seconds = time.perf_counter() - began
        print(f"{self.engine}: {self.args.bookings:,} bookings loaded in {seconds:.0f} s", flush=True)
        return env

    def __exit__(self, *exc_info: object) -> None:
        shutil.rmtree(self.data_dir, ignore_errors=True)
        if self.database:
            drop = f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'
            asyncio.run(_pg_admin(self.args.pg_url, drop))


async def _pg_admin(url: str, sql: str) -> None:
    import asyncpg

    from center.lib.db import postgres_config

    connection = await asyncpg.connect(**postgres_config(url))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


# Where modules lived before the layers of issue 13 (commit 2f3c2d3 and older), so --root can load
# an older checkout's database with this loader.
_OLD_LAYOUT = {
    "center.lib.db": "center.db",
    "center.lib.dates": "center.dates",
    "center.shell.demo": "center.demo",
    "center.web.pdf": "center.pdf",
}


def _alias_old_layout() -> None:
    import importlib
    import importlib.util
    import types

    if importlib.util.find_spec("center.lib") is not None:
        return
    for package in ("center.lib", "center.shell"):
        sys.modules.setdefault(package, types.ModuleType(package))
    for new, old in _OLD_LAYOUT.items():
        sys.modules[new] = importlib.import_module(old)


async def _load(count: int) -> None:
    """In the child, with the served checkout first on the path: the bench_bookings history."""
    import bench_bookings

    _alias_old_layout()

    from center.lib.db import migrate
    from center.shell.demo import load_demo

    await migrate()
    await load_demo()
    await bench_bookings.add_rooms()
    await bench_bookings.load_history(count)
    await bench_bookings.analyze()


def server_command(workers: int) -> list[str]:
    """`center run` with this many uvicorn workers; "{port}" is filled in by _with_server."""
    run = "import sys; from center.cli import main; sys.exit(main())"
    return [sys.executable, "-c", run, "run", "--port", "{port}", "--workers", str(workers)]


# --- servers and load --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _serving(command: list[str], cwd: Path, env: dict[str, str]) -> Iterator[int]:
    """A server started from `command` ("{port}" filled in) until the block ends; yields its port."""
    port = _free_port()
    command = [part.replace("{port}", str(port)) for part in command]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_up(port, server, log)
            yield port
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


def _with_server(command: list[str], cwd: Path, env: dict[str, str], work):
    with _serving(command, cwd, env) as port:
        return work(port)


def _wait_up(port: int, server: subprocess.Popen, log) -> None:
    import httpx

    deadline = time.monotonic() + 600  # migrations and the PDF warm-up, on a shared CPU
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            sys.exit(f"the server stopped:\n{log.read().decode(errors='replace')[-4000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=5).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    sys.exit("the server did not come up within ten minutes")


def _base_path(key: str) -> str:
    """The bare app's request a request is compared with: "hello" for the 304s and /healthz."""
    return "/hello" if key in {"health", "grid304", "feed304"} else "/grid"


def _drive_all(
    tool: str, port: int, duration: int, only: set[str], bare_port: int
) -> dict[str, tuple[float, float, float, float]]:
    """(req/s, p50, p99, the bare reference's req/s measured just before) per request."""
    import httpx

    from center.lib.dates import today

    measured = {}
    for key, _, path, conditional in _requests(today()):
        if only and key not in only:
            continue
        headers = {}
        if conditional:
            # As a browser: the page's CSRF token is its cookie's, so the cookie goes along.
            first = httpx.get(f"http://127.0.0.1:{port}{path}", timeout=30)
            if token := first.cookies.get("csrftoken"):
                headers["Cookie"] = f"csrftoken={token}"
                first = httpx.get(f"http://127.0.0.1:{port}{path}", headers=headers, timeout=30)
            etag = first.headers.get("etag")
            check = {**headers, "If-None-Match": etag or ""}
            if (
                not etag
                or httpx.get(f"http://127.0.0.1:{port}{path}", headers=check, timeout=30).status_code != 304
            ):
                continue  # no conditional GET here
            headers["If-None-Match"] = etag
        for _ in range(3):  # warm up
            httpx.get(f"http://127.0.0.1:{port}{path}", headers=headers, timeout=30)
        reference = _drive(tool, bare_port, _base_path(key), duration)[0]
        measured[key] = (*_drive(tool, port, path, duration, headers), reference)
    return measured


def _drive(tool: str, port: int, path: str, duration: int, headers: dict[str, str] | None = None):
    """(req/s, p50 ms, p99 ms) for `duration` seconds of load on one path."""
    url = f"http://127.0.0.1:{port}{path}"
    if tool == "wrk":
        command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration}s", "--latency"]
        command += ["--timeout", "30s"]  # a slow answer is measured, not dropped
        for name, value in (headers or {}).items():
            command += ["-H", f"{name}: {value}"]
        output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
        return _parse_wrk(output)
    return asyncio.run(_drive_httpx(url, duration, headers or {}))


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _parse_wrk(output: str) -> tuple[float, float, float]:
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))

    def percentile(label: str) -> float:
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        return float(found.group(1)) * UNITS[found.group(2)] if found else float("nan")

    if re.search(r"Non-2xx or 3xx responses", output):
        print(f"  warning: some answers were errors:\n{output}")
    return rate, percentile("50"), percentile("99")


async def _drive_httpx(url: str, duration: int, headers: dict[str, str]) -> tuple[float, float, float]:
    import httpx

    latencies: list[float] = []
    limits = httpx.Limits(max_connections=CONNECTIONS)
    async with httpx.AsyncClient(limits=limits, headers=headers, timeout=60) as client:
        stop = time.perf_counter() + duration

        async def one_connection() -> None:
            while time.perf_counter() < stop:
                began = time.perf_counter()
                await client.get(url)
                latencies.append((time.perf_counter() - began) * 1000)

        began = time.perf_counter()
        await asyncio.gather(*(one_connection() for _ in range(CONNECTIONS)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return len(latencies) / elapsed, statistics.median(latencies), p99


# --- the table ---------------------------------------------------------------------------------------


def _print(bare: dict, results: dict, engines: tuple[str, ...], workers: list[int]) -> None:
    from center.lib.dates import today

    bare_grid, bare_hello = bare["grid"][0], bare["hello"][0]
    print()
    print(f"bare Litestar: grid {_cell(bare['grid'])}; hello {_cell(bare['hello'])}")
    columns = [(engine, count) for engine in engines for count in workers]
    header = f"| request | {' | '.join(f'{engine} ×{count}' for engine, count in columns)} |"
    print(header)
    print("| --- " * (len(columns) + 1) + "|")
    for key, label, _, _ in _requests(today()):
        base = bare_hello if _base_path(key) == "/hello" else bare_grid
        row = []
        for column in columns:
            figures = results[column].get(key)
            if figures:
                row.append(
                    f"{_cell(figures[:3])} = {figures[0] / figures[3]:.2f}× ({figures[0] / base:.2f}×)"
                )
            else:
                row.append("–")
        print(f"| {label} | {' | '.join(row)} |")
    print(
        'ratio: req/s over the bare grid\'s (over bare "hello" for /healthz and the 304s), measured just'
        " before the request; in brackets, over the bare figures measured once at the start"
    )


def _cell(figures: tuple[float, float, float]) -> str:
    rate, p50, p99 = figures
    return f"{rate:,.1f} req/s (p50 {p50:.1f} ms, p99 {p99:.1f} ms)"


if __name__ == "__main__":
    main()
