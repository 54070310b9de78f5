"""Every response carries the security headers: a same-origin Content-Security-Policy without
'unsafe-inline' for scripts, no framing, nosniff and a Referrer-Policy, for every route and every
role (the routes come from the app itself), and for error pages, static files and unknown paths;
HSTS is sent only behind TLS (CENTER_HTTPS=1). No page carries an inline script, style or event
handler that the policy would block."""

from __future__ import annotations

import dataclasses
import re

import httpx
import pytest

from center.lib.settings import get_settings
from center.web import security_headers as module
from tests.center.test_routes_access import (
    ACCOUNTS,
    UNSAFE,
    endpoints,
    logged_in_client,
    send,
    set_up_people,
)

pytestmark = pytest.mark.anyio

EXPECTED = {"x-frame-options": "DENY", "x-content-type-options": "nosniff"}
REFERRER_POLICIES = {"same-origin", "no-referrer"}  # pages with a secret in their address send none
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def missing_headers(response: httpx.Response) -> list[str]:
    missing = [name for name, value in EXPECTED.items() if response.headers.get(name) != value]
    if response.headers.get("referrer-policy") not in REFERRER_POLICIES:
        missing.append("referrer-policy")
    policy = response.headers.get("content-security-policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    if directives.get("script-src") != ["'self'"] or directives.get("default-src") != ["'self'"]:
        missing.append("content-security-policy script-src/default-src 'self'")
    if directives.get("frame-ancestors") != ["'none'"]:
        missing.append("content-security-policy frame-ancestors 'none'")
    if "strict-transport-security" in response.headers:
        missing.append("no HSTS without CENTER_HTTPS")
    return missing


@pytest.mark.parametrize("account", list(ACCOUNTS))
async def test_every_route_answers_every_role_with_the_security_headers(db, app, account):
    await set_up_people()
    wrong: list[str] = []
    inline: list[str] = []
    client = await logged_in_client(app, account)
    try:
        for endpoint in endpoints(app):
            # Unsafe methods without a CSRF token: refused before any handler, so nothing
            # changes, and the refusal must carry the headers too.
            response = await send(client, endpoint, with_csrf=endpoint.method not in UNSAFE)
            if problems := missing_headers(response):
                wrong.append(f"{account}: {endpoint.label} -> {response.status_code}: {problems}")
            if "text/html" in response.headers.get("content-type", "") and (
                found := INLINE.search(response.text)
            ):
                inline.append(f"{account}: {endpoint.label}: {found.group(0)}")
    finally:
        await client.aclose()
    assert wrong == [], "\n".join(wrong[:40])
    assert inline == [], "\n".join(inline[:40])


@pytest.mark.parametrize(
    "path", ["/static/center.css", "/static/htmx.min.js", "/no/such/page", "/api/no-such-thing", "/healthz"]
)
async def test_static_files_unknown_paths_and_the_health_check_carry_the_headers(client, path):
    response = await client.get(path)
    assert missing_headers(response) == [], (path, response.status_code)


async def test_hsts_is_sent_only_behind_tls(client, monkeypatch):
    https = dataclasses.replace(get_settings(), https=True)
    monkeypatch.setattr(module, "get_settings", lambda: https)
    response = await client.get("/")
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")


def test_the_policy_allows_no_inline_script_and_no_other_origin():
    policy = module.CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "http" not in policy and "*" not in policy
