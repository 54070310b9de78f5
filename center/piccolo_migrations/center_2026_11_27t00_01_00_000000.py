"""The rate limit's lookup index: check_rate counts one bucket's events for one client address
since a moment, and prunes a bucket's old events. A separate migration because a migration's raw
steps run before its table changes, and the table comes from the one before."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from center.lib.db import get_engine

ID = "2026-11-27T00:01:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "rate limit index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="center", description=DESCRIPTION)

    async def run():
        await get_engine().run_ddl(
            'CREATE INDEX IF NOT EXISTS center_rate_event_lookup ON center_rate_event ("bucket", "key", "at")'
        )

    async def back():
        await get_engine().run_ddl("DROP INDEX IF EXISTS center_rate_event_lookup")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
