"""The systemd units and the environment file in deploy/ agree with the app: the commands they
run exist, the env file names every setting center/lib/settings.py reads, and (where systemd is
installed) systemd-analyze accepts the units."""

from __future__ import annotations

import re
import shutil
import subprocess
from configparser import ConfigParser
from pathlib import Path

from click.testing import CliRunner

from center.cli import main

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
APP_DIR = "/srv/center/app"
ENV_FILE = "/etc/center/center.env"


def unit(name: str) -> ConfigParser:
    parser = ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment]  # keys are case-sensitive
    parser.read_string((DEPLOY / "systemd" / name).read_text())
    return parser


def settings_read() -> set[str]:
    """Every CENTER_ variable center/lib/settings.py reads."""
    source = (ROOT / "center" / "lib" / "settings.py").read_text()
    return set(re.findall(r"\(\s*\"(CENTER_[A-Z0-9_]+)\"", source))


def env_example_names() -> set[str]:
    text = (DEPLOY / "center.env.example").read_text()
    return set(re.findall(r"^#?(CENTER_[A-Z0-9_]+)=", text, re.MULTILINE))


def test_env_example_names_every_setting():
    read = settings_read()
    assert {"CENTER_TRUSTED_PROXIES", "CENTER_WORKERS", "CENTER_DATABASE_URL"} <= read
    missing = read - env_example_names()
    assert not missing, f"deploy/center.env.example does not describe {sorted(missing)}"
    unknown = env_example_names() - read
    assert not unknown, f"deploy/center.env.example names settings the app does not read: {sorted(unknown)}"


def test_env_example_is_for_a_real_center_behind_nginx():
    values = dict(
        line.split("=", 1)
        for line in (DEPLOY / "center.env.example").read_text().splitlines()
        if line.startswith("CENTER_")
    )
    assert values["CENTER_HTTPS"] == "1"
    assert values["CENTER_DEMO"] == "0"
    assert values["CENTER_TRUSTED_PROXIES"] == "127.0.0.1"
    nginx = (DEPLOY / "nginx" / "center.conf").read_text()
    assert f"server {values['CENTER_HOST']}:{values['CENTER_PORT']};" in nginx


def test_units_run_existing_commands_with_the_env_file():
    runner = CliRunner()
    for name, command in (("center-web.service", "run"), ("center-jobs.service", "jobs")):
        service = unit(name)["Service"]
        assert service["ExecStart"] == f"{APP_DIR}/.venv/bin/center {command}"
        assert service["EnvironmentFile"] == ENV_FILE
        assert service["WorkingDirectory"] == APP_DIR
        assert service["User"] == "center"
        assert runner.invoke(main, [command, "--help"]).exit_code == 0
    assert unit("center-jobs.service")["Service"]["Type"] == "oneshot"
    timer = unit("center-jobs.timer")["Timer"]
    assert timer["Unit"] == "center-jobs.service"
    assert timer["OnCalendar"] == "*-*-* *:*:00"  # every minute: mail delivery is due each minute


def test_center_run_takes_its_workers_from_the_environment(monkeypatch):
    import uvicorn

    from center import cli
    from center.lib.settings import get_settings

    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    monkeypatch.setattr(cli, "_migrate", lambda: None)
    monkeypatch.setenv("CENTER_WORKERS", "3")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["run", "--no-demo"])
        assert result.exit_code == 0, result.output
        result = CliRunner().invoke(main, ["run", "--no-demo", "--workers", "2"])
        assert result.exit_code == 0, result.output
    finally:
        monkeypatch.delenv("CENTER_WORKERS")
        monkeypatch.delenv("CENTER_DEMO", raising=False)
        get_settings.cache_clear()
    assert [call["workers"] for call in calls] == [3, 2]
    # The app reads forwarded headers itself, from CENTER_TRUSTED_PROXIES only.
    assert all(call["proxy_headers"] is False for call in calls)


def test_systemd_accepts_the_units(tmp_path):
    """systemd-analyze verify, with the app folder pointed at this checkout (its .venv)."""
    analyze = shutil.which("systemd-analyze")
    names = ["center-web.service", "center-jobs.service", "center-jobs.timer"]
    for name in names:
        text = (DEPLOY / "systemd" / name).read_text().replace(APP_DIR, str(ROOT))
        (tmp_path / name).write_text(text)
    if analyze is None:
        return  # the checks above still ran; systemd is not installed here
    result = subprocess.run(
        [analyze, "verify", "--man=no", *(str(tmp_path / name) for name in names)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    problems = [
        line
        for line in result.stderr.splitlines()
        # A build machine has no `center` user or /etc/center; the units themselves must be clean.
        if line.strip() and "center.env" not in line and "User" not in line
    ]
    assert not problems, result.stderr


def test_a_bad_proxy_or_worker_setting_is_one_clear_message(monkeypatch):
    from center.lib.settings import get_settings

    for name, value, expected in (
        ("CENTER_TRUSTED_PROXIES", "127.0.0.1, nginx", "'nginx' is not an IP address or network"),
        ("CENTER_WORKERS", "0", "CENTER_WORKERS must be a whole number of at least 1"),
    ):
        monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(main, ["migrate"])
        finally:
            monkeypatch.delenv(name)
            get_settings.cache_clear()
        assert result.exit_code == 1
        assert expected in result.output
        assert "Traceback" not in result.output
