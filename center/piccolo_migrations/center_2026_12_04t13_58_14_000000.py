"""One fee per room and equipment code: a unique index (works on SQLite and PostgreSQL alike).
A migration of its own because a migration's raw steps run before its table changes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from center.lib.db import get_engine

ID = "2026-12-04T13:58:14:000000"
VERSION = "1.38.0"
DESCRIPTION = "room equipment fee unique index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="center", description=DESCRIPTION)

    async def run():
        await get_engine().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS center_room_equipment_fee_unique"
            ' ON center_room_equipment_fee ("room", "equipment")'
        )

    async def back():
        await get_engine().run_ddl("DROP INDEX IF EXISTS center_room_equipment_fee_unique")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
