"""What Piccolo's column options cannot express for the programmes' tables, on both engines (SQLite
and PostgreSQL both accept CREATE UNIQUE INDEX ... WHERE):

- a person holds at most one active signup per flower-bed day (a partial unique index);
- no two signups share a short code (partial: a row written without a code does not collide);
- the lookup indexes of days, signups, points and screenings.

Plain SQL, no app code: the engine comes from piccolo_conf through Piccolo's engine finder."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-04T17:20:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "one active signup per person and day, unique signup codes, programme indexes"

FORWARDS = [
    "CREATE UNIQUE INDEX center_flowerbed_signup_once"
    " ON center_flowerbed_signup (day, contact_key) WHERE status <> 'cancelled'",
    "CREATE UNIQUE INDEX center_flowerbed_signup_code ON center_flowerbed_signup (code) WHERE code <> ''",
    "CREATE INDEX center_flowerbed_signup_day ON center_flowerbed_signup (day, status, id)",
    "CREATE INDEX center_flowerbed_day_day ON center_flowerbed_day (day)",
    "CREATE INDEX center_points_entry_volunteer ON center_points_entry (volunteer_no, fiscal_year)",
    "CREATE INDEX center_screening_time ON center_screening (starts_at, room)",
    "CREATE INDEX center_screening_rule_of ON center_screening (rule)",
]
# The index name is the word before " ON ".
BACKWARDS = [f"DROP INDEX IF EXISTS {statement.split(' ON ')[0].split()[-1]}" for statement in FORWARDS]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="programmes", description=DESCRIPTION)

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
