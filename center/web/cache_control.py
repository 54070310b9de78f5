"""Nothing a signed-in person is shown may be kept by a browser or a shared cache: every response
to a request with a signed-in user carries `Cache-Control: no-store`, replacing whatever the
handler set (a private feed's validators, an error page's defaults). The static files are the
same for everyone and stay cacheable: for a year (STATIC_CACHE)."""

from __future__ import annotations

from litestar.datastructures import CacheControlHeader, MutableScopeHeaders
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

NO_STORE = "no-store"
STATIC_PREFIX = "/static/"

# Pages link every static file as /static/NAME?v=HASH of its content (center.web.templating
# static_url), so a changed file has a new address and a browser may keep each one for a year
# without asking again, as nginx tells it in production (deploy/nginx/center.conf). The app says
# the same when it serves them itself (`./dev center`, a small install without nginx): before,
# a browser asked again for the style sheet and both scripts on every page it opened.
STATIC_CACHE = CacheControlHeader(public=True, max_age=31_536_000, immutable=True)


class NoStoreForSignedInMiddleware(ASGIMiddleware):
    """Runs inside CurrentUserMiddleware, so `scope["user"]` already says who is asking."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope.get("user") is None or scope["path"].startswith(STATIC_PREFIX):
            await next_app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                headers["Cache-Control"] = NO_STORE
            await send(message)

        await next_app(scope, receive, send_no_store)
