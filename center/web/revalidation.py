"""Revalidation answered before the app's middleware: a visitor's conditional GET of a page or feed
whose copy is still current gets its 304 here, without the session, CSRF, locale and routing layers
that a full request passes through (about five times the work of the 304 itself).

Only paths a module registered are looked at (center.web.conditional registers the visitor pages it
answered, center.shell.feeds.web the public feeds), and only requests that carry a validator. The
registered revalidator computes the same validators its full request would from the same inputs
(address, query, language cookie, CSRF cookie, htmx headers, data versions) and answers the 304's
headers, or None: then, and on any error, the request goes on through the app as before, so the
worst a revalidator can do is decline. Requests holding a session cookie always go on: whether
someone is signed in is the session's to say.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from litestar import Request
from litestar.types import ASGIApp, Receive, Scope, Send

from center.lib.settings import Network
from center.web.forwarded import resolve_scope

SESSION_COOKIE = b"session="  # Litestar's default session cookie name (center.accounts.sessions)
MAX_PATHS = 1024

# The 304's headers when the client's copy is current, else None.
Revalidator = Callable[[Request], Awaitable[dict[str, str] | None]]

_revalidators: dict[str, tuple[str, Revalidator]] = {}


def register(path: str, route: str, revalidator: Revalidator) -> None:
    """Let GETs of `path` (exactly; `route` is its template, for the access log and metrics) be
    revalidated here. Bounded: past MAX_PATHS paths, new ones are simply left to the app."""
    if path in _revalidators or len(_revalidators) < MAX_PATHS:
        _revalidators[path] = (route, revalidator)


def _wants_revalidation(scope: Scope) -> bool:
    conditional = False
    for name, value in scope["headers"]:
        if name in (b"if-none-match", b"if-modified-since"):
            conditional = True
        elif name == b"cookie" and SESSION_COOKIE in value:
            return False
    return conditional


class Revalidation:
    """ASGI wrapper around the app's handler (inside the access log's observer)."""

    def __init__(self, app: ASGIApp, trusted_proxies: Sequence[Network] = ()) -> None:
        self.app = app
        self.trusted_proxies = trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            found = _revalidators.get(scope["path"])
            if found is not None and _wants_revalidation(scope):
                try:
                    headers = await found[1](Request(scope))
                except Exception:  # the full request will meet (and report) the same trouble
                    headers = None
                if headers is not None:
                    resolve_scope(scope, self.trusted_proxies)  # the access log's client address
                    scope["path_template"] = found[0]
                    await _not_modified(send, headers)
                    return
        await self.app(scope, receive, send)


async def _not_modified(send: Send, headers: dict[str, str]) -> None:
    # The security headers are added by the app's before_send hook, which wraps this send too.
    raw = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
    await send(
        {
            "type": "http.response.start",
            "status": 304,
            "headers": raw,
        }
    )
    await send({"type": "http.response.body", "body": b"", "more_body": False})


def clear() -> None:
    """Forget every registration (tests)."""
    _revalidators.clear()
