"""What Piccolo's column options cannot express for the center's tables, on both engines.

The ledger's guarantee: active holds of one room never overlap, ranges are half-open
[starts_at, ends_at), start before they end and last at most 366 days. PostgreSQL: CHECK
constraints and an exclusion constraint over active holds (btree_gist). SQLite: triggers that abort
an overlapping insert or update (RAISE(ABORT) rolls back the statement; center.ledger.service
matches the message to name the conflict). SQLite compares the ISO strings Piccolo writes for UTC
instants, which sort in time order; the 366-day bound lets its check look only at holds starting
within a year before the new one. Also unique and lookup indexes.

Plain SQL, no app code: the engine comes from piccolo_conf through Piccolo's engine finder."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-04T17:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "ledger overlap guarantee, checks and indexes"

COMMON = [
    "CREATE INDEX center_hold_room_time ON center_hold (room, starts_at, ends_at)",
    'CREATE UNIQUE INDEX center_user_role_unique ON center_user_role ("user", role)',
    'CREATE UNIQUE INDEX center_group_member_unique ON center_group_member ("group", "user")',
    "CREATE UNIQUE INDEX center_room_slot_fee_unique ON center_room_slot_fee (room, slot)",
    'CREATE UNIQUE INDEX center_room_equipment_fee_unique ON center_room_equipment_fee ("room", "equipment")',
    "CREATE INDEX center_audit_at ON center_audit (at)",
    "CREATE INDEX center_audit_entity ON center_audit (entity, entity_id)",
    "CREATE INDEX center_login_attempt_at ON center_login_attempt (attempted_at)",
    'CREATE INDEX center_notice_group ON center_notice ("group", created_at)',
    'CREATE INDEX center_notice_user ON center_notice ("user", created_at)',
    "CREATE INDEX center_outbox_due ON center_outbox (status, next_attempt_at)",
    'CREATE INDEX center_rate_event_lookup ON center_rate_event ("bucket", "key", "at")',
    # One run per job and due time: the scheduler's exactly-once guarantee rests on it.
    'CREATE UNIQUE INDEX center_job_run_due ON center_job_run ("job", "due_at")',
]

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE center_hold ADD CONSTRAINT center_hold_range_valid CHECK (starts_at < ends_at)",
    "ALTER TABLE center_hold ADD CONSTRAINT center_hold_too_long"
    " CHECK (ends_at - starts_at <= interval '366 days')",
    "ALTER TABLE center_hold ADD CONSTRAINT center_hold_no_overlap EXCLUDE USING gist"
    " (room WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) WHERE (active)",
]

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
    _SQLITE_TRIGGER.format(when="insert", event="INSERT", exclude_self=""),
    _SQLITE_TRIGGER.format(when="update", event="UPDATE", exclude_self="AND h.id != NEW.id"),
]

POSTGRES_BACK = [
    "ALTER TABLE center_hold DROP CONSTRAINT IF EXISTS center_hold_no_overlap",
    "ALTER TABLE center_hold DROP CONSTRAINT IF EXISTS center_hold_too_long",
    "ALTER TABLE center_hold DROP CONSTRAINT IF EXISTS center_hold_range_valid",
]
SQLITE_BACK = [
    "DROP TRIGGER IF EXISTS center_hold_no_overlap_insert",
    "DROP TRIGGER IF EXISTS center_hold_no_overlap_update",
]
# The index name is the word before " ON ".
COMMON_BACK = [f"DROP INDEX IF EXISTS {statement.split(' ON ')[0].split()[-1]}" for statement in COMMON]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="center", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        postgres = engine.engine_type == "postgres"
        for statement in COMMON + (POSTGRES if postgres else SQLITE):
            await engine.run_ddl(statement)

    async def back():
        engine = engine_finder()
        postgres = engine.engine_type == "postgres"
        for statement in (POSTGRES_BACK if postgres else SQLITE_BACK) + COMMON_BACK:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
