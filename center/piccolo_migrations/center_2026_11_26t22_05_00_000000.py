"""Holds are at most 366 days long, so overlap checks can bound their index scans: the SQLite
triggers look only at holds starting within a year before the new one (the cost stays flat as
history piles up); PostgreSQL gets the same length check (its GiST index needs no bound)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from center.lib.db import get_engine, is_postgres

ID = "2026-11-26T22:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "bounded ledger overlap checks"

_SQLITE_TRIGGER = """CREATE TRIGGER center_hold_no_overlap_{when} BEFORE {event} ON center_hold
    WHEN NEW.active
    BEGIN
        SELECT RAISE(ABORT, 'center_hold_range_valid') WHERE NEW.starts_at >= NEW.ends_at;
        SELECT RAISE(ABORT, 'center_hold_too_long')
            WHERE julianday(NEW.ends_at) - julianday(NEW.starts_at) > 366;
        SELECT RAISE(ABORT, 'center_hold_no_overlap') WHERE EXISTS (
            SELECT 1 FROM center_hold h
            WHERE h.room = NEW.room AND h.active {exclude_self}
              AND h.starts_at > datetime(NEW.starts_at, '-367 days')
              AND h.starts_at < NEW.ends_at AND NEW.starts_at < h.ends_at
        );
    END"""

SQLITE = [
    "DROP TRIGGER IF EXISTS center_hold_no_overlap_insert",
    "DROP TRIGGER IF EXISTS center_hold_no_overlap_update",
    _SQLITE_TRIGGER.format(when="insert", event="INSERT", exclude_self=""),
    _SQLITE_TRIGGER.format(when="update", event="UPDATE", exclude_self="AND h.id != NEW.id"),
]
POSTGRES = [
    "ALTER TABLE center_hold ADD CONSTRAINT center_hold_too_long"
    " CHECK (ends_at - starts_at <= interval '366 days')",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="center", description=DESCRIPTION)

    async def run():
        engine = get_engine()
        for statement in POSTGRES if is_postgres(engine) else SQLITE:
            await engine.run_ddl(statement)

    async def back():
        engine = get_engine()
        if is_postgres(engine):
            await engine.run_ddl("ALTER TABLE center_hold DROP CONSTRAINT IF EXISTS center_hold_too_long")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
