"""Indexes for bookings: unique permit numbers, and the lookups by room/time, group and lapse time.
Raw SQL because Piccolo cannot add a UNIQUE column on SQLite (ALTER TABLE ADD COLUMN ... UNIQUE)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from center.lib.db import get_engine

ID = "2026-11-26T20:54:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "booking indexes"

STATEMENTS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS bookings_permit_number_unique ON bookings_booking (permit_number)",
    "CREATE INDEX IF NOT EXISTS bookings_booking_room_time ON bookings_booking (room, starts_at)",
    'CREATE INDEX IF NOT EXISTS bookings_booking_group_status ON bookings_booking ("group", status, starts_at)',
    "CREATE INDEX IF NOT EXISTS bookings_booking_lapses ON bookings_booking (status, lapses_at)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="bookings", description=DESCRIPTION)

    async def run():
        engine = get_engine()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    async def back():
        engine = get_engine()
        for name in ("bookings_permit_number_unique", "bookings_booking_room_time",
                     "bookings_booking_group_status", "bookings_booking_lapses"):
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
