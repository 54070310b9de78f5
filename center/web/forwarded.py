"""The client's real address (and scheme) behind a reverse proxy, trusting forwarded headers only
from the proxies named in CENTER_TRUSTED_PROXIES.

Behind nginx every request reaches the app from 127.0.0.1, so the rate limits of the public forms
and the login throttle would treat every visitor as one. nginx appends the address it saw to
X-Forwarded-For; a client can put anything before it. So, only when the direct peer is a trusted
proxy, the client is the rightmost address of X-Forwarded-For that is not itself a trusted proxy
(what each trusted hop saw), and X-Forwarded-Proto gives the scheme (https links behind TLS). From
any other peer both headers are ignored: a client talking to the app directly gains nothing by
sending them. With no trusted proxies (the default) the peer address is the client.

`ForwardedMiddleware` rewrites scope["client"] and scope["scheme"] once, first thing, so every
reader (`client_address`, request.base_url, the access log) sees the same answer. `center run`
turns uvicorn's own proxy-header handling off, so this is the only place it happens."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from litestar import Request
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from center.lib.settings import Network, TrustedProxiesInvalid, parse_trusted_proxies

__all__ = ["TrustedProxiesInvalid", "client_address", "parse_trusted_proxies", "real_client"]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
SCHEMES = frozenset({"http", "https"})


def _address(text: str) -> Address | None:
    """An address as written in X-Forwarded-For (bare, or an IPv6 address in brackets, with or
    without a port; an IPv4 address with a port), or None if it is not one."""
    value = text.strip()
    if value.startswith("["):
        value = value[1 : value.find("]")] if "]" in value else value
    elif value.count(":") == 1:  # IPv4 with a port
        value = value.split(":", 1)[0]
    try:
        found = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(found, ipaddress.IPv6Address) and found.ipv4_mapped:
        return found.ipv4_mapped
    return found


def is_trusted(host: str | None, trusted: Sequence[Network]) -> bool:
    """Whether a peer (or a hop in X-Forwarded-For) is one of the trusted proxies."""
    if not host or not trusted:
        return False
    address = _address(host)
    return address is not None and any(address in network for network in trusted)


def forwarded_hops(values: Iterable[str]) -> list[str]:
    """The hops of one or more X-Forwarded-For headers, leftmost (the claimed origin) first."""
    return [hop.strip() for value in values for hop in value.split(",") if hop.strip()]


def real_client(peer: str | None, forwarded_for: Iterable[str], trusted: Sequence[Network]) -> str:
    """The client's address: the peer itself unless it is a trusted proxy; then, walking
    X-Forwarded-For from the right, the first hop that is not a trusted proxy. A hop that is not
    an address stops the walk at the last trusted hop (a proxy passed on garbage: blame it)."""
    peer = peer or ""
    if not is_trusted(peer, trusted):
        return peer
    current = peer
    for hop in reversed(forwarded_hops(forwarded_for)):
        address = _address(hop)
        if address is None:
            return current
        current = str(address)
        if not is_trusted(current, trusted):
            return current
    return current  # every hop was a trusted proxy: the leftmost one is the best we know


def forwarded_scheme(peer: str | None, forwarded_proto: str | None, trusted: Sequence[Network]) -> str | None:
    """'http' or 'https' from X-Forwarded-Proto when the peer is trusted, else None (keep the
    connection's own scheme). With several values (proxies in a row) the last one set it."""
    if not forwarded_proto or not is_trusted(peer, trusted):
        return None
    value = forwarded_proto.split(",")[-1].strip().lower()
    return value if value in SCHEMES else None


def resolve_scope(scope: Scope, trusted: Sequence[Network]) -> None:
    """Rewrite scope["client"] and scope["scheme"] from the forwarded headers of a trusted peer."""
    if not trusted or scope["type"] not in {"http", "websocket"}:
        return
    client = scope.get("client")
    peer = client[0] if client else None
    if not is_trusted(peer, trusted):
        return
    forwarded_for: list[str] = []
    proto = None
    for name, value in scope.get("headers", ()):
        if name == b"x-forwarded-for":
            forwarded_for.append(value.decode("latin-1"))
        elif name == b"x-forwarded-proto":
            proto = value.decode("latin-1")
    host = real_client(peer, forwarded_for, trusted)
    if host and host != peer:
        scope["client"] = (host, 0)
    scheme = forwarded_scheme(peer, proto, trusted)
    if scheme and scope["type"] == "http":
        scope["scheme"] = scheme


class ForwardedMiddleware(ASGIMiddleware):
    """The outermost app middleware: resolve the client and scheme before anything reads them."""

    def __init__(self, trusted: Sequence[Network]) -> None:
        self.trusted = tuple(trusted)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        resolve_scope(scope, self.trusted)
        await next_app(scope, receive, send)


def client_address(request: Request) -> str:
    """The address the rate limits and the login throttle count a request against (resolved by
    ForwardedMiddleware from a trusted proxy's headers, else the direct peer)."""
    return request.client.host if request.client else ""
