"""/healthz: the version, the database reachable, the migrations current and the scheduler's last
run; 200 when all is well, 503 naming what is not; nothing in it a stranger should not see."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from importlib.metadata import version

import pytest
from piccolo.apps.migrations.tables import Migration
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

import piccolo_conf
import tests.conftest as harness
from center.lib.scheduler import service as scheduler
from center.lib.scheduler.tables import JobRun
from center.lib.settings import get_settings
from center.shell.ops import health

pytestmark = pytest.mark.anyio


async def job_finished(ago: timedelta) -> None:
    """The scheduler ran a job (the session clean-up) that finished `ago`."""
    (job,) = [job for job in scheduler.jobs() if job.name == "sessions.purge_expired"]
    await scheduler.run_job(job, force=True)
    await JobRun.update({JobRun.last_finished_at: datetime.now(UTC) - ago}).where(JobRun.name == job.name)


@pytest.fixture
def long_running(monkeypatch) -> None:
    """This process started long ago: no grace for a scheduler that has not run."""
    monkeypatch.setattr(health, "STARTED_AT", datetime.now(UTC) - timedelta(days=1))


async def test_healthy_the_report_says_so_with_the_version(client, long_running):
    await job_finished(timedelta(minutes=1))
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    report = response.json()
    assert report["status"] == "ok" and report["failing"] == []
    assert report["version"] == version("civic-center")
    checks = report["checks"]
    assert checks["database"] == {"ok": True}
    assert checks["migrations"] == {"ok": True, "pending": 0}
    assert checks["scheduler"]["ok"] is True
    assert 50 <= checks["scheduler"]["age_seconds"] <= 120
    last_run = datetime.fromisoformat(checks["scheduler"]["last_run"])
    assert abs((datetime.now(UTC) - timedelta(minutes=1) - last_run).total_seconds()) < 60


async def test_a_pending_migration_fails_the_report(client, long_running):
    await job_finished(timedelta(minutes=1))
    newest = (
        await Migration.select()
        .where(Migration.app_name == "center")
        .order_by(Migration.name, ascending=False)
        .first()
    )
    await Migration.delete().where(Migration.id == newest["id"])
    try:
        response = await client.get("/healthz")
    finally:
        await Migration.insert(
            Migration(name=newest["name"], app_name=newest["app_name"], ran_on=newest["ran_on"])
        )
    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "failing" and report["failing"] == ["migrations"]
    assert report["checks"]["migrations"] == {"ok": False, "pending": 1}
    assert (await client.get("/healthz")).status_code == 200


async def test_a_stale_scheduler_fails_the_report(client, long_running):
    limit = get_settings().health_scheduler_minutes
    await job_finished(timedelta(minutes=limit + 5))
    response = await client.get("/healthz")
    assert response.status_code == 503
    report = response.json()
    assert report["failing"] == ["scheduler"]
    assert report["checks"]["scheduler"]["ok"] is False
    assert report["checks"]["scheduler"]["age_seconds"] >= (limit + 5) * 60


async def test_a_scheduler_that_never_ran_fails_once_the_process_has_been_up_a_while(client, long_running):
    response = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["scheduler"] == {"ok": False, "last_run": None, "age_seconds": None}


async def test_a_process_just_started_gives_its_scheduler_time_for_the_first_run(client, monkeypatch):
    monkeypatch.setattr(health, "STARTED_AT", datetime.now(UTC) - timedelta(minutes=1))
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["scheduler"]["last_run"] is None


def unreachable(engine):
    """The same kind of database, somewhere nothing answers."""
    if isinstance(engine, PostgresEngine):
        return PostgresEngine(config={**engine.config, "host": "127.0.0.1", "port": 9, "timeout": 1})
    return SQLiteEngine(path="/nonexistent-folder/center.sqlite3")


async def test_an_unreachable_database_fails_the_report_without_saying_where_it_is(client, db, caplog):
    working = piccolo_conf.DB
    harness.activate(unreachable(working))
    try:
        response = await client.get("/healthz")
    finally:
        harness.activate(working)
    assert response.status_code == 503
    report = response.json()
    assert report["failing"] == ["database"]
    assert report["checks"]["database"] == {"ok": False, "error": "unavailable"}
    assert report["checks"]["migrations"]["ok"] is None
    text = response.text
    for secret in (
        "nonexistent-folder",
        "sqlite",
        "postgres",
        "127.0.0.1",
        str(get_settings().data_dir),
        "Error",
    ):
        assert secret not in text
    # The reason is in the log, for the staff.
    assert any(r.name == "center.health" and r.exc_info for r in caplog.records)


async def test_a_database_that_does_not_answer_in_time_fails_as_a_timeout(client, monkeypatch):
    async def hangs():
        await asyncio.sleep(5)
        return {"ok": True}

    monkeypatch.setattr(health, "TIMEOUT_SECONDS", 0.05)
    monkeypatch.setattr(health, "check_database", hangs)
    response = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "error": "timeout"}


async def test_the_report_holds_no_paths_or_connection_details(client, long_running):
    await job_finished(timedelta(minutes=1))
    text = (await client.get("/healthz")).text
    assert "/" not in text  # no path, no URL (the times are ISO 8601)
    assert "sqlite" not in text and "postgres" not in text and "secret" not in text.lower()
