"""The daily backup job: a consistent copy (center/shell/backup.py: SQLite's online backup API, or
pg_dump --format=custom) into the backup folder, then only the newest CENTER_BACKUP_KEEP backups
are kept. Without pg_dump on a PostgreSQL center the job fails with the install hint, and the
managers' jobs page shows the failure until the client tools are installed."""

from __future__ import annotations

import re
from pathlib import Path

from center.lib.settings import get_settings
from center.shell.backup import backup_database

# What the backups write, and nothing else: other files in the folder are never touched.
BACKUP_NAME = re.compile(r"center-(\d{8}-\d{6})(?:-(\d+))?\.(?:sqlite3|dump)")


def backup_folder() -> Path:
    settings = get_settings()
    return settings.backup_dir or settings.data_dir / "backups"


def backups(folder: Path | None = None) -> list[Path]:
    """The backups in the folder, oldest first (their names sort by the time they were taken)."""
    folder = folder or backup_folder()
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        if path.is_file() and (match := BACKUP_NAME.fullmatch(path.name)):
            found.append(((match.group(1), int(match.group(2) or 1)), path))
    return [path for _, path in sorted(found)]


def prune(keep: int, folder: Path | None = None) -> list[Path]:
    """Delete all but the newest `keep` backups (at least one is always kept); returns the deleted."""
    found = backups(folder)
    doomed = found[: max(len(found) - max(keep, 1), 0)]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def run_daily_backup() -> dict:
    """Back up into the backup folder (a timestamped name) and keep the newest CENTER_BACKUP_KEEP."""
    folder = backup_folder()
    folder.mkdir(parents=True, exist_ok=True)
    result = backup_database(folder)
    deleted = prune(get_settings().backup_keep, folder)
    return {"file": result.path.name, "bytes": result.size, "deleted": len(deleted)}
