"""The client address behind a reverse proxy: forwarded headers count only from the proxies in
CENTER_TRUSTED_PROXIES, and then the rightmost untrusted hop of X-Forwarded-For is the client."""

from __future__ import annotations

import httpx
import pytest
from litestar import Litestar, Request, get

from center.lib.settings import TrustedProxiesInvalid, parse_trusted_proxies
from center.web.forwarded import (
    ForwardedMiddleware,
    client_address,
    forwarded_scheme,
    is_trusted,
    real_client,
    resolve_scope,
)

LOCAL = parse_trusted_proxies("127.0.0.1")
PROXIES = parse_trusted_proxies("127.0.0.1, 10.0.0.0/8, ::1")


def test_parsing_addresses_and_networks():
    networks = parse_trusted_proxies(" 127.0.0.1 ,10.0.0.0/8,, ::1, fd00::/8 ")
    assert [str(n) for n in networks] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128", "fd00::/8"]
    assert parse_trusted_proxies("") == ()
    assert parse_trusted_proxies(" , ") == ()
    # A host address with a prefix is taken as its network, not refused.
    assert [str(n) for n in parse_trusted_proxies("192.168.1.7/24")] == ["192.168.1.0/24"]


@pytest.mark.parametrize("bad", ["localhost", "127.0.0.1/33", "10.0.0.0/8; 1.2.3.4", "*"])
def test_parsing_names_the_bad_entry(bad):
    with pytest.raises(TrustedProxiesInvalid) as refused:
        parse_trusted_proxies(f"127.0.0.1, {bad}")
    assert "CENTER_TRUSTED_PROXIES" in str(refused.value)
    assert repr(bad.strip()) in str(refused.value)


def test_trust_by_address_and_network():
    assert is_trusted("127.0.0.1", PROXIES)
    assert is_trusted("10.20.30.40", PROXIES)
    assert is_trusted("::1", PROXIES)
    assert is_trusted("::ffff:127.0.0.1", PROXIES)  # IPv4 seen through an IPv6 socket
    assert not is_trusted("127.0.0.2", PROXIES)
    assert not is_trusted("testclient", PROXIES)  # not an address at all
    assert not is_trusted("", PROXIES)
    assert not is_trusted("127.0.0.1", ())  # nothing is trusted by default


def test_untrusted_peer_is_the_client_whatever_it_claims():
    assert real_client("203.0.113.5", ["198.51.100.1"], LOCAL) == "203.0.113.5"
    assert real_client("127.0.0.2", ["127.0.0.9"], LOCAL) == "127.0.0.2"
    assert real_client("127.0.0.1", ["198.51.100.1"], ()) == "127.0.0.1"  # default: no proxies


def test_trusted_peer_gives_the_rightmost_untrusted_hop():
    # nginx appended the address it saw (203.0.113.5) after whatever the client sent.
    assert real_client("127.0.0.1", ["198.51.100.1, 203.0.113.5"], LOCAL) == "203.0.113.5"
    assert real_client("127.0.0.1", ["203.0.113.5"], LOCAL) == "203.0.113.5"
    # Two trusted proxies in a row: skip both.
    assert real_client("127.0.0.1", ["192.0.2.1, 203.0.113.5, 10.1.2.3"], PROXIES) == "203.0.113.5"
    # Several header lines are one list, in order.
    assert real_client("127.0.0.1", ["192.0.2.1", "203.0.113.5, 10.1.2.3"], PROXIES) == "203.0.113.5"


def test_trusted_peer_without_forwarded_for_is_itself():
    assert real_client("127.0.0.1", [], LOCAL) == "127.0.0.1"
    assert real_client("127.0.0.1", [" , "], LOCAL) == "127.0.0.1"


def test_only_trusted_hops_gives_the_leftmost():
    assert real_client("127.0.0.1", ["10.0.0.5, 10.0.0.6"], PROXIES) == "10.0.0.5"


def test_garbage_stops_at_the_last_trusted_hop():
    assert real_client("127.0.0.1", ["unknown"], LOCAL) == "127.0.0.1"
    assert real_client("127.0.0.1", ["203.0.113.5, _hidden, 10.0.0.7"], PROXIES) == "10.0.0.7"


def test_forwarded_addresses_with_ports_and_brackets():
    assert real_client("127.0.0.1", ["203.0.113.5:4711"], LOCAL) == "203.0.113.5"
    assert real_client("127.0.0.1", ["[2001:db8::1]:4711"], LOCAL) == "2001:db8::1"
    assert real_client("127.0.0.1", ["2001:db8::1"], LOCAL) == "2001:db8::1"
    assert real_client("::1", ["2001:db8::2"], PROXIES) == "2001:db8::2"


def test_scheme_only_from_a_trusted_peer():
    assert forwarded_scheme("127.0.0.1", "https", LOCAL) == "https"
    assert forwarded_scheme("127.0.0.1", "http, https", LOCAL) == "https"
    assert forwarded_scheme("127.0.0.1", "HTTPS", LOCAL) == "https"
    assert forwarded_scheme("127.0.0.1", "gopher", LOCAL) is None
    assert forwarded_scheme("127.0.0.2", "https", LOCAL) is None
    assert forwarded_scheme("127.0.0.1", None, LOCAL) is None


def _scope(peer: str, *headers: tuple[bytes, bytes]) -> dict:
    return {"type": "http", "client": (peer, 5000), "scheme": "http", "headers": list(headers)}


def test_resolve_scope_rewrites_client_and_scheme_for_a_trusted_peer():
    scope = _scope(
        "127.0.0.1", (b"x-forwarded-for", b"10.9.9.9, 203.0.113.5"), (b"x-forwarded-proto", b"https")
    )
    resolve_scope(scope, LOCAL)
    assert scope["client"] == ("203.0.113.5", 0)
    assert scope["scheme"] == "https"
    # Resolving again changes nothing (the client is no longer a trusted peer).
    resolve_scope(scope, LOCAL)
    assert scope["client"] == ("203.0.113.5", 0)


def test_resolve_scope_leaves_an_untrusted_peer_alone():
    scope = _scope("127.0.0.2", (b"x-forwarded-for", b"203.0.113.5"), (b"x-forwarded-proto", b"https"))
    resolve_scope(scope, LOCAL)
    assert scope["client"] == ("127.0.0.2", 5000)
    assert scope["scheme"] == "http"
    lifespan = {"type": "lifespan"}
    resolve_scope(lifespan, LOCAL)
    assert lifespan == {"type": "lifespan"}


@get("/whoami", sync_to_thread=False)
def whoami(request: Request) -> dict[str, str]:
    return {"client": client_address(request), "base": str(request.base_url)}


async def _ask(trusted, peer: str, headers: dict[str, str]) -> dict[str, str]:
    app = Litestar(route_handlers=[whoami], middleware=[ForwardedMiddleware(trusted)])
    transport = httpx.ASGITransport(app=app, client=(peer, 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://center.example.jp") as http:
        response = await http.get("/whoami", headers=headers)
    assert response.status_code == 200
    return response.json()


@pytest.mark.anyio
async def test_the_app_sees_the_client_behind_a_trusted_proxy():
    answer = await _ask(LOCAL, "127.0.0.1", {"X-Forwarded-For": "203.0.113.5", "X-Forwarded-Proto": "https"})
    assert answer == {"client": "203.0.113.5", "base": "https://center.example.jp/"}


@pytest.mark.anyio
async def test_a_client_spoofing_headers_directly_gains_nothing():
    headers = {"X-Forwarded-For": "203.0.113.5", "X-Forwarded-Proto": "https"}
    assert await _ask(LOCAL, "198.51.100.7", headers) == {
        "client": "198.51.100.7",
        "base": "http://center.example.jp/",
    }
    # Without CENTER_TRUSTED_PROXIES not even a local peer is believed.
    assert (await _ask((), "127.0.0.1", headers))["client"] == "127.0.0.1"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
