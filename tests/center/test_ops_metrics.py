"""/metrics: only for managers and the configured addresses; request latency by route template,
job runs and failures, the mail outbox's depth and oldest age, the backups' age; with several
worker processes the latencies of all of them are added up."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from center.lib.scheduler import service as scheduler
from center.lib.settings import BASE_DIR, get_settings
from center.notices.tables import OutboxMessage
from center.shell.ops import facts, web
from tests.helpers import client_at, login, make_user

pytestmark = pytest.mark.anyio


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """{(sample name, sorted labels): value} from the exposition text."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def allow(monkeypatch, *entries: str) -> None:
    settings = dataclasses.replace(get_settings(), metrics_allow=entries)
    monkeypatch.setattr(web, "get_settings", lambda: settings)


async def test_visitors_members_and_other_staff_find_no_metrics(client, app):
    assert (await client.get("/metrics")).status_code == 404
    for name, roles in (("member1", ()), ("desk1", ("front_desk",)), ("fac1", ("facilities",))):
        await make_user(name, roles)
        async with client_at(app, "127.0.0.1") as other:
            await login(other, name)
            assert (await other.get("/metrics")).status_code == 404, name


async def test_a_manager_reads_the_metrics(client):
    await make_user("boss", ("manager",))
    await login(client, "boss")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert ("center_info", (("version", web.metrics.package_version()),)) in samples(response.text)


async def test_a_listed_address_reads_them_without_signing_in_and_others_do_not(db, app, monkeypatch):
    allow(monkeypatch, "10.0.0.0/8", "192.0.2.7")
    for address, status in (("10.1.2.3", 200), ("192.0.2.7", 200), ("192.0.2.8", 404), ("127.0.0.1", 404)):
        async with client_at(app, address) as scraper:
            assert (await scraper.get("/metrics")).status_code == status, address


def test_a_wrong_allow_list_entry_is_refused_with_its_text():
    with pytest.raises(ValueError, match=r"'10\.0\.0\.0/33'"):
        web.allowed_networks(("10.0.0.0/33",))


async def test_latency_is_counted_by_route_template_method_and_status_class(db, app, monkeypatch):
    allow(monkeypatch, "10.0.0.0/8")
    async with client_at(app, "10.0.0.9") as scraper:
        before = samples((await scraper.get("/metrics")).text)
        for code in ("no-such-room-1", "no-such-room-2", "no-such-room-3"):
            assert (await scraper.get(f"/rooms/{code}")).status_code == 404
        await scraper.get("/no/such/page")
        await scraper.get("/livez")
        after = samples((await scraper.get("/metrics")).text)
    count = "center_http_request_duration_seconds_count"

    def added(labels: dict[str, str]) -> float:
        key = (count, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert added({"route": "/rooms/{code}", "method": "GET", "status": "4xx"}) == 3
    assert added({"route": "(unmatched)", "method": "GET", "status": "4xx"}) == 1
    assert added({"route": "/livez", "method": "GET", "status": "2xx"}) == 1
    assert not any("no-such-room" in str(labels) for _, labels in after)


async def _outbox(status: str, age: timedelta) -> None:
    created = datetime.now(UTC) - age
    await OutboxMessage.insert(
        OutboxMessage(
            to_address="a@example.org",
            subject="s",
            status=status,
            next_attempt_at=created,
            created_at=created,
        )
    )


async def test_jobs_the_outbox_and_the_backups_are_read_at_scrape_time(db, app, monkeypatch, tmp_path):
    allow(monkeypatch, "10.0.0.0/8")

    async def fails(now):
        raise RuntimeError("the mail server is away")

    async def works(now):
        return {"done": 1}

    monkeypatch.setitem(scheduler._JOBS, "test.fails", scheduler.Job("test.fails", timedelta(hours=1), fails))
    monkeypatch.setitem(scheduler._JOBS, "test.works", scheduler.Job("test.works", timedelta(hours=1), works))
    for _ in range(2):
        await scheduler.run_job(scheduler._JOBS["test.fails"], force=True)
    await scheduler.run_job(scheduler._JOBS["test.works"], force=True)
    await _outbox("pending", timedelta(hours=1))
    await _outbox("pending", timedelta(minutes=5))
    await _outbox("sent", timedelta(days=2))
    await _outbox("failed", timedelta(days=1))
    backups = tmp_path / "backups"
    backups.mkdir()
    old, new = backups / "center-20261201-030000.sqlite3", backups / "center-20261203-030000.dump"
    for path, hours in ((old, 50), (new, 2)):
        path.write_bytes(b"x")
        os.utime(path, (time.time() - hours * 3600,) * 2)
    (backups / ".center-20261204-030000.dump.partial").write_bytes(b"x")  # unfinished: not counted
    monkeypatch.setattr(facts, "backup_folder", lambda: backups)

    async with client_at(app, "10.0.0.9") as scraper:
        found = samples((await scraper.get("/metrics")).text)
    job = lambda name: (("job", name),)  # noqa: E731
    assert found[("center_job_runs_total", job("test.fails"))] == 2
    assert found[("center_job_failures_total", job("test.fails"))] == 2
    assert found[("center_job_last_success", job("test.fails"))] == 0
    assert found[("center_job_runs_total", job("test.works"))] == 1
    assert found[("center_job_failures_total", job("test.works"))] == 0
    assert found[("center_job_last_success", job("test.works"))] == 1
    assert abs(found[("center_job_last_finished_timestamp_seconds", job("test.works"))] - time.time()) < 120
    assert found[("center_job_runs_total", job("notices.deliver_mail"))] == 0  # registered, never run
    assert found[("center_mail_outbox_pending", ())] == 2
    assert 3500 < found[("center_mail_outbox_oldest_pending_age_seconds", ())] < 3700
    assert found[("center_mail_outbox_failed", ())] == 1
    assert found[("center_backup_files", ())] == 2
    assert 2 * 3600 - 60 < found[("center_backup_newest_age_seconds", ())] < 2 * 3600 + 60


async def test_without_backups_the_age_is_absent_and_an_empty_outbox_is_zero(db, app, monkeypatch, tmp_path):
    allow(monkeypatch, "10.0.0.0/8")
    monkeypatch.setattr(facts, "backup_folder", lambda: tmp_path / "none-yet")
    async with client_at(app, "10.0.0.9") as scraper:
        found = samples((await scraper.get("/metrics")).text)
    assert found[("center_backup_files", ())] == 0
    assert not any(name == "center_backup_newest_age_seconds" for name, _ in found)
    assert found[("center_mail_outbox_pending", ())] == 0
    assert found[("center_mail_outbox_oldest_pending_age_seconds", ())] == 0


OBSERVE = """
from center.shell.ops import metrics
for _ in range({n}):
    metrics.observe_request("/rooms/{{code}}", "GET", "2xx", 0.02)
"""

SCRAPE = """
from datetime import UTC, datetime
from center.shell.ops import metrics
from center.shell.ops.facts import BackupFact, Facts, OutboxFact
facts = Facts(jobs=[], outbox=OutboxFact(0, None, 0), backups=BackupFact(0, None), now=datetime.now(UTC))
print(metrics.render(facts).decode())
"""


def _python(code: str, folder: Path) -> str:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_with_several_workers_every_process_is_counted_whichever_answers(tmp_path):
    # Two "workers" answer requests and exit; a third answers the scrape: it sees all five.
    _python(OBSERVE.format(n=2), tmp_path)
    _python(OBSERVE.format(n=3), tmp_path)
    found = samples(_python(SCRAPE, tmp_path))
    labels = (("method", "GET"), ("route", "/rooms/{code}"), ("status", "2xx"))
    assert found[("center_http_request_duration_seconds_count", labels)] == 5
    assert ("center_mail_outbox_pending", ()) in found


def test_center_run_with_workers_shares_the_metrics_folder(monkeypatch, tmp_path):
    from center import cli

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "")  # unset for the command; restored afterwards
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "counter_123.db").write_bytes(b"stale")
    cli._share_metrics_between_workers(tmp_path)
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(tmp_path / "metrics")
    assert list((tmp_path / "metrics").iterdir()) == []  # a new start counts afresh


def test_center_run_serves_with_its_own_log_config_without_uvicorns_access_log(db, monkeypatch, tmp_path):
    import uvicorn
    from click.testing import CliRunner

    from center import cli

    seen: dict = {}
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "")  # unset for the command; restored afterwards
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: seen.update(kwargs))
    settings = dataclasses.replace(get_settings(), data_dir=tmp_path, demo=False, log_format="json")
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    result = CliRunner().invoke(cli.main, ["run", "--workers", "2", "--port", "8999"])
    assert result.exit_code == 0, result.output
    assert seen["workers"] == 2 and seen["access_log"] is False
    handler = seen["log_config"]["handlers"]["center"]
    assert handler["()"].endswith("StderrHandler")
    assert seen["log_config"]["formatters"]["center"]["()"].endswith("JsonFormatter")
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(tmp_path / "metrics")
