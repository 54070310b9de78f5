"""Conditional GET and a rendered-page cache for visitors (nobody signed in, nothing in the session).

A visitor's page is a function of its address, language, htmx headers, the CSRF token (in its forms,
the same as the visitor's cookie), the data versions (center.lib.versions) and the minute (cells
turn "past" at a slot's start, which is on a whole minute). Its ETag hashes all of these, so an
unchanged page is answered 304 before anything is read but the versions (one query) or rendered;
and its body is kept per process, with the CSRF token cut out, so another visitor's GET of the same
page is the cached bytes with their own token put in. Signed-in people and sessions holding anything
(a flash message) always get a fresh render (and Cache-Control: no-store, cache_control.py).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from litestar import Request, Response
from litestar.response import Template
from litestar.serialization import encode_json
from litestar.utils.scope.state import ScopeState

from center.lib.db import get_engine
from center.lib.i18n import current_locale
from center.lib.versions import current, request_memo
from center.web import revalidation
from center.web.locale import locale_of

TOKEN_MARK = "\x00csrf\x00"
MAX_PAGES = 512
VARY = "Cookie, HX-Request, HX-Trigger"
CSRF_COOKIE = "csrftoken"  # Litestar's default (center.app configures no other)


@dataclass(frozen=True)
class _Page:
    body: str
    media_type: str
    status_code: int
    headers: dict[str, str]


_pages: OrderedDict[str, _Page] = OrderedDict()


def _visitor_key(request: Request, locale: str) -> str:
    query = "&".join(f"{key}={value}" for key, value in sorted(request.query_params.multi_items()))
    return "|".join(
        (
            request.scope["path"],
            query,
            locale,
            request.headers.get("HX-Request", ""),
            request.headers.get("HX-Trigger", ""),
            str(id(get_engine())),
        )
    )


async def _validators(key: str, token: str, *, pushed: bool = False) -> tuple[str, str]:
    """(the page's cache key, its ETag) under the current data versions and minute."""
    versions = await current(pushed=pushed)
    page_key = f"{key}|{versions.tag}|{datetime.now(UTC):%Y%m%d%H%M}"
    return page_key, '"' + hashlib.sha256(f"{page_key}|{token}".encode()).hexdigest()[:32] + '"'


def _matches(request: Request, etag: str) -> bool:
    return etag in {part.strip() for part in request.headers.get("If-None-Match", "").split(",")}


async def _revalidate(request: Request) -> dict[str, str] | None:
    """center.web.revalidation's check, before the app's middleware: the same validators as
    visitor_page computes, from the cookies the locale and CSRF middleware would read (a visitor
    without a CSRF cookie would be given a new token, so their copy cannot be current)."""
    token = request.cookies.get(CSRF_COOKIE)
    if not token:
        return None
    with request_memo():
        _page_key, etag = await _validators(
            _visitor_key(request, locale_of(request.scope)), token, pushed=True
        )
    return {"ETag": etag, "Vary": VARY} if _matches(request, etag) else None


async def visitor_page(request: Request, build: Callable[[], Awaitable[Any]]) -> Any:
    """What `build` answers (a Template, a Response or a value encoded as JSON), through the ETag
    check and the page cache when the request is a visitor's; otherwise `build()` as it is."""
    if request.scope.get("user") is not None or request.scope.get("session"):
        return await build()
    key = _visitor_key(request, current_locale.get())
    with request_memo():
        token = ScopeState.from_scope(request.scope).csrf_token or ""
        page_key, etag = await _validators(key, token)
        validators = {"ETag": etag, "Vary": VARY}
        if _matches(request, etag):
            return Response(b"", status_code=304, headers=validators)
        page = _pages.get(page_key)
        if page is None:
            page = await _render(request, await build(), token)
            if page.status_code == 200:
                _pages[page_key] = page
                while len(_pages) > MAX_PAGES:
                    _pages.popitem(last=False)
        else:
            _pages.move_to_end(page_key)
        if page.status_code == 200:  # its revalidation may be answered before the middleware
            revalidation.register(request.scope["path"], request.scope.get("path_template", ""), _revalidate)
        body = page.body.replace(TOKEN_MARK, token) if token else page.body
        return Response(
            body.encode(),
            media_type=page.media_type,
            status_code=page.status_code,
            headers={**page.headers, **validators},
        )


async def _render(request: Request, answer: Any, token: str) -> _Page:
    if isinstance(answer, Template):
        engine = request.app.template_engine
        assert engine is not None and answer.template_name
        body = engine.get_template(answer.template_name).render(**answer.create_template_context(request))
        headers = dict(answer.headers)
        media_type, status = "text/html", answer.status_code
    elif isinstance(answer, Response):
        body = answer.render(answer.content, answer.media_type).decode()
        headers, media_type, status = dict(answer.headers), str(answer.media_type), answer.status_code
    else:
        body, headers, media_type, status = encode_json(answer).decode(), {}, "application/json", 200
    if token:
        body = body.replace(token, TOKEN_MARK)
    headers.pop("Vary", None)
    return _Page(body, media_type, status, headers)


def clear_pages() -> None:
    _pages.clear()
