"""Jobs exactly once across processes: four real server processes (uvicorn, each with the
scheduler on, polling every 0.2 s, every job due every 3 s) share one database. Every due time of
every job runs once (one run per (job, due time), never two runs of a job at once, and the runs
spread over the processes); requests lapse once each; every notice's e-mail reaches the SMTP server
(stopped for a while in the middle) exactly once and in order; each backup run leaves one file.
On PostgreSQL, and on SQLite (one host, one file) too."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import httpx
import pytest
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

import piccolo_conf
from bookings.tables import Booking
from center.lib.db import migrate
from center.lib.scheduler.tables import JobClaim
from center.lib.settings import BASE_DIR, get_settings
from center.notices.delivery import message_id
from center.notices.tables import Notice, OutboxMessage
from center.shell.backup.daily import backups
from tests.center.test_backup import need_tool
from tests.center.test_mail_outage import Mailbox
from tests.center.test_notices import free_port
from tests.conftest import activate
from tests.jobs_support import (
    book,
    create_pg_database,
    drop_pg_database,
    free_requests,
    small_center,
    wait_for,
)

EVERY = timedelta(seconds=3)
PROCESSES = 4


def _start_servers(
    tmp_path: Path, database_url: str, smtp_port: int, ports: list[int]
) -> list[subprocess.Popen]:
    env = {
        **os.environ,
        "CENTER_DATA_DIR": str(tmp_path / "data"),
        "CENTER_SECRET_KEY": "test-secret-key-not-for-production",
        "CENTER_CHEAP_PASSWORD_HASH": "1",
        "CENTER_DEMO": "0",
        "CENTER_SCHEDULER": "1",
        "CENTER_SCHEDULER_INTERVAL": "0.2",
        "CENTER_JOB_EVERY": f"*={EVERY.total_seconds():g}s",
        "CENTER_BACKUP_DIR": str(tmp_path / "backups"),
        "CENTER_BACKUP_KEEP": "1000",
        "CENTER_SMTP_HOST": "127.0.0.1",
        "CENTER_SMTP_PORT": str(smtp_port),
        "CENTER_MAIL_BACKOFF": "2s,4s",  # retries after an outage in seconds, not minutes
    }
    env.pop("CENTER_DATABASE_URL", None)
    if database_url:
        env["CENTER_DATABASE_URL"] = database_url
    servers = []
    for n, port in enumerate(ports):
        log = (tmp_path / f"server{n}.log").open("w")
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "center.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
        ]
        servers.append(
            subprocess.Popen(
                [*command, f"--port={port}", "--log-level=warning"],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    return servers


def _stop(servers: list[subprocess.Popen]) -> None:
    for server in servers:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
    for server in servers:
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def _wait_until_serving(servers: list[subprocess.Popen], ports: list[int]) -> None:
    deadline = time.monotonic() + 300
    for server, port in zip(servers, ports, strict=True):
        while True:
            assert server.poll() is None, "a server process stopped"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the servers did not answer /healthz within 300 s"
            time.sleep(0.2)


async def _target(kind: str, tmp_path: Path):
    """A fresh, migrated database the servers and this test share: (engine, URL, cleanup)."""
    if kind == "sqlite":
        (tmp_path / "data").mkdir()
        engine = SQLiteEngine(path=str(tmp_path / "data" / "center.sqlite3"), timeout=30)
        return engine, "", None
    name, config = await create_pg_database()
    user, host, port = config["user"], config["host"], config["port"]
    return PostgresEngine(config=config), f"postgresql://{user}@{host}:{port}/{name}", name


@pytest.fixture
def smtp_controller():
    from aiosmtpd.controller import Controller

    port, box = free_port(), Mailbox()
    controllers = [Controller(box, hostname="127.0.0.1", port=port)]
    controllers[0].start()
    yield port, box, controllers
    for controller in controllers:
        if controller._thread is not None:
            controller.stop()


def test_four_server_processes_run_each_due_job_once(engine, tmp_path, monkeypatch, smtp_controller):
    if engine == "postgres":
        need_tool("pg_dump")
    smtp_port, box, controllers = smtp_controller
    monkeypatch.setenv("CENTER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CENTER_SMTP_PORT", str(smtp_port))
    get_settings.cache_clear()
    target, url, pg_name = asyncio.run(_target(engine, tmp_path))
    session_engine = piccolo_conf.DB
    activate(target)
    servers: list[subprocess.Popen] = []
    try:
        asyncio.run(_drill(engine, tmp_path, url, smtp_port, box, controllers, servers))
    finally:
        _stop(servers)
        activate(session_engine)
        if pg_name:
            asyncio.run(drop_pg_database(pg_name))
        monkeypatch.undo()
        get_settings.cache_clear()


async def _drill(engine, tmp_path, url, smtp_port, box, controllers, servers) -> None:
    from aiosmtpd.controller import Controller

    await migrate()
    center = await small_center(rooms=2)
    requests = iter(free_requests(center))
    lapsing = [await book(center, next(requests)) for _ in range(8)]
    await Booking.update({Booking.lapses_at: datetime.now(UTC) - timedelta(minutes=1)}).where(
        Booking.id.is_in(lapsing)
    )
    ports = [free_port() for _ in range(PROCESSES)]
    servers.extend(_start_servers(tmp_path, url, smtp_port, ports))
    await asyncio.to_thread(_wait_until_serving, servers, ports)

    controllers[-1].stop()  # the mail server goes down for a while; notices keep coming
    later = [await book(center, next(requests)) for _ in range(4)]
    await asyncio.sleep(4 * EVERY.total_seconds())
    assert await OutboxMessage.count().where(OutboxMessage.status == "pending") >= 4
    controllers.append(Controller(box, hostname="127.0.0.1", port=smtp_port))
    controllers[-1].start()

    async def quiet() -> bool:
        return (
            await OutboxMessage.count().where(OutboxMessage.status != "sent") == 0
            and await Booking.count().where(Booking.id.is_in(lapsing) & (Booking.status != "lapsed")) == 0
            and await JobClaim.count().where(JobClaim.job == "center.shell.backup") >= 3
        )

    await wait_for(quiet, seconds=120)
    await asyncio.sleep(2 * EVERY.total_seconds())
    _stop(servers)
    await _check_runs()
    await _check_effects(tmp_path, box, lapsing, later)
    for n in range(PROCESSES):  # no job failed and no server logged an error
        assert "Traceback" not in (tmp_path / f"server{n}.log").read_text()


async def _check_runs() -> None:
    runs = await JobClaim.select().where(JobClaim.finished_at.is_not_null()).order_by(JobClaim.started_at)
    by_job = defaultdict(list)
    for run in runs:
        by_job[run["job"]].append(run)
    assert len(by_job) == 9, sorted(by_job)  # every registered job ran
    assert all(run["ok"] and run["attempts"] == 1 for run in runs), [r for r in runs if not r["ok"]]
    assert len({run["claimed_by"] for run in runs}) >= 2, "the runs did not spread over the processes"
    for job, job_runs in by_job.items():
        dues = sorted(run["due_at"] for run in job_runs)
        assert len(dues) == len(set(dues)), f"{job} ran twice for one due time"
        # Never two runs of one job at once: each started after the one before had finished.
        for before, after in pairwise(job_runs):
            assert after["started_at"] >= before["finished_at"], f"{job}: runs overlap"
        # Every run is for a due time on the job's grid, and the job kept running. (A due time that
        # passes while every process is busy is skipped by design: the next one runs instead.)
        assert all((due - dues[0]) % EVERY == timedelta(0) for due in dues), f"{job}: off the grid"
        assert len(dues) >= 3, f"{job} ran only {len(dues)} time(s)"


async def _check_effects(tmp_path, box, lapsing, later) -> None:
    lapse_notices = await Notice.select(Notice.entity_id).where(Notice.kind == "booking.lapse")
    assert Counter(row["entity_id"] for row in lapse_notices) == Counter(str(b) for b in lapsing)
    outbox = await OutboxMessage.select(OutboxMessage.id, OutboxMessage.status).order_by(OutboxMessage.id)
    assert len(outbox) == len(lapsing) * 2 + len(later)  # a notice for each request and each lapse
    assert {row["status"] for row in outbox} == {"sent"}
    assert box.message_ids == [message_id(row) for row in outbox]  # exactly once each, in order
    backup_runs = await JobClaim.select().where(
        (JobClaim.job == "center.shell.backup") & JobClaim.finished_at.is_not_null()
    )
    files = backups(tmp_path / "backups")
    assert len(files) == len(backup_runs) == len({path.name for path in files})
    assert all(run["summary"].startswith("file=center-") for run in backup_runs)
    assert {run["summary"].split(",")[0].removeprefix("file=") for run in backup_runs} == {
        p.name for p in files
    }
