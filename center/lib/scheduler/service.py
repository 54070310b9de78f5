"""The scheduler: jobs that happen by the clock (requests lapse, lottery windows open and close,
inspections fall due, notices are delivered, the database is backed up).

Exactly once across processes: each job is due at fixed times on a grid (center/lib/scheduler/timing.py),
so every process computes the same due time. A process runs a job only after claiming that due time
in one write transaction: the job's row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite's
IMMEDIATE transaction locks the whole database), a run still going blocks a new one, and the run is
inserted into center_job_run, whose (job, due_at) is unique (INSERT ... ON CONFLICT DO NOTHING).
However many app processes (or `center jobs` from cron) reach a due time, one of them runs it. A run
that crashes is taken over once its lease expires. Every run records who ran it, when it started and
finished and what it did, for the managers' status page."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from center.lib.db import is_postgres, write_transaction
from center.lib.scheduler.tables import JobClaim, JobRun
from center.lib.scheduler.timing import due_time, parse_every
from center.lib.settings import get_settings

logger = logging.getLogger("center.lib.scheduler")

KEEP_RUNS = timedelta(days=7)  # runs older than this are deleted as each job finishes


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[datetime], Awaitable[Any]]  # returns a short summary (dict or str)
    lease: timedelta = timedelta(minutes=10)  # a run unfinished after this is taken to have crashed
    offset: timedelta = timedelta(0)  # due at ANCHOR + offset + k * every (e.g. 03:00 for daily)

    def due_at(self, now: datetime) -> datetime:
        return due_time(now, self.every, self.offset)


_JOBS: dict[str, Job] = {}


def register(
    name: str,
    every: timedelta,
    run: Callable[[datetime], Awaitable[Any]],
    *,
    lease: timedelta = timedelta(minutes=10),
    offset: timedelta = timedelta(0),
) -> None:
    """Add a job (the app shell registers each domain's jobs). CENTER_JOB_EVERY may change how
    often it is due ("name=10m" or "*=10m")."""
    overrides = parse_every(get_settings().job_every)
    every = overrides.get(name) or overrides.get("*") or every
    _JOBS[name] = Job(name, every, run, lease, offset)


def jobs() -> list[Job]:
    return sorted(_JOBS.values(), key=lambda job: job.name)


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


async def _lock_job_row(name: str) -> None:
    """The job's row, created once even when several processes start at the same moment, and
    locked until the transaction ends so claims of one job queue up."""
    await JobRun.insert(JobRun(name=name)).on_conflict(target=JobRun.name, action="DO NOTHING")
    if is_postgres():
        await JobRun.raw("SELECT id FROM center_job WHERE name = {} FOR UPDATE", name)


async def _claim(job: Job, now: datetime) -> int | None:
    """Claim the job's current due time; the run's id, or None if it is not ours to run."""
    due = job.due_at(now)
    async with write_transaction():
        await _lock_job_row(job.name)
        started = datetime.now(UTC)  # after the lock: when the run really starts
        unfinished = await JobClaim.select().where(
            (JobClaim.job == job.name) & JobClaim.finished_at.is_null()
        )
        for run in unfinished:
            if run["lease_until"] > now:
                return None  # a run is still going (here or in another process)
            if run["due_at"] == due:  # it crashed on this very due time: take it over
                await JobClaim.update(
                    {
                        JobClaim.claimed_by: process_name(),
                        JobClaim.started_at: started,
                        JobClaim.lease_until: now + job.lease,
                        JobClaim.attempts: JobClaim.attempts + 1,
                    }
                ).where(JobClaim.id == run["id"])
                await _mark_started(job, started, now)
                return run["id"]
            await JobClaim.update(
                {
                    JobClaim.finished_at: now,
                    JobClaim.ok: False,
                    JobClaim.summary: "abandoned: its lease expired",
                }
            ).where(JobClaim.id == run["id"])
        inserted = (
            await JobClaim.insert(_new_claim(job, due, started, now))
            .on_conflict(target=(JobClaim.job, JobClaim.due_at), action="DO NOTHING")
            .returning(JobClaim.id)
        )
        if not inserted:
            return None  # this due time has run already
        await _mark_started(job, started, now)
        return inserted[0]["id"]


def _new_claim(job: Job, due: datetime, started: datetime, now: datetime) -> JobClaim:
    """This process's claim on the job's run due at `due`, leased from `now`."""
    return JobClaim(
        job=job.name, due_at=due, claimed_by=process_name(), started_at=started, lease_until=now + job.lease
    )


async def _mark_started(job: Job, started: datetime, now: datetime) -> None:
    await JobRun.update({JobRun.lease_until: now + job.lease, JobRun.last_started_at: started}).where(
        JobRun.name == job.name
    )


async def _claim_forced(job: Job, now: datetime) -> int:
    """A run asked for by hand (`center jobs --force`): its own due time, now."""
    async with write_transaction():
        await _lock_job_row(job.name)
        rows = await JobClaim.insert(_new_claim(job, now, now, now)).returning(JobClaim.id)
        await _mark_started(job, now, now)
        return rows[0]["id"]


async def run_job(job: Job, now: datetime | None = None, *, force: bool = False) -> str | None:
    """Run one job if its due time is unclaimed (or `force`d); returns its summary, or None."""
    now = now or datetime.now(UTC)
    run_id = await _claim_forced(job, now) if force else await _claim(job, now)
    if run_id is None:
        return None
    ok = True
    try:
        result = await job.run(now)
        summary = _summary(result)
    except Exception as exc:  # a job's failure is recorded and retried at its next due time
        logger.exception("job %s failed", job.name)
        ok, summary = False, f"{type(exc).__name__}: {exc}"[:2000]
    finished = datetime.now(UTC)
    async with write_transaction():
        await JobClaim.update(
            {JobClaim.finished_at: finished, JobClaim.ok: ok, JobClaim.summary: summary}
        ).where(JobClaim.id == run_id)
        await JobRun.update(
            {
                JobRun.lease_until: None,
                JobRun.last_finished_at: finished,
                JobRun.last_ok: ok,
                JobRun.last_summary: summary,
                JobRun.runs: JobRun.runs + 1,
                JobRun.failures: JobRun.failures + (0 if ok else 1),
            }
        ).where(JobRun.name == job.name)
        await JobClaim.delete().where((JobClaim.job == job.name) & (JobClaim.due_at < finished - KEEP_RUNS))
    return summary


def _summary(result: Any) -> str:
    if result is None:
        return ""
    if isinstance(result, dict):
        return ", ".join(f"{key}={value}" for key, value in result.items())
    if isinstance(result, (list, tuple)):
        return f"{len(result)} item(s)"
    return str(result)[:2000]


async def run_due(now: datetime | None = None) -> dict[str, str]:
    """Run every due job once; returns {job name: summary} for those that ran."""
    ran = {}
    for job in jobs():
        summary = await run_job(job, now)
        if summary is not None:
            ran[job.name] = summary
    return ran


async def status() -> list[dict]:
    """Each registered job with its last run, for the status page."""
    rows = {row["name"]: row for row in await JobRun.select()}
    return [{"name": job.name, "every": job.every, **(rows.get(job.name) or {})} for job in jobs()]


async def recent_runs(limit: int = 50) -> list[dict]:
    """The latest runs of every job, newest first (who ran them, how long, what they did)."""
    return await JobClaim.select().order_by(JobClaim.started_at, ascending=False).limit(limit)


async def loop(interval: float | None = None) -> None:
    """Run due jobs every `interval` seconds (CENTER_SCHEDULER_INTERVAL) until cancelled."""
    interval = interval or get_settings().scheduler_interval
    while True:
        try:
            await run_due()
        except Exception:  # keep the loop alive; each job records its own failures
            logger.exception("scheduler pass failed")
        await asyncio.sleep(interval)
