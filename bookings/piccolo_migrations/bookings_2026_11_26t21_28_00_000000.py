"""Indexes for series and the lottery: one application per group per slot, lookups by series."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from center.lib.db import get_engine

ID = "2026-11-26T21:28:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "series and lottery indexes"

STATEMENTS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS bookings_lottery_entry_once"
    ' ON bookings_lottery_entry (round, "group", room, day, slot_code)',
    "CREATE INDEX IF NOT EXISTS bookings_lottery_entry_slot ON bookings_lottery_entry (round, room, day, slot_code)",
    "CREATE INDEX IF NOT EXISTS bookings_booking_series ON bookings_booking (series, occurrence_on)",
)
NAMES = ("bookings_lottery_entry_once", "bookings_lottery_entry_slot", "bookings_booking_series")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="bookings", description=DESCRIPTION)

    async def run():
        engine = get_engine()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    async def back():
        engine = get_engine()
        for name in NAMES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
