"""Flower-bed signups made before short codes existed get one each, and no two signups share a
code. (A raw step of its own: Piccolo runs a migration's raw steps before its column changes,
and the column comes from the migration before.)"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from center.lib import codes
from center.lib.db import get_engine

ID = "2026-12-04T13:59:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "backfill flower-bed signup codes"

# Partial: rows written without a code (tests that insert signups directly) do not collide.
INDEX = (
    "CREATE UNIQUE INDEX IF NOT EXISTS center_flowerbed_signup_code"
    " ON center_flowerbed_signup (code) WHERE code <> ''"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="center", description=DESCRIPTION)

    async def run():
        engine = get_engine()
        rows = await engine.run_ddl("SELECT id FROM center_flowerbed_signup WHERE code = '' ORDER BY id")
        taken: set[str] = set()
        for row in rows or []:
            code = codes.new_code()
            while code in taken:
                code = codes.new_code()
            taken.add(code)
            # The code is from codes.ALPHABET and a hyphen, the id an integer: nothing to escape.
            await engine.run_ddl(
                f"UPDATE center_flowerbed_signup SET code = '{code}' WHERE id = {int(row['id'])}"
            )
        await engine.run_ddl(INDEX)

    async def back():
        await get_engine().run_ddl("DROP INDEX IF EXISTS center_flowerbed_signup_code")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
