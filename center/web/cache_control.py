"""Nothing a signed-in person is shown may be kept by a browser or a shared cache: every response
to a request with a signed-in user carries `Cache-Control: no-store`, replacing whatever the
handler set (a private feed's validators, an error page's defaults). The static files are the
same for everyone and stay cacheable."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

NO_STORE = "no-store"
STATIC_PREFIX = "/static/"


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
