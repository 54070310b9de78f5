"""The set-up commands of `center` (registered in center/cli.py): `init`, `config check`,
`import groups` and `import bookings`. Messages about the files are in the user's language
(`--lang`, Japanese by default), through the translation catalogs."""

from __future__ import annotations

from pathlib import Path

import click

from center.lib.i18n import LOCALES, current_locale, gettext

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
lang_option = click.option(
    "--lang",
    type=click.Choice(LOCALES),
    default="ja",
    show_default=True,
    help="Language of the report (ja or en).",
)


def _problems_text(problems) -> str:
    return "\n".join(problem.text() for problem in problems)


def _checked(file: Path):
    from center.shell.setup.center_file import load_center_file

    config, problems = load_center_file(file)
    if config is None:
        raise click.ClickException(
            gettext("%(file)s has problems; nothing was changed:", file=file)
            + "\n"
            + _problems_text(problems)
        )
    return config


@click.command("init")
@click.argument("file", type=FILE)
@lang_option
def init(file: Path, lang: str) -> None:
    """Describe the center from a TOML file (docs/setup.md): rooms, slots, fees, hours, closed days,
    policy and terms, in one transaction. Refused when the database already has a center."""
    from center.shell.command_support import migrate as _migrate
    from center.shell.command_support import run as _run
    from center.shell.setup.center_write import CenterExists, WrittenCenter, init_center

    current_locale.set(lang)
    config = _checked(file)
    _migrate()

    async def work() -> WrittenCenter | CenterExists:
        try:
            return await init_center(config, file)
        except CenterExists as refused:
            return refused

    written = _run(work)
    if isinstance(written, CenterExists):
        raise click.ClickException(gettext(written.message))
    click.echo(
        gettext(
            "The center was set up from %(file)s. Rooms: %(rooms)s, slots: %(slots)s.",
            file=file.name,
            rooms=len(written.room_ids),
            slots=len(written.slot_ids),
        )
    )


@click.group("config")
def config() -> None:
    """Check a center file without changing anything."""


@config.command("check")
@click.argument("file", type=FILE)
@lang_option
def check(file: Path, lang: str) -> None:
    """Check a center file (TOML); every problem names its line and key. Writes nothing."""
    current_locale.set(lang)
    config = _checked(file)
    click.echo(
        gettext(
            "%(file)s is correct. Rooms: %(rooms)s, slots: %(slots)s, closed periods: %(closed)s.",
            file=file.name,
            rooms=len(config.rooms),
            slots=len(config.slots),
            closed=len(config.closed_days),
        )
    )


@click.group("import")
def import_() -> None:
    """Import the center's groups and bookings from CSV (Excel's UTF-8 or Shift_JIS)."""


def _import(kind: str, file: Path, apply: bool, lang: str) -> None:
    from center.shell.command_support import migrate as _migrate
    from center.shell.command_support import run as _run

    current_locale.set(lang)
    _migrate()
    if kind == "groups":
        from center.shell.setup.groups_import import import_groups as run_import
    else:
        from center.shell.setup.bookings_import import import_bookings as run_import

    async def work():
        current_locale.set(lang)
        return await run_import(file, apply=apply)

    report = _run(work)
    click.echo(report.text(apply=apply))
    if not report.accepted:
        raise SystemExit(1)


@import_.command("groups")
@click.argument("file", type=FILE)
@click.option("--apply", is_flag=True, help="Write the rows (all or nothing); without it, a dry run.")
@lang_option
def import_groups(file: Path, apply: bool, lang: str) -> None:
    """Import the register of groups (団体名簿) as approved groups."""
    _import("groups", file, apply, lang)


@import_.command("bookings")
@click.argument("file", type=FILE)
@click.option("--apply", is_flag=True, help="Write the rows (all or nothing); without it, a dry run.")
@lang_option
def import_bookings(file: Path, apply: bool, lang: str) -> None:
    """Import bookings already promised (approved), each holding its room through the ledger."""
    _import("bookings", file, apply, lang)


COMMANDS = (init, config, import_)
