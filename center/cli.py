"""The `center` command: serve the app, migrate, load the demo, manage accounts, back up, restore.

Every command that touches the database brings its schema up to date first (migrations are
idempotent), so `center create-user` works on a brand-new database too; `backup` only reads."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from piccolo.engine.sqlite import SQLiteEngine

from center.accounts.roles import STAFF_ROLES
from center.lib.settings import BASE_DIR, get_settings
from center.shell.command_support import database_label as _database_label
from center.shell.command_support import migrate as _migrate
from center.shell.command_support import run as _run
from center.shell.setup import commands as setup_commands


def _read_password(password_stdin: bool, password_env: str = "") -> str:
    if password_env:
        password = os.environ.get(password_env, "")
        if not password:
            raise click.ClickException(f"The environment variable {password_env} holds no password.")
        return password
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise click.ClickException("No password on standard input.")
        return password
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _echo_demo_accounts() -> None:
    from center.shell.demo import DEMO_PASSWORD, demo_accounts

    click.echo(f"Demo accounts (demo mode only), all with the password: {DEMO_PASSWORD}")
    for account in demo_accounts():
        what = [*account.roles]
        if account.groups:
            what.append("member of " + ", ".join(account.groups))
        if account.pending_groups:
            what.append("applied for " + ", ".join(account.pending_groups) + " (pending)")
        click.echo(f"  {account.username:<11} {'; '.join(what)}  ({account.display_name})")


def _load_demo(force: bool) -> str:
    """Load the demo unless the center is already set up; returns the database state before."""
    from center.shell.demo import database_state, load_demo

    async def work() -> str:
        state = await database_state()
        if state == "empty" or (state == "other" and force):
            await load_demo(force=force)
        return state

    return _run(work)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="civic-center")
def main() -> None:
    """Tomakomai Civic Activity Center: bookings and building maintenance."""
    try:
        get_settings()  # a setting the app cannot read is one message, not a traceback
    except ValueError as exc:
        raise click.ClickException(f"Settings: {exc}") from exc


def _refuse_demo_here(host: str) -> None:
    """Stop (non-zero exit) if demo mode may not run with these settings, on this address or on
    this database (center/shell/demo_guard.py)."""
    from center.shell.demo_guard import real_accounts, real_accounts_message, refusal

    if reason := refusal(get_settings(), host):
        raise click.ClickException(reason)
    if names := _run(real_accounts):
        raise click.ClickException(real_accounts_message(names))


def _set_demo_mode(demo: bool) -> None:
    """Make the served app (and its worker processes) agree with `--demo` / `--no-demo`."""
    os.environ["CENTER_DEMO"] = "1" if demo else "0"
    get_settings.cache_clear()


@main.command()
@click.option("--host", default=None, help="Address to listen on (default CENTER_HOST or 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default CENTER_PORT or 8000).")
@click.option(
    "--workers", type=click.IntRange(min=1), default=None, help="Processes (default CENTER_WORKERS or 1)."
)
@click.option(
    "--demo/--no-demo",
    default=None,
    help="Demo mode (default CENTER_DEMO, off): load the demo center into an empty database and show "
    "the demo banner. Refused with CENTER_HTTPS=1, on a non-loopback address or beside real accounts.",
)
@click.option("--reload", is_flag=True, help="Restart when code or templates change (development).")
def run(host: str | None, port: int | None, workers: int | None, demo: bool | None, reload: bool) -> None:
    """Migrate, load the demo data on first run (demo mode only), then serve the app."""
    import uvicorn

    if reload and workers is not None and workers > 1:
        raise click.UsageError("--reload runs one process; leave out --workers.")
    if demo is not None:
        _set_demo_mode(demo)
    settings = get_settings()
    workers = 1 if reload else (workers or settings.workers)
    host = host or settings.host
    port = port or settings.port
    _migrate()
    if settings.demo:
        _refuse_demo_here(host)
        state = _load_demo(force=False)
        if state == "empty":
            click.echo("Demo data loaded (first run in demo mode; leave out --demo for a real center).")
            _echo_demo_accounts()
        elif state == "other":
            click.echo("Demo mode is on, but the database already holds data: demo data not loaded.")
    from center.shell.ops.logs import uvicorn_log_config

    if workers > 1:
        _share_metrics_between_workers(settings.data_dir)
    click.echo(f"Serving http://{host}:{port}/ (Ctrl+C stops)")
    uvicorn.run(
        "center.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        reload_dirs=[str(BASE_DIR / name) for name in ("center", "bookings", "maintenance", "templates")]
        if reload
        else None,
        reload_includes=["*.py", "*.html", "*.po"] if reload else None,
        timeout_graceful_shutdown=10,
        # Forwarded headers are read by the app itself, from CENTER_TRUSTED_PROXIES only
        # (center/web/forwarded.py); uvicorn's own handling would trust any local peer.
        proxy_headers=False,
        log_config=uvicorn_log_config(settings.log_format),
        access_log=False,  # the app writes one access line per request, with its request id
    )


def _share_metrics_between_workers(data_dir: Path) -> None:
    """Several workers keep their metrics in files that any of them adds up when scraped
    (prometheus_client's multiprocess mode). Set before the workers start; emptied at each start,
    as the counts begin again with the processes. An explicit PROMETHEUS_MULTIPROC_DIR is kept."""
    import os

    # Named here, not imported: prometheus_client must first be imported in the workers, after it is set.
    env = "PROMETHEUS_MULTIPROC_DIR"
    if os.environ.get(env):
        return
    folder = data_dir / "metrics"
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    os.environ[env] = str(folder)


@main.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    _migrate()


@main.command()
@click.option(
    "--force",
    is_flag=True,
    help="Add the demo beside existing calendar data or groups (names already taken are skipped); "
    "never beside real accounts.",
)
def demo(force: bool) -> None:
    """Load the demo center (demo mode only): rooms, calendar, groups, accounts and bookings."""
    settings = get_settings()
    if not settings.demo:
        raise click.ClickException(
            "Demo mode is off: demo accounts have a published password and are never loaded into a "
            "real center. Set CENTER_DEMO=1 to try the demo on this machine."
        )
    _migrate()
    _refuse_demo_here(settings.host)
    state = _load_demo(force)
    if state == "rooms":
        raise click.ClickException(
            "The database already has rooms: the demo data is only loaded into a new center, and never twice."
        )
    if state == "other" and not force:
        raise click.ClickException(
            "The database already holds accounts or calendar data. "
            "Use --force to add the demo beside them (nothing is duplicated)."
        )
    click.echo("Demo data loaded.")
    _echo_demo_accounts()


@main.command("create-user")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="The person's name as staff see it.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(STAFF_ROLES),
    help="A staff role; repeat for several. Group members need none.",
)
@click.option("--email", default="", help="E-mail address for notices.")
@click.option("--phone", default="", help="Phone number.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@click.option(
    "--password-env", default="", metavar="NAME", help="Read the password from this environment variable."
)
def create_user(
    username: str,
    display_name: str,
    roles: tuple[str, ...],
    email: str,
    phone: str,
    password_stdin: bool,
    password_env: str,
) -> None:
    """Create an account (the password is asked twice without echo, or read from stdin or a variable)."""
    from center.accounts import service as accounts

    password = _read_password(password_stdin, password_env)
    _migrate()
    user_id = _run(
        lambda: accounts.create_user(username, display_name, password, list(roles), email=email, phone=phone)
    )
    click.echo(f"Created user {username!r} (id {user_id}) with roles: {', '.join(roles) or 'none'}.")


@main.command("reset-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def reset_password(username: str, password_stdin: bool) -> None:
    """Set a new password for an account and clear its failed-login count."""
    from center.accounts import service as accounts
    from center.accounts.tables import User

    _migrate()
    row = _run(lambda: User.select(User.id).where(User.username == username.strip()).first())
    if row is None:
        raise click.ClickException(f"There is no user named {username!r}.")
    password = _read_password(password_stdin)
    _run(lambda: accounts.reset_password(row["id"], password, actor=None))
    click.echo(f"Password reset for {username!r}.")


@main.command()
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="File (or folder) to write; default data/backups/center-YYYYmmdd-HHMMSS.",
)
def backup(output: Path | None) -> None:
    """Write a consistent copy of the database while the center runs."""
    from center.shell.backup import BackupError, backup_database

    try:
        result = backup_database(output)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backup written: {result.path} ({_size(result.size)})")


@main.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that already holds data (back it up first).")
def restore(file: Path, force: bool) -> None:
    """Restore a backup into a stopped or fresh center, then bring its schema up to date.

    Refused while a server runs on this data folder (or anything else is connected to the
    PostgreSQL database), into a database that holds data (without --force), and for a backup
    taken from the other engine."""
    from center.lib.db import get_engine
    from center.shell.backup.restore import RestoreRefused, restore_postgres, restore_sqlite
    from center.shell.backup.server_lock import exclusive

    settings = get_settings()
    engine = get_engine()
    with exclusive(settings.data_dir) as free:
        if not free:
            raise click.ClickException(
                f"A server is running on this data folder ({settings.data_dir}): stop it first "
                "(e.g. systemctl stop center); a backup is only restored into a stopped center."
            )
        try:
            if isinstance(engine, SQLiteEngine):
                result = restore_sqlite(file, Path(engine.path), force=force)
            else:
                result = restore_postgres(file, engine.config, force=force)
        except RestoreRefused as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(
            f"Restored {file} into the {_database_label()} ({result.tables} tables"
            f"{', replacing the data that was there' if result.replaced else ''})."
        )
        _migrate()


@main.command()
@click.option(
    "--force", "force_names", multiple=True, help="Run this job now even if it is not due (repeatable)."
)
def jobs(force_names: tuple[str, ...]) -> None:
    """Run the jobs that are due (for deployments that prefer cron to the in-process scheduler)."""
    from center.lib.scheduler import service as scheduler
    from center.shell.wiring import wire

    wire()
    known = {job.name: job for job in scheduler.jobs()}
    unknown = [name for name in force_names if name not in known]
    if unknown:
        raise click.ClickException(f"Unknown job: {', '.join(unknown)}. Jobs: {', '.join(known)}")
    _migrate()

    async def work() -> dict[str, str]:
        ran = {}
        for name in force_names:
            ran[name] = await scheduler.run_job(known[name], force=True) or ""
        ran.update(await scheduler.run_due())
        return ran

    ran = _run(work)
    if not ran:
        click.echo("No job was due.")
    for name, summary in ran.items():
        click.echo(f"{name}: {summary or 'done'}")


def _size(size: int) -> str:
    """1,234,567 bytes (1.2 MB)."""
    if size < 1024:
        return f"{size:,} bytes"
    if size < 1024 * 1024:
        return f"{size:,} bytes, {size / 1024:.1f} KB"
    return f"{size:,} bytes, {size / 1024 / 1024:.1f} MB"


for _command in setup_commands.COMMANDS:  # init, config check, import groups / bookings
    main.add_command(_command)


if __name__ == "__main__":
    sys.exit(main())
