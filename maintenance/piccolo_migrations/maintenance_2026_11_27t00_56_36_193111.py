from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-27T00:56:36:193111"
VERSION = "1.38.0"
DESCRIPTION = "inspections record when they last changed"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="maintenance", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Inspection",
        tablename="maintenance_inspection",
        column_name="updated_at",
        db_column_name="updated_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": TimestamptzNow(),
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
