"""Demo mode (accounts with the password printed in the README) runs only when asked for, and never
where a real center could be: refused with CENTER_HTTPS=1, on a non-loopback address, and on a
database holding real accounts, with a clear message and a non-zero exit."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import sqlite3
import subprocess
import sys

import pytest
from click.testing import CliRunner, Result

from center import cli
from center.lib.settings import BASE_DIR, get_settings
from center.places.tables import Room
from center.shell.demo_guard import is_loopback
from tests.helpers import make_user


def center(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args))


@pytest.fixture
def demo_settings(monkeypatch):
    """Demo mode on, and a uvicorn that records instead of serving (so nothing is ever served)."""
    served: list[dict] = []
    settings = dataclasses.replace(get_settings(), demo=True)
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: served.append(kwargs))
    return served


def test_demo_mode_is_off_when_nobody_asks_for_it(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("CENTER_")}
    env.update(CENTER_DATA_DIR=str(tmp_path), CENTER_CHEAP_PASSWORD_HASH="1")
    result = subprocess.run(
        [sys.executable, "-m", "center.cli", "demo"], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Demo mode is off" in result.stderr
    with sqlite3.connect(tmp_path / "center.sqlite3") as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "center_room" not in tables  # refused before anything was migrated or loaded


def test_demo_mode_is_refused_under_https(db, monkeypatch, demo_settings):
    https = dataclasses.replace(get_settings(), demo=True, https=True)
    monkeypatch.setattr(cli, "get_settings", lambda: https)
    result = center("run")
    assert result.exit_code == 1, result.output
    assert "refused with CENTER_HTTPS=1" in result.output
    assert demo_settings == [] and Room.count().run_sync() == 0


def test_demo_command_is_refused_under_https(db, monkeypatch):
    https = dataclasses.replace(get_settings(), demo=True, https=True)
    monkeypatch.setattr(cli, "get_settings", lambda: https)
    result = center("demo")
    assert result.exit_code == 1
    assert "CENTER_HTTPS=1" in result.output
    assert Room.count().run_sync() == 0


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "center.example.jp", "::"])
def test_demo_mode_is_refused_on_an_address_other_than_loopback(db, demo_settings, host):
    result = center("run", "--host", host)
    assert result.exit_code == 1, result.output
    assert f"refused on {host}" in result.output
    assert demo_settings == [] and Room.count().run_sync() == 0


def test_demo_mode_is_refused_on_a_database_with_real_accounts(db, demo_settings):
    asyncio.run(make_user("tanaka", ("manager",)))
    result = center("run")
    assert result.exit_code == 1, result.output
    assert "real accounts (tanaka)" in result.output
    assert demo_settings == []


def test_demo_force_is_refused_beside_real_accounts(db, demo_settings):
    asyncio.run(make_user("tanaka", ("manager",)))
    result = center("demo", "--force")
    assert result.exit_code == 1, result.output
    assert "real accounts (tanaka)" in result.output
    assert Room.count().run_sync() == 0


def test_demo_mode_on_loopback_loads_the_demo_and_serves(db, demo_settings):
    result = center("run", "--host", "127.0.0.1")
    assert result.exit_code == 0, result.output
    assert "Demo data loaded" in result.output
    assert [call["host"] for call in demo_settings] == ["127.0.0.1"]
    again = center("run", "--host", "localhost")  # the demo's own accounts are not real ones
    assert again.exit_code == 0, again.output


def test_only_this_machine_counts_as_loopback():
    assert all(is_loopback(host) for host in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(host) for host in ("0.0.0.0", "::", "10.0.0.1", "example.jp", ""))


def test_the_app_itself_refuses_demo_mode_under_https(monkeypatch):
    from center import app as app_module

    https = dataclasses.replace(get_settings(), demo=True, https=True)
    monkeypatch.setattr(app_module, "get_settings", lambda: https)
    with pytest.raises(RuntimeError, match="CENTER_HTTPS=1"):
        app_module.create_app()
