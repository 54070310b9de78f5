"""A report's public history is read by report and date; reports made before the history existed
start it with the day they were received. (A raw step of its own: Piccolo runs a migration's raw
steps before its table changes, and the table comes from the migration before.)"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from center.lib.db import get_engine

ID = "2026-12-04T13:59:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "report history index and backfill"

INDEX = "CREATE INDEX IF NOT EXISTS maintenance_report_event_report ON maintenance_report_event (report, at)"
BACKFILL = (
    "INSERT INTO maintenance_report_event (report, at, state, note, actor)"
    " SELECT id, created_at, 'received', '', NULL FROM maintenance_report r"
    " WHERE NOT EXISTS (SELECT 1 FROM maintenance_report_event e WHERE e.report = r.id)"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="maintenance", description=DESCRIPTION)

    async def run():
        engine = get_engine()
        await engine.run_ddl(INDEX)
        await engine.run_ddl(BACKFILL)

    async def back():
        await get_engine().run_ddl("DROP INDEX IF EXISTS maintenance_report_event_report")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
