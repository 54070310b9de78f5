"""What Piccolo's column options cannot express for the maintenance tables:

- one ticket per inspection due date (so the inspection job is idempotent even when two processes
  run it) and one closure per ledger hold: partial unique indexes, on both engines;
- the lookup indexes of tickets, their events, photos, reports and their history, and closures;
- on PostgreSQL, CHECKs on ticket status, priority and costs and on a closure's time range.

Plain SQL, no app code: the engine comes from piccolo_conf through Piccolo's engine finder."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-04T17:20:03:000000"
VERSION = "1.38.0"
DESCRIPTION = "maintenance unique rules, indexes and checks"

COMMON = [
    "CREATE UNIQUE INDEX maintenance_ticket_inspection_due"
    " ON maintenance_ticket (inspection, inspection_due) WHERE inspection IS NOT NULL",
    "CREATE UNIQUE INDEX maintenance_closure_hold ON maintenance_closure (hold) WHERE hold IS NOT NULL",
    "CREATE INDEX maintenance_ticket_status ON maintenance_ticket (status, due_on)",
    "CREATE INDEX maintenance_ticket_location ON maintenance_ticket (location)",
    "CREATE INDEX maintenance_ticket_event_ticket ON maintenance_ticket_event (ticket, at)",
    "CREATE INDEX maintenance_photo_ticket ON maintenance_photo (ticket)",
    "CREATE INDEX maintenance_photo_report ON maintenance_photo (report)",
    "CREATE INDEX maintenance_report_ticket ON maintenance_report (ticket)",
    "CREATE INDEX maintenance_report_event_report ON maintenance_report_event (report, at)",
    "CREATE INDEX maintenance_closure_room ON maintenance_closure (room, starts_at)",
]

POSTGRES = [
    "ALTER TABLE maintenance_ticket ADD CONSTRAINT maintenance_ticket_status_valid CHECK"
    " (status IN ('new', 'triaged', 'scheduled', 'in_progress', 'on_hold', 'done', 'rejected'))",
    "ALTER TABLE maintenance_ticket ADD CONSTRAINT maintenance_ticket_priority_valid CHECK"
    " (priority IN ('urgent', 'high', 'normal', 'low'))",
    "ALTER TABLE maintenance_ticket ADD CONSTRAINT maintenance_ticket_costs_valid CHECK"
    " ((estimated_cost IS NULL OR estimated_cost >= 0) AND (actual_cost IS NULL OR actual_cost >= 0))",
    "ALTER TABLE maintenance_closure ADD CONSTRAINT maintenance_closure_range_valid CHECK"
    " (starts_at < ends_at)",
]

POSTGRES_BACK = [
    "ALTER TABLE maintenance_ticket DROP CONSTRAINT IF EXISTS maintenance_ticket_status_valid",
    "ALTER TABLE maintenance_ticket DROP CONSTRAINT IF EXISTS maintenance_ticket_priority_valid",
    "ALTER TABLE maintenance_ticket DROP CONSTRAINT IF EXISTS maintenance_ticket_costs_valid",
    "ALTER TABLE maintenance_closure DROP CONSTRAINT IF EXISTS maintenance_closure_range_valid",
]
# The index name is the word before " ON ".
COMMON_BACK = [f"DROP INDEX IF EXISTS {statement.split(' ON ')[0].split()[-1]}" for statement in COMMON]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="maintenance", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        postgres = engine.engine_type == "postgres"
        for statement in COMMON + (POSTGRES if postgres else []):
            await engine.run_ddl(statement)

    async def back():
        engine = engine_finder()
        postgres = engine.engine_type == "postgres"
        for statement in (POSTGRES_BACK if postgres else []) + COMMON_BACK:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
