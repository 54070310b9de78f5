"""A normalised description of the database schema, as the migrations build it, on either engine.

The description lists, per table, its columns (type, nullability, default, primary key), foreign
keys, indexes (unique, partial), CHECK and exclusion constraints, and triggers; on PostgreSQL also
the extensions and sequences. It is written as one line per fact so a change reads as a short diff.
tests/center/test_schema.py compares a freshly migrated database with the checked-in description in
tests/schema/sqlite.json and tests/schema/postgres.json.

Regenerate the checked-in description after an intended schema change (PostgreSQL from
CENTER_TEST_DATABASE_URL, a server URL; a throwaway database is created there and dropped):

    CENTER_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python tests/schema_description.py

Each engine's database is built by `center migrate` in a subprocess on an empty data folder, as a
new center's would be.
"""

from __future__ import annotations

import asyncio
import difflib
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_DIR = ROOT / "tests" / "schema"

Query = Callable[[str], Awaitable[list[dict[str, Any]]]]
Description = dict[str, list[str]]


def _squash(sql: str) -> str:
    """One line, single spaces: SQL text compared regardless of its layout."""
    return re.sub(r"\s+", " ", sql).strip()


async def describe_sqlite(query: Query) -> Description:
    """Every table of a SQLite database, one sorted list of facts per table."""
    tables = await query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    description: Description = {}
    for table in tables:
        name = table["name"]
        facts: list[str] = []
        for column in await query(f"PRAGMA table_info('{name}')"):
            text = f"column {column['name']}: {column['type']}"
            if column["notnull"]:
                text += " NOT NULL"
            if column["dflt_value"] is not None:
                text += f" DEFAULT {column['dflt_value']}"
            if column["pk"]:
                text += " PRIMARY KEY"
            facts.append(text)
        for key in await query(f"PRAGMA foreign_key_list('{name}')"):
            facts.append(
                f"foreign key {key['from']} -> {key['table']}({key['to']})"
                f" ON UPDATE {key['on_update']} ON DELETE {key['on_delete']}"
            )
        for check in re.findall(r"CHECK\s*\((?:[^()]|\([^()]*\))*\)", table["sql"] or "", re.IGNORECASE):
            facts.append(f"check {_squash(check)}")
        index_sql = {
            row["name"]: row["sql"]
            for row in await query(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = '{name}'"
            )
        }
        for index in await query(f"PRAGMA index_list('{name}')"):
            columns = [row["name"] for row in await query(f"PRAGMA index_info('{index['name']}')")]
            kind = "unique index" if index["unique"] else "index"
            # SQLite numbers the indexes behind UNIQUE/PRIMARY KEY columns by their order in the
            # table: name those by their columns instead.
            label = index["name"] if index["origin"] == "c" else f"({index['origin']})"
            text = f"{kind} {label} ({', '.join(columns)})"
            sql = index_sql.get(index["name"]) or ""
            where = re.search(r"\bWHERE\b(.*)$", sql, re.IGNORECASE | re.DOTALL)
            if where:
                text += f" WHERE {_squash(where.group(1))}"
            facts.append(text)
        for trigger in await query(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = '{name}'"
        ):
            facts.append(f"trigger {trigger['name']}: {_squash(trigger['sql'])}")
        description[name] = sorted(facts)
    return description


async def describe_postgres(query: Query) -> Description:
    """Every table of the public schema, one sorted list of facts per table, and the database's
    extensions and sequences under "(database)"."""
    description: Description = {}
    for column in await query(
        "SELECT table_name, column_name, data_type, character_maximum_length, numeric_precision,"
        " numeric_scale, is_nullable, column_default FROM information_schema.columns"
        " WHERE table_schema = 'public'"
    ):
        text = f"column {column['column_name']}: {column['data_type']}"
        if column["character_maximum_length"] is not None:
            text += f"({column['character_maximum_length']})"
        elif column["data_type"] == "numeric" and column["numeric_precision"] is not None:
            text += f"({column['numeric_precision']},{column['numeric_scale']})"
        if column["is_nullable"] == "NO":
            text += " NOT NULL"
        if column["column_default"] is not None:
            text += f" DEFAULT {column['column_default']}"
        description.setdefault(column["table_name"], []).append(text)
    for constraint in await query(
        "SELECT c.relname AS table_name, k.conname, k.contype::text AS contype,"
        " pg_get_constraintdef(k.oid) AS definition"
        " FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
    ):
        kind = {"p": "primary key", "f": "foreign key", "u": "unique", "c": "check", "x": "exclusion"}.get(
            constraint["contype"], constraint["contype"]
        )
        description.setdefault(constraint["table_name"], []).append(
            f"constraint {constraint['conname']} ({kind}): {_squash(constraint['definition'])}"
        )
    for index in await query(
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
    ):
        description.setdefault(index["tablename"], []).append(
            f"index {index['indexname']}: {_squash(index['indexdef'])}"
        )
    for trigger in await query(
        "SELECT c.relname AS table_name, t.tgname, pg_get_triggerdef(t.oid) AS definition FROM pg_trigger t"
        " JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND NOT t.tgisinternal"
    ):
        description.setdefault(trigger["table_name"], []).append(
            f"trigger {trigger['tgname']}: {_squash(trigger['definition'])}"
        )
    database = [
        f"extension {row['extname']}"
        for row in await query("SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'")
    ]
    database += [
        f"sequence {row['sequence_name']}: {row['data_type']}"
        for row in await query(
            "SELECT sequence_name, data_type FROM information_schema.sequences"
            " WHERE sequence_schema = 'public'"
        )
    ]
    description["(database)"] = database
    return {table: sorted(facts) for table, facts in sorted(description.items())}


async def describe(engine: Any) -> Description:
    """The description of the database a Piccolo engine points at."""

    async def query(sql: str) -> list[dict[str, Any]]:
        return list(await engine.run_ddl(sql) or [])

    if engine.engine_type == "postgres":
        return await describe_postgres(query)
    return await describe_sqlite(query)


def expected_path(kind: str) -> Path:
    return SCHEMA_DIR / f"{kind}.json"


def load(kind: str) -> Description:
    return json.loads(expected_path(kind).read_text(encoding="utf-8"))


def dump(description: Description) -> str:
    return json.dumps(description, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def difference(expected: Description, actual: Description) -> str:
    """A unified diff, one line per fact, prefixed with its table; empty when they agree."""

    def lines(description: Description) -> list[str]:
        return [f"{table}: {fact}" for table, facts in sorted(description.items()) for fact in facts]

    return "\n".join(
        difflib.unified_diff(lines(expected), lines(actual), "checked in", "migrated", lineterm="", n=1)
    )


def _migrate_fresh(kind: str, pg_url: str) -> Description:
    """`center migrate` on an empty database of this kind, then its description."""
    from piccolo.engine.postgres import PostgresEngine
    from piccolo.engine.sqlite import SQLiteEngine

    sys.path.insert(0, str(ROOT))
    from center.lib.db import postgres_config

    data_dir = Path(tempfile.mkdtemp(prefix="center-schema-"))
    env = {key: value for key, value in os.environ.items() if not key.startswith("CENTER_")}
    env["CENTER_DATA_DIR"] = str(data_dir)
    env["CENTER_SECRET_KEY"] = "schema-description"
    database = ""
    if kind == "postgres":
        import asyncpg

        database = f"center_schema_{secrets.token_hex(4)}"
        server = postgres_config(pg_url)

        async def admin(sql: str) -> None:
            conn = await asyncpg.connect(**server)
            try:
                await conn.execute(sql)
            finally:
                await conn.close()

        asyncio.run(admin(f'CREATE DATABASE "{database}"'))
        env["CENTER_DATABASE_URL"] = urlunparse(urlparse(pg_url)._replace(path=f"/{database}"))
    try:
        subprocess.run([sys.executable, "-m", "center.cli", "migrate"], cwd=ROOT, env=env, check=True)
        if kind == "postgres":
            engine: Any = PostgresEngine(config={**postgres_config(pg_url), "database": database})
        else:
            engine = SQLiteEngine(path=str(data_dir / "center.sqlite3"))
        return asyncio.run(describe(engine))
    finally:
        if database:
            asyncio.run(admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))


def main() -> None:
    pg_url = os.environ.get("CENTER_TEST_DATABASE_URL", "")
    if not pg_url:
        raise SystemExit(
            "set CENTER_TEST_DATABASE_URL to a PostgreSQL server URL (both engines are described)"
        )
    SCHEMA_DIR.mkdir(exist_ok=True)
    for kind in ("sqlite", "postgres"):
        description = _migrate_fresh(kind, pg_url)
        expected_path(kind).write_text(dump(description), encoding="utf-8")
        print(f"{expected_path(kind).relative_to(ROOT)}: {len(description)} tables")


if __name__ == "__main__":
    main()
