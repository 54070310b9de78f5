from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T13:59:34:000000"
VERSION = "1.38.0"
DESCRIPTION = "Request numbers on bookings; the decision deadline in the booking policy"

COMMON = {
    "primary_key": False,
    "unique": False,
    "index": False,
    "index_method": IndexMethod.btree,
    "choices": None,
    "db_column_name": None,
    "secret": False,
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="bookings", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Booking",
        tablename="bookings_booking",
        column_name="request_number",
        db_column_name="request_number",
        column_class_name="Varchar",
        column_class=Varchar,
        params={"length": 20, "default": None, "null": True, **COMMON},
        schema=None,
    )
    manager.add_column(
        table_class_name="BookingPolicy",
        tablename="bookings_policy",
        column_name="decide_days_before",
        db_column_name="decide_days_before",
        column_class_name="Integer",
        column_class=Integer,
        params={"default": 3, "null": False, **COMMON},
        schema=None,
    )

    return manager
