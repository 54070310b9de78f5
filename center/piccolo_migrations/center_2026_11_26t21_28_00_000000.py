"""Indexes for the inbox and the outbox."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from center.lib.db import get_engine

ID = "2026-11-26T21:28:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notice and outbox indexes"

STATEMENTS = (
    'CREATE INDEX IF NOT EXISTS center_notice_group ON center_notice ("group", created_at)',
    'CREATE INDEX IF NOT EXISTS center_notice_user ON center_notice ("user", created_at)',
    "CREATE INDEX IF NOT EXISTS center_outbox_due ON center_outbox (status, next_attempt_at)",
)
NAMES = ("center_notice_group", "center_notice_user", "center_outbox_due")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="center", description=DESCRIPTION)

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
