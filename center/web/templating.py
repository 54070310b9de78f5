"""The Jinja environment: templates/ at the project root, gettext from our catalogs, and the
helpers every page uses (dates in the user's language, bilingual record fields, flash notices)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar.connection import ASGIConnection
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from center.lib import dates
from center.lib.i18n import current_locale, gettext, ngettext, npgettext, pgettext, pick
from center.lib.settings import BASE_DIR, get_settings

TEMPLATE_DIR = BASE_DIR / "templates"
STATIC_DIR = BASE_DIR / "static"

FLASH_KEY = "_flash"

# Helpers that belong to packages above this one (a role's label, a room's equipment): they are
# registered by the shell's wiring before any environment is built, so templates can use them
# while this module imports nothing above center.web.
_REGISTERED_GLOBALS: dict[str, Any] = {}


def register_globals(**helpers: Any) -> None:
    """Make these functions available to every template built from now on."""
    _REGISTERED_GLOBALS.update(helpers)


def yen(amount: int | None) -> str:
    """¥1,200 in both languages; reductions read -¥600."""
    amount = amount or 0
    return f"-¥{-amount:,}" if amount < 0 else f"¥{amount:,}"


def flash(connection: ASGIConnection, message: str, category: str = "success") -> None:
    """Queue a notice (an English msgid, translated when shown) for the next page."""
    session = connection.scope.get("session")
    if isinstance(session, dict):
        session.setdefault(FLASH_KEY, []).append({"message": message, "category": category})


def take_flashes(request: Any) -> list[dict[str, str]]:
    session = request.scope.get("session")
    if not isinstance(session, dict):
        return []
    return session.pop(FLASH_KEY, [])


@lru_cache(maxsize=64)
def static_url(name: str) -> str:
    """/static/NAME?v=HASH: the hash of the file's content changes the address when the file
    changes, so nginx may let browsers keep static files for a year (deploy/nginx/center.conf)."""
    digest = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]
    return f"/static/{name}?v={digest}"


def route_url(request: Any, name: str, **params: Any) -> str | None:
    """The path of a named route, or None when that part of the app is not installed, so a link
    to a feature appears only where the feature exists."""
    try:
        return _reversed(request.app, name, tuple(params.items()))
    except TypeError:  # a value that cannot be a cache key (none of ours): ask Litestar each time
        return _reverse(request.app, name, params)


@lru_cache(maxsize=4096)
def _reversed(app: Any, name: str, params: tuple[tuple[str, Any], ...]) -> str | None:
    """route_reverse kept per (app, name, values): Litestar sorts and checks the routes on every
    call, and a page asks for the same few paths many times."""
    return _reverse(app, name, dict(params))


def _reverse(app: Any, name: str, params: dict[str, Any]) -> str | None:
    try:
        return app.route_reverse(name, **params)
    except Exception:  # litestar raises NoRouteMatchFoundException
        return None


def build_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined if get_settings().debug else Environment().undefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # pgettext("room key", "Key") in templates: a message in the sense its context names.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext,
        ngettext,
        newstyle=True,
        pgettext=lambda context, message: pgettext(context, message),
        npgettext=lambda context, singular, plural, n: npgettext(context, singular, plural, n),
    )
    env.globals.update(
        pick=pick,
        locale=lambda: current_locale.get(),
        format_date=dates.format_date,
        format_time=dates.format_time,
        format_datetime=dates.format_datetime,
        wareki=dates.wareki,
        weekday_name=dates.weekday_name,
        holiday_name=dates.holiday_name,
        take_flashes=take_flashes,
        route_url=route_url,
        static_url=static_url,
        current_user=lambda request: request.scope.get("user"),
        demo_mode=lambda: get_settings().demo,
    )
    env.globals.update(_REGISTERED_GLOBALS)
    env.filters.update(yen=yen, local=dates.to_local)
    return env


def template_config() -> TemplateConfig:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(build_environment()))
