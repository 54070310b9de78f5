"""What every `center` command shares: running async work with clear refusals, and bringing the
schema up to date with one line of report."""

from __future__ import annotations

import asyncio
import contextlib
import io
import sqlite3
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
import click
from piccolo.engine.sqlite import SQLiteEngine

T = TypeVar("T")


def database_label() -> str:
    """Which database a command works on, without any password."""
    from center.lib.db import get_engine

    engine = get_engine()
    if isinstance(engine, SQLiteEngine):
        return f"SQLite database {engine.path}"
    config = engine.config
    return (
        f"PostgreSQL database {config.get('user', '')}@{config.get('host', '')}:"
        f"{config.get('port', 5432)}/{config.get('database', '')}"
    )


def run(make: Callable[[], Awaitable[T]]) -> T:
    """Run async work; turn the rules' refusals and database failures into clear messages."""
    from center.lib.db import command_pool
    from center.lib.errors import DomainError, ValidationFailed

    async def call() -> T:
        async with command_pool():
            return await make()

    try:
        return asyncio.run(call())
    except ValidationFailed as exc:
        details = "\n".join(f"  {field}: {message}" for field, message in exc.errors.items())
        raise click.ClickException(f"Not accepted:\n{details}") from exc
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    except (OSError, asyncpg.PostgresError, sqlite3.Error) as exc:
        raise click.ClickException(f"Database error on the {database_label()}: {exc}") from exc


def migrate() -> None:
    """Bring the schema up to date, printing one line instead of Piccolo's report."""
    from center.lib.db import migrate

    report = io.StringIO()
    try:
        with contextlib.redirect_stdout(report):
            run(migrate)
    except (click.ClickException, RuntimeError) as exc:
        raise click.ClickException(f"Migrations failed:\n{report.getvalue()}\n{exc}") from exc
    click.echo(f"Database ready: {database_label()}")
