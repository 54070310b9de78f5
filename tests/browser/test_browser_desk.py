"""The front desk in a real Chromium on the demo center, by keyboard alone: a walk-in booking,
then typing its permit number into the scan field, checking in with a head count and a key,
checking out and taking the fee; a second desk's board shows the check-in without reloading;
axe finds nothing on any desk page.

The walk-in needs a room free for the rest of today, so the server runs with its clock at an hour
when the demo center is open (open_live_server), whatever hour the tests run at."""

from __future__ import annotations

import re
from functools import partial

from playwright.sync_api import Browser, Page, expect

from tests.browser.support import audit, check_structure, log_in_by_keyboard, screenshot, tab_to

MAX_TABS = 80
_tab_to = partial(tab_to, limit=MAX_TABS)


def _log_in_by_keyboard(page: Page) -> None:
    log_in_by_keyboard(page, "desk")


def _scan(page: Page, permit: str) -> None:
    """What a USB scanner does: type into the focused scan field and press Enter."""
    page.wait_for_url(re.compile(r"/desk(\?.*)?$"))
    assert page.evaluate("document.activeElement.id") == "q", "the scan field does not have focus"
    page.keyboard.type(permit)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/desk/bookings/\d+$"))


def test_the_desk_books_a_walk_in_checks_it_in_and_out_and_takes_the_fee_by_keyboard(
    browser: Browser, open_live_server: str, engine_kind: str
):
    desk = browser.new_context(base_url=open_live_server, viewport={"width": 1280, "height": 900})
    other = browser.new_context(base_url=open_live_server, viewport={"width": 1280, "height": 900})
    desk.set_default_timeout(15_000)
    other.set_default_timeout(15_000)
    try:
        page = desk.new_page()
        _log_in_by_keyboard(page)

        # A walk-in: the first free room, booked for an individual.
        page.goto("/desk/walk-in")
        check_structure(page)
        audit(page)
        _tab_to(page, "a[href*='/desk/walk-in?room=']")
        page.keyboard.press("Enter")
        page.wait_for_selector("#walk-in-form")
        _tab_to(page, "#name")
        page.keyboard.type("山田 花子")
        _tab_to(page, "#phone")
        page.keyboard.type("090-1234-5678")
        _tab_to(page, "#purpose")
        page.keyboard.type("自主学習")
        _tab_to(page, "#head_count")
        page.keyboard.type("2")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/desk/bookings/\d+$"))
        check_structure(page)
        audit(page)
        permit = re.search(r"\d{4}-\d{6}", page.locator("dl.facts").inner_text()).group(0)

        # The second desk watches the board.
        watcher = other.new_page()
        _log_in_by_keyboard(watcher)
        watcher.goto("/desk")
        expect(watcher.locator("#board")).to_contain_text("山田 花子")
        expect(watcher.locator("#board")).not_to_contain_text("K-21")

        # Check in: type the permit number, the head count, Tab, the key, Enter.
        page.goto("/desk")
        audit(page)
        _scan(page, permit)
        assert page.evaluate("document.activeElement.id") == "head_count"
        page.keyboard.type("3")
        page.keyboard.press("Tab")
        page.keyboard.type("K-21")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/desk(\?.*)?$"))
        expect(page.locator("[role=status]")).to_contain_text("チェックインしました")
        expect(page.locator("#board")).to_contain_text("K-21")
        screenshot(page, f"{engine_kind}-desk-board")

        # The other desk sees it without reloading.
        expect(watcher.locator("#board")).to_contain_text("K-21", timeout=15_000)
        expect(watcher.locator("#board")).to_contain_text("チェックイン済み")

        # Check out: scan again, Enter keeps the count and returns the key.
        _scan(page, permit)
        assert page.evaluate("document.activeElement.id") == "head_count"
        audit(page)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/desk(\?.*)?$"))
        expect(page.locator("[role=status]")).to_contain_text("チェックアウトしました")

        # Take the fee: scan, Tab to the amount (filled in), Enter.
        _scan(page, permit)
        _tab_to(page, "#amount")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/desk/bookings/\d+\?receipt=\d+$"))
        expect(page.locator("[role=status]")).to_contain_text("入金を記録しました")
        expect(page.locator("main")).to_contain_text("支払済み")
        audit(page)

        page.goto("/desk/cash")
        check_structure(page)
        expect(page.locator("main")).to_contain_text("✓")
        audit(page)
    finally:
        desk.close()
        other.close()


def test_a_forged_code_at_the_scan_field_is_refused_with_a_message(page: Page):
    _log_in_by_keyboard(page)
    page.goto("/desk")
    # A scanner types as soon as the field has focus: wait for the page to give it focus first.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'q'")
    page.keyboard.type("CAC1:2026-000001:000000000000")
    page.keyboard.press("Enter")
    expect(page.locator("[role=alert]")).to_contain_text("センターが発行したものではない")
    assert page.locator("#q[aria-invalid=true]").count() == 1
    audit(page)
