"""What Piccolo's column options cannot express for the bookings' tables, on both engines (Piccolo
cannot add a UNIQUE column on SQLite, and the lottery's rule spans five columns):

- permit numbers and request numbers are unique;
- a group applies at most once per lottery round, room, day and slot;
- the lookup indexes of bookings (room and time, group, lapse time, series) and lottery entries.

Plain SQL, no app code: the engine comes from piccolo_conf through Piccolo's engine finder."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-04T17:20:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique permit and request numbers, one lottery application per slot, booking indexes"

FORWARDS = [
    "CREATE UNIQUE INDEX bookings_permit_number_unique ON bookings_booking (permit_number)",
    "CREATE UNIQUE INDEX bookings_request_number_unique ON bookings_booking (request_number)",
    "CREATE INDEX bookings_booking_room_time ON bookings_booking (room, starts_at)",
    'CREATE INDEX bookings_booking_group_status ON bookings_booking ("group", status, starts_at)',
    "CREATE INDEX bookings_booking_lapses ON bookings_booking (status, lapses_at)",
    "CREATE INDEX bookings_booking_series ON bookings_booking (series, occurrence_on)",
    "CREATE UNIQUE INDEX bookings_lottery_entry_once"
    ' ON bookings_lottery_entry (round, "group", room, day, slot_code)',
    "CREATE INDEX bookings_lottery_entry_slot ON bookings_lottery_entry (round, room, day, slot_code)",
]
# The index name is the word before " ON ".
BACKWARDS = [f"DROP INDEX IF EXISTS {statement.split(' ON ')[0].split()[-1]}" for statement in FORWARDS]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="bookings", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in FORWARDS:
            await engine.run_ddl(statement)

    async def back():
        engine = engine_finder()
        for statement in BACKWARDS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
