"""Every page each role can reach passes the page checks: for each demo account, the links in the
navigation and one level of links from those pages (a bounded sample), each with one h1, a lang
attribute, a working skip link and zero axe-core WCAG A/AA violations."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urldefrag, urlparse

import pytest
from playwright.sync_api import Page

from tests.browser.support import audit, check_skip_link, check_structure, log_in, screenshot

MAX_PAGES = 25  # per role
PER_KIND = 1  # pages sampled from links that differ only in their last path segment or query
NOT_PAGES = ("/api/", "/feeds/", "/schema", "/static/", "/healthz")
SCREENSHOTS_PER_ROLE = 1  # the home page each role and language starts from

# The demo accounts; the visitor does not log in. ":en" walks the same pages in English.
ROLES = ["visitor", "member", "desk", "facilities", "manager", "visitor:en", "member:en", "manager:en"]


def _same_origin_paths(page: Page, selector: str, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "links => links.map(a => a.href)")
    paths = []
    for href in hrefs:
        url, _fragment = urldefrag(href)
        parsed = urlparse(url)
        if f"{parsed.scheme}://{parsed.netloc}" != origin or parsed.path.startswith(NOT_PAGES):
            continue
        path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        if path not in paths:
            paths.append(path)
    return paths


def _kind(path: str) -> str:
    """Links to pages of one kind: /rooms/hall and /rooms/washitsu, /calendar?month=… ."""
    bare = path.split("?", 1)[0].rstrip("/")
    return bare.rsplit("/", 1)[0] + f"/*{bare.count('/')}" if "?" not in path else bare + "?*"


def _check_page(page: Page, path: str, role: str) -> list[str]:
    response = page.goto(path)
    if response is None:
        return [f"{path}: no response"]
    problems = []
    if response.status == 401 and role == "visitor":
        pass  # a link that invites a visitor to log in first; the login prompt is checked below
    elif response.status == 403:
        problems.append(f"{path}: a link shown to {role} leads to 403 (a dead end for this role)")
    elif response.status >= 400:
        return [f"{path}: answered {response.status}"]
    if "text/html" not in (response.headers.get("content-type") or ""):
        return problems  # a photo or a download linked from a page, not a page
    for check in (check_structure, check_skip_link, audit):
        try:
            check(page)
        except AssertionError as failure:
            problems.append(f"{path}: {failure}")
        except Exception as failure:  # a Playwright timeout in the skip-link check, say
            problems.append(f"{path}: {type(failure).__name__}: {failure}")
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_reaches_passes_the_page_checks(
    page: Page, live_server: str, engine_kind: str, role
):
    role, _, language = role.partition(":")
    if role != "visitor":
        log_in(page, role)
    page.goto("/")
    if language == "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "en"
    navigation = _same_origin_paths(page, "nav a[href], header a[href]", live_server)
    assert navigation, "the navigation has no links"
    visited: list[str] = []
    problems: list[str] = []
    sampled: Counter[str] = Counter()
    queue = [(path, 0) for path in ["/", *navigation]]
    while queue and len(visited) < MAX_PAGES:
        path, depth = queue.pop(0)
        if path in visited:
            continue
        if depth > 0:
            if sampled[_kind(path)] >= PER_KIND:
                continue
            sampled[_kind(path)] += 1
        visited.append(path)
        problems += _check_page(page, path, role)
        if len(visited) <= SCREENSHOTS_PER_ROLE:
            slug = path.strip("/").replace("/", "-").replace("?", "-") or "home"
            screenshot(page, f"{engine_kind}-{role}{'-' + language if language else ''}-{slug}")
        if depth == 0 and page.url.startswith(live_server):
            for link in _same_origin_paths(page, "main a[href]", live_server):
                if link not in visited:
                    queue.append((link, 1))
    if role != "visitor":
        # The session survived the walk: nothing visited logged the account out.
        page.goto("/")
        assert page.locator("nav form[action='/logout'] button").count() == 1
    print(f"{role} on {engine_kind}: {len(visited)} pages: {' '.join(visited)}")
    assert problems == [], f"{len(problems)} problems on {len(visited)} pages for {role}:\n" + "\n".join(
        problems
    )
