"""Indexes and constraints for the maintenance tables that Piccolo's column options cannot
express on SQLite: one ticket per inspection due date (so the inspection job is idempotent even
when two processes run it), one active closure per ledger hold, and value checks on PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from center.lib.db import get_engine, is_postgres

ID = "2026-11-26T21:37:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "maintenance indexes and constraints"

COMMON = [
    "CREATE UNIQUE INDEX IF NOT EXISTS maintenance_ticket_inspection_due"
    " ON maintenance_ticket (inspection, inspection_due) WHERE inspection IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS maintenance_ticket_status ON maintenance_ticket (status, due_on)",
    "CREATE INDEX IF NOT EXISTS maintenance_ticket_location ON maintenance_ticket (location)",
    "CREATE INDEX IF NOT EXISTS maintenance_ticket_event_ticket ON maintenance_ticket_event (ticket, at)",
    "CREATE INDEX IF NOT EXISTS maintenance_photo_ticket ON maintenance_photo (ticket)",
    "CREATE INDEX IF NOT EXISTS maintenance_photo_report ON maintenance_photo (report)",
    "CREATE INDEX IF NOT EXISTS maintenance_report_ticket ON maintenance_report (ticket)",
    "CREATE INDEX IF NOT EXISTS maintenance_closure_room ON maintenance_closure (room, starts_at)",
    "CREATE UNIQUE INDEX IF NOT EXISTS maintenance_closure_hold"
    " ON maintenance_closure (hold) WHERE hold IS NOT NULL",
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
COMMON_BACK = [
    "DROP INDEX IF EXISTS maintenance_ticket_inspection_due",
    "DROP INDEX IF EXISTS maintenance_ticket_status",
    "DROP INDEX IF EXISTS maintenance_ticket_location",
    "DROP INDEX IF EXISTS maintenance_ticket_event_ticket",
    "DROP INDEX IF EXISTS maintenance_photo_ticket",
    "DROP INDEX IF EXISTS maintenance_photo_report",
    "DROP INDEX IF EXISTS maintenance_report_ticket",
    "DROP INDEX IF EXISTS maintenance_closure_room",
    "DROP INDEX IF EXISTS maintenance_closure_hold",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="maintenance", description=DESCRIPTION)

    async def run():
        engine = get_engine()
        for statement in COMMON + (POSTGRES if is_postgres(engine) else []):
            await engine.run_ddl(statement)

    async def back():
        engine = get_engine()
        for statement in (POSTGRES_BACK if is_postgres(engine) else []) + COMMON_BACK:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
