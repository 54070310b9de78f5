"""Facts about the center's machinery read at the moment they are asked for: the scheduled jobs'
runs (from the scheduler's table), the mail outbox (from the notices' outbox table) and the
backups (the files in the backup folder). Read from the database and the disk rather than counted
in a process, they are the same whichever process answers, and right with any number of workers
or with `center jobs` run from cron."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from center.lib.db import read_transaction
from center.lib.scheduler.service import jobs as registered_jobs
from center.lib.scheduler.tables import JobRun
from center.lib.settings import get_settings
from center.notices.tables import OutboxMessage

BACKUP_PATTERNS = ("center-*.sqlite3", "center-*.dump")


@dataclass(frozen=True)
class JobFact:
    name: str
    runs: int
    failures: int
    last_ok: bool | None  # None: never finished
    last_finished_at: datetime | None
    running: bool  # a process holds its lease now


@dataclass(frozen=True)
class OutboxFact:
    pending: int
    oldest_pending_at: datetime | None
    failed: int  # given up after every retry


@dataclass(frozen=True)
class BackupFact:
    files: int
    newest_at: datetime | None


@dataclass(frozen=True)
class Facts:
    jobs: list[JobFact]
    outbox: OutboxFact
    backups: BackupFact
    now: datetime


def backup_folder() -> Path:
    """Where `center backup` and the daily backup write (CENTER_BACKUP_DIR, default data/backups)."""
    settings = get_settings()
    return settings.backup_dir or settings.data_dir / "backups"


def backup_fact(folder: Path | None = None) -> BackupFact:
    """How many finished backup files there are and when the newest was written (a backup is
    written under a hidden .partial name and renamed when complete, so these are whole)."""
    folder = folder or backup_folder()
    if not folder.is_dir():
        return BackupFact(0, None)
    found = [path for pattern in BACKUP_PATTERNS for path in folder.glob(pattern) if path.is_file()]
    if not found:
        return BackupFact(0, None)
    newest = max(path.stat().st_mtime for path in found)
    return BackupFact(len(found), datetime.fromtimestamp(newest, UTC))


async def job_facts(now: datetime) -> list[JobFact]:
    """Every registered job (a job never run yet shows zero runs) and any other job with a row."""
    rows = {row["name"]: row for row in await JobRun.select()}
    names = sorted({job.name for job in registered_jobs()} | set(rows))
    facts = []
    for name in names:
        row = rows.get(name)
        if row is None:
            facts.append(JobFact(name, 0, 0, None, None, False))
            continue
        finished = row["last_finished_at"]
        lease = row["lease_until"]
        facts.append(
            JobFact(
                name=name,
                runs=row["runs"] or 0,
                failures=row["failures"] or 0,
                last_ok=bool(row["last_ok"]) if finished is not None else None,
                last_finished_at=finished,
                running=lease is not None and lease > now,
            )
        )
    return facts


async def outbox_fact() -> OutboxFact:
    pending = OutboxMessage.status == "pending"
    oldest = await (
        OutboxMessage.select(OutboxMessage.created_at)
        .where(pending)
        .order_by(OutboxMessage.created_at)
        .first()
    )
    return OutboxFact(
        pending=await OutboxMessage.count().where(pending),
        oldest_pending_at=oldest["created_at"] if oldest else None,
        failed=await OutboxMessage.count().where(OutboxMessage.status == "failed"),
    )


async def gather(now: datetime | None = None) -> Facts:
    """All the facts, the database's read in one read transaction (one connection)."""
    now = now or datetime.now(UTC)
    async with read_transaction():
        jobs = await job_facts(now)
        outbox = await outbox_fact()
    return Facts(jobs=jobs, outbox=outbox, backups=backup_fact(), now=now)


async def last_job_finished() -> datetime | None:
    """When any scheduled job last finished (the scheduler's last run)."""
    row = (
        await JobRun.select(JobRun.last_finished_at)
        .where(JobRun.last_finished_at.is_not_null())
        .order_by(JobRun.last_finished_at, ascending=False)
        .first()
    )
    return row["last_finished_at"] if row else None
