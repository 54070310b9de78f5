"""Inspections made before updated_at existed were last changed, as far as anyone knows, when they
were made. (A raw step of its own: Piccolo runs a migration's raw steps before its column changes.)"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from center.lib.db import get_engine

ID = "2026-11-27T00:56:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "backfill inspections' updated_at"

BACKFILL = "UPDATE maintenance_inspection SET updated_at = created_at"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="maintenance", description=DESCRIPTION)

    async def run():
        await get_engine().run_ddl(BACKFILL)

    async def back():
        """Nothing to undo: the column itself goes with the migration before this one."""

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
