"""The ledger's guarantee and the indexes that keep availability fast.

PostgreSQL: an exclusion constraint over active holds (btree_gist). SQLite: triggers that abort an
overlapping insert or update. Ranges are half-open [starts_at, ends_at). Also unique and check
constraints that Piccolo's column options cannot express on SQLite."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from center.lib.db import get_engine, is_postgres

ID = "2026-11-26T20:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "ledger overlap guarantee, checks and indexes"

COMMON = [
    "CREATE INDEX IF NOT EXISTS center_hold_room_time ON center_hold (room, starts_at, ends_at)",
    "CREATE UNIQUE INDEX IF NOT EXISTS center_user_role_unique ON center_user_role (\"user\", role)",
    "CREATE UNIQUE INDEX IF NOT EXISTS center_group_member_unique"
    " ON center_group_member (\"group\", \"user\")",
    "CREATE UNIQUE INDEX IF NOT EXISTS center_room_slot_fee_unique ON center_room_slot_fee (room, slot)",
    "CREATE INDEX IF NOT EXISTS center_audit_at ON center_audit (at)",
    "CREATE INDEX IF NOT EXISTS center_audit_entity ON center_audit (entity, entity_id)",
    "CREATE INDEX IF NOT EXISTS center_login_attempt_at ON center_login_attempt (attempted_at)",
]

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE center_hold ADD CONSTRAINT center_hold_range_valid CHECK (starts_at < ends_at)",
    "ALTER TABLE center_hold ADD CONSTRAINT center_hold_no_overlap EXCLUDE USING gist"
    " (room WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) WHERE (active)",
]

# SQLite compares the ISO strings Piccolo writes for UTC instants ("2026-11-26 00:00:00+00:00"),
# which sort in time order. RAISE(ABORT) rolls back the statement; the message is matched by
# center.ledger.service to name the conflict.
SQLITE = [
    """CREATE TRIGGER center_hold_no_overlap_insert BEFORE INSERT ON center_hold
    WHEN NEW.active
    BEGIN
        SELECT RAISE(ABORT, 'center_hold_range_valid') WHERE NEW.starts_at >= NEW.ends_at;
        SELECT RAISE(ABORT, 'center_hold_no_overlap') WHERE EXISTS (
            SELECT 1 FROM center_hold h
            WHERE h.room = NEW.room AND h.active
              AND h.starts_at < NEW.ends_at AND NEW.starts_at < h.ends_at
        );
    END""",
    """CREATE TRIGGER center_hold_no_overlap_update BEFORE UPDATE ON center_hold
    WHEN NEW.active
    BEGIN
        SELECT RAISE(ABORT, 'center_hold_range_valid') WHERE NEW.starts_at >= NEW.ends_at;
        SELECT RAISE(ABORT, 'center_hold_no_overlap') WHERE EXISTS (
            SELECT 1 FROM center_hold h
            WHERE h.room = NEW.room AND h.active AND h.id != NEW.id
              AND h.starts_at < NEW.ends_at AND NEW.starts_at < h.ends_at
        );
    END""",
]

POSTGRES_BACK = [
    "ALTER TABLE center_hold DROP CONSTRAINT IF EXISTS center_hold_no_overlap",
    "ALTER TABLE center_hold DROP CONSTRAINT IF EXISTS center_hold_range_valid",
]
SQLITE_BACK = [
    "DROP TRIGGER IF EXISTS center_hold_no_overlap_insert",
    "DROP TRIGGER IF EXISTS center_hold_no_overlap_update",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="center", description=DESCRIPTION)

    async def run():
        engine = get_engine()
        for statement in COMMON + (POSTGRES if is_postgres(engine) else SQLITE):
            await engine.run_ddl(statement)

    async def back():
        engine = get_engine()
        for statement in POSTGRES_BACK if is_postgres(engine) else SQLITE_BACK:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager

