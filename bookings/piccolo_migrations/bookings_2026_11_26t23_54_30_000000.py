"""Fill in the reduction category of bookings made before the column existed: their reduction was
granted under the group's category. (A raw step of its own: Piccolo runs a migration's raw steps
before its column changes.)"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from center.lib.db import get_engine

ID = "2026-11-26T23:54:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "backfill bookings' reduction category"

BACKFILL = (
    "UPDATE bookings_booking SET reduction_category = COALESCE("
    '(SELECT reduction FROM center_group WHERE center_group.id = bookings_booking."group"), \'none\')'
    " WHERE reduction_fee > 0"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="bookings", description=DESCRIPTION)

    async def run():
        await get_engine().run_ddl(BACKFILL)

    async def back():
        """Nothing to undo: the column itself goes with the migration before this one."""

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
