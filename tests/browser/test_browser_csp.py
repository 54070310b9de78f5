"""The Content-Security-Policy breaks nothing: in a real Chromium, the pages of each kind (and
the htmx enhancements: the room filter swapping its list, the lobby signage) run with the policy
the server sends and report no violation, neither as a securitypolicyviolation event nor in the
console."""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, Page

from tests.browser.support import log_in

# Collects every violation the page sees, from before its first script runs.
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__csp.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile));
"""
PUBLIC_PAGES = ["/", "/rooms", "/availability", "/calendar", "/report", "/flowerbeds", "/login", "/signage"]
MANAGER_PAGES = ["/reports", "/manage/bookings", "/account/feeds"]


def watched(context: BrowserContext) -> tuple[Page, list[str]]:
    context.add_init_script(WATCH)
    page = context.new_page()
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    return page, console


def violations(page: Page, console: list[str]) -> list[str]:
    return [f"{page.url}: {found}" for found in page.evaluate("window.__csp || []")] + console


def test_pages_run_under_the_policy_without_a_violation(context: BrowserContext):
    page, console = watched(context)
    found: list[str] = []
    for path in PUBLIC_PAGES:
        response = page.goto(path)
        assert response is not None and response.ok, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        found += violations(page, console)
    log_in(page, "manager")
    for path in MANAGER_PAGES:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        found += violations(page, console)
    assert found == [], "\n".join(found)


def test_htmx_swaps_the_room_list_under_the_policy(context: BrowserContext):
    page, console = watched(context)
    page.goto("/rooms")
    assert page.evaluate("typeof htmx") == "object"  # htmx loaded from /static under the policy
    with page.expect_response(lambda r: "/rooms" in r.url and r.request.headers.get("hx-request") == "true"):
        page.select_option("#filter-floor", index=1)
    page.wait_for_url(re.compile(r"floor="))  # hx-push-url ran: the swap happened through htmx
    assert violations(page, console) == []
