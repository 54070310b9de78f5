"""Indexes and the duplicate-signup guarantee for the center's programmes.

A person may hold one active signup per flower-bed day: a partial unique index on both engines
(SQLite and PostgreSQL both accept CREATE UNIQUE INDEX ... WHERE)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from center.lib.db import get_engine

ID = "2026-11-26T21:37:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "programme indexes and the one-active-signup-per-person rule"

FORWARDS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS center_flowerbed_signup_once"
    " ON center_flowerbed_signup (day, contact_key) WHERE status <> 'cancelled'",
    "CREATE INDEX IF NOT EXISTS center_flowerbed_signup_day ON center_flowerbed_signup (day, status, id)",
    "CREATE INDEX IF NOT EXISTS center_flowerbed_day_day ON center_flowerbed_day (day)",
    "CREATE INDEX IF NOT EXISTS center_programme_attempt_at"
    " ON center_programme_attempt (address, attempted_at)",
    "CREATE INDEX IF NOT EXISTS center_points_entry_volunteer"
    " ON center_points_entry (volunteer_no, fiscal_year)",
    "CREATE INDEX IF NOT EXISTS center_screening_time ON center_screening (starts_at, room)",
    "CREATE INDEX IF NOT EXISTS center_screening_rule_of ON center_screening (rule)",
]

BACKWARDS = [
    "DROP INDEX IF EXISTS center_flowerbed_signup_once",
    "DROP INDEX IF EXISTS center_flowerbed_signup_day",
    "DROP INDEX IF EXISTS center_flowerbed_day_day",
    "DROP INDEX IF EXISTS center_programme_attempt_at",
    "DROP INDEX IF EXISTS center_points_entry_volunteer",
    "DROP INDEX IF EXISTS center_screening_time",
    "DROP INDEX IF EXISTS center_screening_rule_of",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="center", description=DESCRIPTION)

    async def run():
        engine = get_engine()
        for statement in FORWARDS:
            await engine.run_ddl(statement)

    async def back():
        engine = get_engine()
        for statement in BACKWARDS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
