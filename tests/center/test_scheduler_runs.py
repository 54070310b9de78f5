"""The scheduler's due times, its run records, crash take-over, and the daily backup job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from center.lib.dates import TOKYO
from center.lib.scheduler import service as scheduler
from center.lib.scheduler.tables import JobClaim
from center.lib.scheduler.timing import due_time, parse_duration, parse_every, parse_time_of_day
from center.lib.settings import get_settings
from center.shell.backup.daily import backups, prune
from center.shell.jobs import register_jobs

pytestmark = pytest.mark.anyio


def test_due_times_sit_on_a_grid_in_tokyo_time():
    now = datetime(2026, 12, 4, 19, 7, 30, tzinfo=UTC)  # 04:07:30 on the 5th in Tokyo
    assert due_time(now, timedelta(minutes=5)) == datetime(2026, 12, 4, 19, 5, tzinfo=UTC)
    daily = due_time(now, timedelta(days=1), parse_time_of_day("03:00"))
    assert daily.astimezone(TOKYO) == datetime(2026, 12, 5, 3, 0, tzinfo=TOKYO)
    before_three = due_time(now - timedelta(hours=2), timedelta(days=1), parse_time_of_day("03:00"))
    assert before_three.astimezone(TOKYO) == datetime(2026, 12, 4, 3, 0, tzinfo=TOKYO)


def test_job_settings_are_parsed_or_refused():
    assert parse_every("notices.deliver_mail=30s, *=2h") == {
        "notices.deliver_mail": timedelta(seconds=30),
        "*": timedelta(hours=2),
    }
    assert parse_duration("1.5s") == timedelta(seconds=1.5) and parse_duration("1d") == timedelta(days=1)
    for bad in ("5", "0s", "-1m", "1w"):
        with pytest.raises(ValueError):
            parse_duration(bad)
    with pytest.raises(ValueError):
        parse_every("deliver_mail")
    with pytest.raises(ValueError):
        parse_time_of_day("25:00")


def test_the_daily_backup_is_registered_at_its_time(monkeypatch):
    monkeypatch.setenv("CENTER_BACKUP_AT", "02:30")
    get_settings.cache_clear()
    try:
        register_jobs()
        job = scheduler._JOBS["center.shell.backup"]
        assert job.every == timedelta(days=1) and job.lease >= timedelta(hours=1)
        due = job.due_at(datetime(2026, 12, 4, 18, 0, tzinfo=UTC))  # 03:00 on the 5th in Tokyo
        assert due.astimezone(TOKYO) == datetime(2026, 12, 5, 2, 30, tzinfo=TOKYO)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
        register_jobs()


def test_pruning_keeps_the_newest_backups_and_touches_nothing_else(tmp_path):
    names = [
        "center-20261201-030000.sqlite3",
        "center-20261202-030000.sqlite3",
        "center-20261202-030000-2.sqlite3",
        "center-20261203-030000.dump",
        "center-20261204-030000.sqlite3",
    ]
    for name in [*names, "notes.txt", "center-latest.sqlite3"]:
        (tmp_path / name).write_text(name)
    assert [path.name for path in backups(tmp_path)] == names
    deleted = prune(2, tmp_path)
    assert [path.name for path in deleted] == names[:3]
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [*names[3:], "notes.txt", "center-latest.sqlite3"]
    )
    assert prune(0, tmp_path) == [tmp_path / names[3]]  # at least one is always kept


async def test_a_crashed_run_is_taken_over_after_its_lease_and_recorded(db):
    calls = []

    async def job(now):
        calls.append(now)
        return {"done": len(calls)}

    scheduler.register("test.crash", timedelta(hours=1), job, lease=timedelta(minutes=10))
    try:
        entry = scheduler._JOBS["test.crash"]
        now = entry.due_at(datetime.now(UTC)) + timedelta(minutes=1)
        # A process claimed this due time and died: its run never finished.
        await JobClaim.insert(
            JobClaim(
                job="test.crash",
                due_at=entry.due_at(now),
                claimed_by="gone:1",
                started_at=now,
                lease_until=now,
            )
        )
        assert await scheduler.run_job(entry, now - timedelta(seconds=30)) is None  # its lease still holds
        assert await scheduler.run_job(entry, now + timedelta(minutes=5)) == "done=1"  # taken over
        run = await JobClaim.select().where(JobClaim.job == "test.crash").first()
        assert run["attempts"] == 2 and run["ok"] and run["finished_at"] and run["claimed_by"] != "gone:1"
        assert await scheduler.run_job(entry, now + timedelta(minutes=6)) is None  # this due time ran
        assert await scheduler.run_job(entry, now + timedelta(hours=1)) == "done=2"  # the next one
        runs = await scheduler.recent_runs()
        assert [r["summary"] for r in runs if r["job"] == "test.crash"] == ["done=2", "done=1"]
    finally:
        scheduler._JOBS.pop("test.crash", None)


async def test_a_run_still_going_holds_back_the_next_due_time(db):
    async def job(now):
        raise AssertionError("must not run while the earlier run holds its lease")

    scheduler.register("test.slow", timedelta(minutes=1), job)
    try:
        entry = scheduler._JOBS["test.slow"]
        now = entry.due_at(datetime.now(UTC))
        await JobClaim.insert(
            JobClaim(
                job="test.slow",
                due_at=now,
                claimed_by="busy:1",
                started_at=now,
                lease_until=now + timedelta(hours=1),
            )
        )
        assert await scheduler.run_job(entry, now + timedelta(minutes=3)) is None
        assert await JobClaim.count().where(JobClaim.job == "test.slow") == 1
    finally:
        scheduler._JOBS.pop("test.slow", None)


def test_the_daily_backup_writes_into_its_folder_and_keeps_the_last_n(db, tmp_path, monkeypatch):
    from center.shell.backup.daily import run_daily_backup
    from tests.center.test_backup import need_tool

    if db == "postgres":
        need_tool("pg_dump")
    monkeypatch.setenv("CENTER_BACKUP_DIR", str(tmp_path / "backups"))
    monkeypatch.setenv("CENTER_BACKUP_KEEP", "2")
    get_settings.cache_clear()
    try:
        results = [run_daily_backup() for _ in range(3)]
        assert [result["deleted"] for result in results] == [0, 0, 1]
        kept = backups(tmp_path / "backups")
        assert [path.name for path in kept] == [result["file"] for result in results[1:]]
        assert all(
            path.stat().st_size == result["bytes"] for path, result in zip(kept, results[1:], strict=True)
        )
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
