"""Per-request language: the `lang` cookie (set by the language switch), Japanese by default."""

from __future__ import annotations

from litestar.datastructures import Cookie
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from center.lib.i18n import current_locale, negotiate

LANG_COOKIE = "lang"


def locale_of(scope: Scope) -> str:
    """The language a request asks for, from its `lang` cookie."""
    cookie_header = ""
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            cookie_header = value.decode("latin-1")
    chosen = None
    for part in cookie_header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == LANG_COOKIE:
            chosen = value
    return negotiate(chosen, None)


class LocaleMiddleware(ASGIMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        token = current_locale.set(locale_of(scope))
        try:
            await next_app(scope, receive, send)
        finally:
            current_locale.reset(token)


def lang_cookie(locale: str, secure: bool) -> Cookie:
    return Cookie(
        key=LANG_COOKIE,
        value=locale,
        max_age=60 * 60 * 24 * 365,
        httponly=True,
        samesite="lax",
        secure=secure,
    )
