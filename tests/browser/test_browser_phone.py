"""Every citizen page on a phone (390×844, touch), in Japanese and English, as a visitor and as a
member: no sideways scrolling, text at least 16 px, targets at least 24×24 and the primary action
44×44, checkboxes beside their labels, and axe-core (WCAG 2.x A/AA and best practice) clean."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.phone_support import audit_all, check_phone_page, log_in_on, phone_context
from tests.browser.support import settle

VISITOR_PAGES = [
    "/",
    "/rooms",
    "/rooms/*",
    "/availability",
    "/availability/search",
    "/calendar",
    "/exercise-videos",
    "/flowerbeds",
    "/flowerbeds/*",
    "/report",
    "/report/status",
    "/login",
    "/groups/apply",
    "/feeds",
]
MEMBER_PAGES = [
    "/",
    "/availability",
    "/bookings/mine",
    "/bookings/*",
    "/bookings/new?room=meeting2",
    "/bookings/series",
    "/bookings/series/new",
    "/lottery",
    "/account/feeds",
    "/inbox",
    "/my/groups",
]
# Where the first link of each kind is found: a room, a flower-bed day, one of the member's bookings.
FIRST_OF = {
    "/rooms/*": ("/rooms", r"^/rooms/[\w-]+$"),
    "/flowerbeds/*": ("/flowerbeds", r"^/flowerbeds/\d+$"),
    "/bookings/*": ("/bookings/mine", r"^/bookings/\d+$"),
}


def resolve(page: Page, path: str) -> str:
    if path not in FIRST_OF:
        return path
    listing, pattern = FIRST_OF[path]
    page.goto(listing)
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.getAttribute('href'))")
    found = next((href for href in hrefs if re.match(pattern, href)), None)
    assert found, f"no link like {pattern} on {listing}"
    return found


@pytest.mark.parametrize("role", ["visitor", "member"])
@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_citizen_page_fits_a_phone_and_passes_axe(browser: Browser, live_server: str, role, language):
    problems: list[str] = []
    with phone_context(browser, live_server) as context:
        page = context.new_page()
        if role == "member":
            log_in_on(page, "member")
        if language == "en":
            page.goto("/")
            with page.expect_navigation():
                page.locator("button[name=lang][value=en]").tap()
        for path in VISITOR_PAGES if role == "visitor" else MEMBER_PAGES:
            path = resolve(page, path)
            response = page.goto(path)
            assert response is not None and response.status == 200, (
                f"{path} answered {response and response.status}"
            )
            settle(page)
            assert page.evaluate("document.documentElement.lang") == language
            problems += [f"{path}: {problem}" for problem in check_phone_page(page)]
            try:
                audit_all(page)
            except AssertionError as failure:
                problems.append(f"{path}: {failure}")
    assert problems == [], f"{len(problems)} problems for {role} in {language}:\n" + "\n".join(problems)
