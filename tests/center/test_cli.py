"""The `center` command: migrate, accounts, demo, backup, and `run` serving the app."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import socket
import sqlite3
import subprocess
import sys
import time

import httpx
import pytest
from click.testing import CliRunner, Result

from center import cli
from center.accounts.service import LoginRefused, authenticate
from center.accounts.tables import User
from center.lib.settings import BASE_DIR, get_settings
from center.places.tables import Room
from tests.helpers import PASSWORD, make_user

NEW_PASSWORD = "a brand new password"


def center(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli.main, list(args), input=input)


def test_migrate_says_which_database_is_ready(db):
    result = center("migrate")
    assert result.exit_code == 0, result.output
    assert "Database ready" in result.output
    assert ("SQLite" if db == "sqlite" else "PostgreSQL") in result.output


def test_created_user_can_log_in_with_the_given_roles(db):
    result = center(
        "create-user",
        "hanako",
        "--name",
        "受付 花子",
        "--role",
        "front_desk",
        "--role",
        "manager",
        input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    principal = asyncio.run(authenticate("hanako", NEW_PASSWORD))
    assert principal.roles == {"front_desk", "manager"}
    assert principal.display_name == "受付 花子"


def test_create_user_reads_the_password_from_stdin(db):
    result = center("create-user", "kenji", "--name", "Kenji", "--password-stdin", input=f"{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert asyncio.run(authenticate("kenji", NEW_PASSWORD)).roles == frozenset()


def test_create_user_refuses_an_unknown_role(db):
    result = center(
        "create-user",
        "root",
        "--name",
        "Root",
        "--role",
        "admin",
        "--password-stdin",
        input=f"{NEW_PASSWORD}\n",
    )
    assert result.exit_code == 2
    assert "'admin' is not one of" in result.output
    assert not User.exists().where(User.username == "root").run_sync()


def test_create_user_refuses_a_short_password_and_a_taken_name(db):
    short = center("create-user", "aki", "--name", "Aki", "--password-stdin", input="short\n")
    assert short.exit_code == 1
    assert "at least 10 characters" in short.output
    assert (
        center("create-user", "aki", "--name", "Aki", "--password-stdin", input=f"{NEW_PASSWORD}\n").exit_code
        == 0
    )
    taken = center("create-user", "aki", "--name", "Aki 2", "--password-stdin", input=f"{NEW_PASSWORD}\n")
    assert taken.exit_code == 1
    assert "already taken" in taken.output


def test_reset_password_replaces_the_old_one(db):
    asyncio.run(make_user("desk1", ("front_desk",)))
    result = center("reset-password", "desk1", input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert asyncio.run(authenticate("desk1", NEW_PASSWORD)).username == "desk1"
    with pytest.raises(LoginRefused):
        asyncio.run(authenticate("desk1", PASSWORD))


def test_reset_password_of_an_unknown_user_fails(db):
    result = center("reset-password", "nobody", "--password-stdin", input=f"{NEW_PASSWORD}\n")
    assert result.exit_code == 1
    assert "no user named 'nobody'" in result.output


def test_demo_command_refuses_when_demo_mode_is_off(db):
    result = center("demo")
    assert result.exit_code == 1
    assert "Demo mode is off" in result.output and "CENTER_DEMO=1" in result.output
    assert Room.count().run_sync() == 0


def test_demo_command_loads_once_and_prints_the_accounts(db, monkeypatch):
    demo_settings = dataclasses.replace(get_settings(), demo=True)
    monkeypatch.setattr(cli, "get_settings", lambda: demo_settings)
    first = center("demo")
    assert first.exit_code == 0, first.output
    assert "demo-password" in first.output and "manager" in first.output
    rooms = Room.count().run_sync()
    again = center("demo", "--force")
    assert again.exit_code == 1
    assert "never twice" in again.output
    assert Room.count().run_sync() == rooms


def test_backup_command_writes_a_copy_that_reads_back(db, tmp_path):
    asyncio.run(make_user("kept", ("manager",)))
    result = center("backup", "--output", str(tmp_path))
    assert result.exit_code == 0, result.output
    (path,) = tmp_path.iterdir()
    assert f"Backup written: {path}" in result.output
    if db == "sqlite":
        with sqlite3.connect(path) as conn:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            users = [row[0] for row in conn.execute("SELECT username FROM center_user")]
        assert {"center_room", "center_hold", "bookings_booking", "maintenance_location"} <= tables
        assert users == ["kept"]
    else:
        listing = subprocess.run(["pg_restore", "--list", path], capture_output=True, text=True, check=True)
        assert "TABLE public center_user" in listing.stdout
        assert "TABLE DATA public center_hold" in listing.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_run_migrates_loads_the_demo_on_first_run_and_serves(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "CENTER_DATA_DIR": str(tmp_path),
        "CENTER_CHEAP_PASSWORD_HASH": "1",
    }
    env.pop("CENTER_DATABASE_URL", None)
    env.pop("CENTER_DEMO", None)  # `--demo` asks for demo mode, as `./dev run` does
    server = subprocess.Popen(
        [sys.executable, "-m", "center.cli", "run", "--demo", "--port", str(port)],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.communicate()[0]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not answer /healthz within 60 s"
            time.sleep(0.2)
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 200
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Demo data loaded" in output and "demo-password" in output
    with sqlite3.connect(tmp_path / "center.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM center_room").fetchone()[0] == 9


@pytest.mark.parametrize("engine", ["postgres"], indirect=True)  # SQLite opens a file, not a connection
def test_a_command_on_postgresql_reuses_a_few_connections(db, monkeypatch):
    """Without a pool Piccolo opens a connection for every query outside a transaction: a command
    made one per query (hundreds for the demo). A command's queries share COMMAND_POOL_SIZE."""
    import asyncpg.connection

    from center.lib.db import COMMAND_POOL_SIZE

    opened = []
    real_connect = asyncpg.connection.connect

    async def counting_connect(*args, **kwargs):
        opened.append(1)
        return await real_connect(*args, **kwargs)

    monkeypatch.setattr(asyncpg.connection, "connect", counting_connect)
    monkeypatch.setattr(cli, "get_settings", lambda: dataclasses.replace(get_settings(), demo=True))
    result = center("demo")  # the migration, then the demo: two runs, each with its pool
    assert result.exit_code == 0, result.output
    assert Room.count().run_sync() > 0
    assert 2 <= len(opened) <= 2 * COMMAND_POOL_SIZE
