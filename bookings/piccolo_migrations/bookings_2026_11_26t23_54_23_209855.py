from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-26T23:54:23:209855"
VERSION = "1.38.0"
DESCRIPTION = "Record the reduction category a booking's reduction was granted under"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="bookings", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Booking",
        tablename="bookings_booking",
        column_name="reduction_category",
        db_column_name="reduction_category",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 20,
            "default": "none",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
