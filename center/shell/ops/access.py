"""One access line per request, with a request id.

The observer wraps the app's whole ASGI handler (outside Litestar's router and its exception
handling), so unmatched paths, refusals and server errors are seen like any page. For each HTTP
request it makes a new request id, puts it in the scope (the error page shows it for staff to
quote), in the X-Request-ID response header and on every log line written meanwhile; then it
writes the access line (secrets redacted) and records the latency by route template."""

from __future__ import annotations

import logging
import os
import random
import secrets
import time
from collections.abc import Callable

from litestar import Litestar
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from center.shell.ops.logs import request_id_var
from center.web.access_log import RedactSecrets

logger = logging.getLogger("center.access")

REQUEST_ID_HEADER = "X-Request-ID"
UNMATCHED = "(unmatched)"  # the route label of a path no route serves (a 404 or 405)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

# (route template, method, status class, seconds): the metrics' latency histogram.
Observe = Callable[[str, str, str, float], None]


# Request ids name a request in the log; they guard nothing, so they come from a per-process
# generator seeded from the OS (secrets would ask the kernel for every request).
_ids = random.Random(secrets.randbits(128))
os.register_at_fork(after_in_child=lambda: _ids.seed(secrets.randbits(128)))  # forked workers differ


def new_request_id() -> str:
    """16 hex digits: short enough to read out on the phone, unique enough for a log."""
    return f"{_ids.getrandbits(64):016x}"


def status_class(status: int) -> str:
    return f"{status // 100}xx"


class RequestObserver:
    """ASGI wrapper around the app's handler; see the module docstring."""

    def __init__(self, app: ASGIApp, redactor: RedactSecrets, observe: Observe | None = None) -> None:
        self.app = app
        self.redactor = redactor
        self.observe = observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        # Read before routing: a mounted app (static files) sees a shortened path.
        path, query = scope.get("path", ""), scope.get("query_string", b"")
        started = time.perf_counter()
        status, size = 500, 0
        header = (REQUEST_ID_HEADER.lower().encode(), request_id.encode())

        async def send_observed(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            seconds = time.perf_counter() - started
            try:
                self._record(scope, path, query, status, size, seconds)
            finally:
                request_id_var.reset(token)

    def _record(self, scope: Scope, path: str, query: bytes, status: int, size: int, seconds: float) -> None:
        method = scope.get("method", "GET")
        route = scope.get("path_template") or UNMATCHED
        if self.observe is not None:
            self.observe(route, method if method in METHODS else "OTHER", status_class(status), seconds)
        target = path + ("?" + query.decode("latin-1") if query else "")
        target = self.redactor.redact(target)
        client = scope.get("client")
        address = client[0] if client else "-"
        version = scope.get("http_version", "1.1")
        if not logger.isEnabledFor(logging.INFO):
            return
        # Built and handled directly: Logger.info would also look up the caller's frame for
        # every request, which no format here prints.
        record = logger.makeRecord(
            logger.name,
            logging.INFO,
            __file__,
            0,
            '%s "%s %s HTTP/%s" %d %.1fms %dB',
            (address, method, target, version, status, seconds * 1000, size),
            None,
            extra={
                "redacted": True,  # the target was redacted above; the rest holds no secret
                "fields": {
                    "client": address,
                    "method": method,
                    "path": target,
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                    "bytes": size,
                    "http_version": version,
                },
            },
        )
        logger.handle(record)


def install(app: Litestar, redactor: RedactSecrets) -> None:
    """Wrap the app's handler in the observer (once) and redact secrets in whatever reaches the
    server log's handler, whichever logger wrote it."""
    from center.shell.ops.logs import center_handlers
    from center.shell.ops.metrics import observe_request

    for handler in center_handlers():
        for old in [f for f in handler.filters if isinstance(f, RedactSecrets)]:
            handler.removeFilter(old)
        handler.addFilter(redactor)
    if not isinstance(app.asgi_handler, RequestObserver):
        app.asgi_handler = RequestObserver(app.asgi_handler, redactor, observe_request)
