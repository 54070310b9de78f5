"""Backups the center has restored: the daily backup job (keeping the last N files), the guard that
tells whether a server is running on this data folder, and `center restore`. The consistent copy
itself (SQLite's online backup, pg_dump) is in copies.py."""

from center.shell.backup.copies import (
    BackupError,
    BackupResult,
    backup_database,
    backup_postgres,
    backup_sqlite,
    default_path,
)

__all__ = [
    "BackupError",
    "BackupResult",
    "backup_database",
    "backup_postgres",
    "backup_sqlite",
    "default_path",
]
