"""The scheduler: jobs that happen by the clock (requests lapse, lottery windows open and close,
inspections fall due, notices are delivered). Each job is idempotent and claims its run in the
database with one conditional UPDATE, so with several app processes a due job runs once. Every
run records when it started and finished and what it did, for the managers' status page."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from center.db import write_transaction
from center.scheduler.tables import JobRun

logger = logging.getLogger("center.scheduler")


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[datetime], Awaitable[Any]]  # returns a short summary (dict or str)
    lease: timedelta = timedelta(minutes=10)  # a crashed run is retried after this


_JOBS: dict[str, Job] = {}


def register(
    name: str,
    every: timedelta,
    run: Callable[[datetime], Awaitable[Any]],
    *,
    lease: timedelta = timedelta(minutes=10),
) -> None:
    """Add a job (the app shell registers each domain's jobs)."""
    _JOBS[name] = Job(name, every, run, lease)


def jobs() -> list[Job]:
    return sorted(_JOBS.values(), key=lambda job: job.name)


async def _ensure_row(name: str) -> None:
    """The job's row, created once even when several processes start at the same moment."""
    await JobRun.insert(JobRun(name=name)).on_conflict(target=JobRun.name, action="DO NOTHING")


async def _claim(job: Job, now: datetime) -> bool:
    """Take the job's run if it is due and nobody holds it: one UPDATE, atomic on both engines."""
    async with write_transaction():
        await _ensure_row(job.name)
        claimed = (
            await JobRun.update({JobRun.lease_until: now + job.lease, JobRun.last_started_at: now})
            .where(
                (JobRun.name == job.name)
                & (JobRun.lease_until.is_null() | (JobRun.lease_until < now))
                & (JobRun.last_started_at.is_null() | (JobRun.last_started_at <= now - job.every))
            )
            .returning(JobRun.id)
        )
        return bool(claimed)


async def run_job(job: Job, now: datetime | None = None, *, force: bool = False) -> str | None:
    """Run one job if it is due (or `force`d); returns its summary, or None if not run."""
    now = now or datetime.now(UTC)
    if force:
        async with write_transaction():
            await _ensure_row(job.name)
            await JobRun.update({JobRun.lease_until: now + job.lease, JobRun.last_started_at: now}).where(
                JobRun.name == job.name
            )
    elif not await _claim(job, now):
        return None
    ok = True
    try:
        result = await job.run(now)
        summary = _summary(result)
    except Exception as exc:  # a job's failure is recorded and retried at its next turn
        logger.exception("job %s failed", job.name)
        ok, summary = False, f"{type(exc).__name__}: {exc}"[:2000]
    await JobRun.update(
        {
            JobRun.lease_until: None,
            JobRun.last_finished_at: datetime.now(UTC),
            JobRun.last_ok: ok,
            JobRun.last_summary: summary,
            JobRun.runs: JobRun.runs + 1,
            JobRun.failures: JobRun.failures + (0 if ok else 1),
        }
    ).where(JobRun.name == job.name)
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


async def loop(interval: float = 30.0) -> None:
    """Run due jobs every `interval` seconds until cancelled (started by the app's lifespan)."""
    while True:
        try:
            await run_due()
        except Exception:  # keep the loop alive; each job records its own failures
            logger.exception("scheduler pass failed")
        await asyncio.sleep(interval)
