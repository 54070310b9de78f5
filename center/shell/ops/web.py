"""/healthz and /livez for anyone (a load balancer, a monitoring probe) and /metrics for managers or the
addresses in CENTER_METRICS_ALLOW (a Prometheus server); to anyone else /metrics is not there (404).

The address is the client's as the app sees it (behind a reverse proxy, the proxy's unless the
proxy is trusted to say who the client is), so an allow list of 127.0.0.1 behind a local nginx
would admit everyone: list the Prometheus server's own address, or let only managers in."""

from __future__ import annotations

import functools
import ipaddress
from ipaddress import IPv4Network, IPv6Network

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException

from center.accounts.guards import PUBLIC, principal_of
from center.accounts.roles import MANAGER
from center.lib.settings import get_settings
from center.shell.ops import facts, health, metrics

NO_STORE = {"Cache-Control": "no-store"}
# The text format every Prometheus reads (Litestar adds "; charset=utf-8").
METRICS_MEDIA_TYPE = "text/plain; version=0.0.4"


@functools.cache
def allowed_networks(entries: tuple[str, ...]) -> tuple[IPv4Network | IPv6Network, ...]:
    """CENTER_METRICS_ALLOW's addresses and networks (10.0.0.0/8); a wrong entry stops the app
    at start-up with its text, rather than being ignored."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ValueError(f"CENTER_METRICS_ALLOW: {entry!r} is not an address or network") from exc
    return tuple(networks)


def may_read_metrics(request: Request) -> bool:
    principal = principal_of(request)
    if principal is not None and principal.has(MANAGER):
        return True
    networks = allowed_networks(get_settings().metrics_allow)
    if not networks or request.client is None:
        return False
    try:
        address = ipaddress.ip_address(request.client.host)
    except ValueError:
        return False
    return any(address in network for network in networks)


class OpsController(Controller):
    """Health probes for anyone; metrics for managers and the allowed addresses."""

    path = "/"
    opt = PUBLIC
    include_in_schema = False

    @get("/metrics", name="ops:metrics")
    async def metrics_page(self, request: Request) -> Response[bytes]:
        """Prometheus metrics (text exposition format)."""
        if not may_read_metrics(request):
            raise NotFoundException()
        body = metrics.render(await facts.gather())
        return Response(body, media_type=METRICS_MEDIA_TYPE, headers=NO_STORE)

    @get("/healthz", name="ops:healthz")
    async def healthz(self) -> Response[dict]:
        """200 and the report when healthy; 503 naming the failing parts otherwise."""
        result = await health.report()
        return Response(result, status_code=200 if result["status"] == "ok" else 503, headers=NO_STORE)

    @get("/livez", name="ops:livez")
    async def livez(self) -> Response[dict]:
        """The process answers (nothing else is checked): for probes that must not depend on the
        database, and a cheap way to see that the event loop is not stalled."""
        return Response({"status": "ok"}, headers=NO_STORE)


ROUTES = [OpsController]
