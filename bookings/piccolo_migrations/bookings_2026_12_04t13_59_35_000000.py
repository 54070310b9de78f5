"""Give every existing booking its request number and make the numbers unique (raw SQL: Piccolo
cannot add a UNIQUE column on SQLite), then bring the open requests' lapse times under the
decision deadline (bookings/deadlines.py), so no tentative hold outlives the day of use. (A raw step
of its own: Piccolo runs a migration's raw steps before its column changes.)"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from center.lib.db import get_engine

ID = "2026-12-04T13:59:35:000000"
VERSION = "1.38.0"
DESCRIPTION = "backfill request numbers; recompute open requests' deadlines"

UNIQUE = (
    "CREATE UNIQUE INDEX IF NOT EXISTS bookings_request_number_unique ON bookings_booking (request_number)"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="bookings", description=DESCRIPTION)

    async def run():
        from bookings.deadlines import recompute_open_deadlines
        from bookings.request_numbers import backfill_request_numbers

        await backfill_request_numbers()
        await get_engine().run_ddl(UNIQUE)
        await recompute_open_deadlines()

    async def back():
        """The index goes; the numbers and deadlines stay (the columns go with the migration before)."""
        await get_engine().run_ddl("DROP INDEX IF EXISTS bookings_request_number_unique")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
