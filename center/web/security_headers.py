"""Security headers on every response the app sends: pages, the API, feeds, static files, error
pages and the 404 of a path no route knows.

A `before_send` hook rather than route middleware, because Litestar runs route middleware only
for matched routes; the hook sees every `http.response.start`. Headers a handler set itself win.

The Content-Security-Policy allows only the app's own origin: htmx comes from /static, every
style sheet is a file under /static (no inline <style>, no style attributes, and htmx's own
indicator style is turned off by the htmx-config meta tag in base.html), and no page has inline
scripts or event handlers. Images may also be data: URLs (the permit seal preview)."""

from __future__ import annotations

import functools

from litestar.types import Message, Scope

from center.lib.settings import get_settings

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(https: bool) -> dict[str, str]:
    """The headers every response carries; HSTS only behind TLS (CENTER_HTTPS=1)."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    }
    if https:
        headers["Strict-Transport-Security"] = HSTS
    return headers


@functools.cache
def _encoded(https: bool) -> tuple[tuple[bytes, bytes], ...]:
    return tuple((name.lower().encode(), value.encode()) for name, value in security_headers(https).items())


async def add_security_headers(message: Message, scope: Scope) -> None:
    """before_send hook: add the security headers to the start of every HTTP response (on every
    response, so plain lists rather than a header object's linear lookups per name)."""
    if message["type"] != "http.response.start":
        return
    headers = list(message.get("headers") or ())
    present = {name.lower() for name, _value in headers}
    headers.extend(pair for pair in _encoded(get_settings().https) if pair[0] not in present)
    message["headers"] = headers
