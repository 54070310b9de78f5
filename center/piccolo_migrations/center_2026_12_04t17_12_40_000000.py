"""One run per job and due time: a unique index (the scheduler's exactly-once guarantee rests on
it), and an index for the latest runs of a job. A migration of its own because a migration's raw
steps run before its table changes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from center.lib.db import get_engine

ID = "2026-12-04T17:12:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "job run unique due time"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="center", description=DESCRIPTION)

    async def run():
        await get_engine().run_ddl(
            'CREATE UNIQUE INDEX IF NOT EXISTS center_job_run_due ON center_job_run ("job", "due_at")'
        )

    async def back():
        await get_engine().run_ddl("DROP INDEX IF EXISTS center_job_run_due")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
