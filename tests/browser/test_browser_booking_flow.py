"""The center's main flow by keyboard alone, in Chromium against the real server on each engine (the
ledger takes and releases the hold through the server's own engine: triggers on SQLite, the
exclusion constraint and the connection pool on PostgreSQL):
a member finds a free slot in the week grid and requests it (agreeing to the terms of use on the
confirmation page), the manager approves it, and the member downloads the permit. Every page on the
way passes axe's WCAG A/AA rules."""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import partial

from playwright.sync_api import Page

from tests.browser.conftest import both_engines
from tests.browser.support import DEMO_PASSWORD, audit, check_structure, focused, screenshot, tab_to

MAX_TABS = 500  # the week grid alone has 9 rooms × 7 days × 3 slots
_tab_to = partial(tab_to, limit=MAX_TABS)
ROOM = "meeting2"  # a small meeting room booked by slot, not a lottery room in the demo
PURPOSE = "キーボード操作の確認会"

pytestmark = both_engines()


def checked(page: Page) -> None:
    """Every page visited: one h1, a language, zero axe violations."""
    page.wait_for_load_state()
    check_structure(page)
    audit(page)


def log_in(page: Page, username: str) -> None:
    page.goto("/")
    checked(page)
    _tab_to(page, "nav a[href='/login']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/login*")
    checked(page)
    assert focused(page, "#username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector("nav form[action='/logout'] button")
    checked(page)


def log_out(page: Page) -> None:
    _tab_to(page, "nav form[action='/logout'] button")
    page.keyboard.press("Enter")
    page.wait_for_selector("nav a[href='/login']")
    checked(page)


def follow(page: Page, selector: str, url_pattern: str) -> None:
    _tab_to(page, selector)
    page.keyboard.press("Enter")
    page.wait_for_url(url_pattern)
    checked(page)


def request_a_free_slot(page: Page, engine_kind: str) -> int:
    follow(page, "nav a[href='/availability']", "**/availability*")
    # Two weeks on: beyond the three days' notice, within the six months ahead.
    for _ in range(2):
        before = page.locator("#week-caption").inner_text()
        _tab_to(page, "#week-grid nav.pager a:last-child")
        page.keyboard.press("Enter")
        page.wait_for_function(
            "(old) => document.querySelector('#week-caption')?.innerText !== old", arg=before
        )
        checked(page)
    screenshot(page, f"{engine_kind}-flow-week")
    free = f"#week-grid a[href^='/bookings/new?room={ROOM}&']"
    assert page.locator(free).count() > 0, f"no free slot of {ROOM} in the week shown"
    _tab_to(page, free)
    chosen = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/bookings/new?*")
    checked(page)
    day = re.search(r"day=(\d{4}-\d{2}-\d{2})", chosen).group(1)
    slot = re.search(r"slots=(\w+)", chosen).group(1)
    assert date.fromisoformat(day) >= date.today() + timedelta(days=7)
    assert page.locator(f"#slots-{slot}").is_checked()

    _tab_to(page, "#purpose")
    page.keyboard.type(PURPOSE)
    _tab_to(page, "#expected_head_count")
    page.keyboard.type("8")
    _tab_to(page, "button[name=action][value=request]")
    page.keyboard.press("Enter")
    # The confirmation page: agree to the terms of use and send.
    page.wait_for_selector("form[action='/bookings/request/confirm']")
    checked(page)
    assert PURPOSE in page.locator("main").inner_text()
    _tab_to(page, "#agree_to_terms")
    page.keyboard.press("Space")
    _tab_to(page, "button[name=action][value=confirm]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/bookings/\d+$"))
    checked(page)
    assert page.locator("[role=status]").count() == 1, "the request is not announced"
    assert "承認待ち" in page.locator("main").inner_text()
    screenshot(page, f"{engine_kind}-flow-requested")
    return int(page.url.rsplit("/", 1)[1])


def approve(page: Page, booking_id: int, engine_kind: str) -> None:
    follow(page, "nav a[href='/manage/bookings']", "**/manage/bookings*")
    approve_button = f"form[action='/manage/bookings/{booking_id}/approve'] button"
    assert page.locator(approve_button).count() == 1, "the request is not among those awaiting a decision"
    _tab_to(page, approve_button)
    page.keyboard.press("Enter")
    page.wait_for_selector("[role=status]")
    checked(page)
    assert page.locator(approve_button).count() == 0
    screenshot(page, f"{engine_kind}-flow-approved")


def download_permit(page: Page, booking_id: int, engine_kind: str) -> None:
    follow(page, "nav a[href='/bookings/mine']", "**/bookings/mine*")
    follow(page, f"main a[href='/bookings/{booking_id}']", f"**/bookings/{booking_id}")
    text = page.locator("main").inner_text()
    assert "承認済み" in text or "確定" in text, text[:400]
    permit = f"a[href='/bookings/{booking_id}/permit.pdf']"
    _tab_to(page, permit)
    # Chromium opens the inline PDF in its viewer: the response it got is the permit.
    with page.expect_response(
        lambda answer: answer.url.endswith(f"/bookings/{booking_id}/permit.pdf")
    ) as info:
        page.keyboard.press("Enter")
    response = info.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    # The viewer hands Playwright its own page as the body: fetch the bytes with the page's cookies.
    fetched = page.request.get(f"/bookings/{booking_id}/permit.pdf")
    assert fetched.status == 200 and fetched.headers["content-type"] == "application/pdf"
    assert fetched.body().startswith(b"%PDF-") and len(fetched.body()) > 10_000


def test_member_requests_manager_approves_member_downloads_the_permit(page: Page, engine_kind: str):
    log_in(page, "member")
    booking_id = request_a_free_slot(page, engine_kind)
    log_out(page)

    log_in(page, "manager")
    approve(page, booking_id, engine_kind)
    log_out(page)

    log_in(page, "member")
    download_permit(page, booking_id, engine_kind)
