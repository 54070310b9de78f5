"""The front desk in a real Chromium on the demo center, by keyboard alone: a walk-in booking,
then typing its permit number into the scan field, which checks it in at once and comes back empty
and focused with the result beside it (a wrong code first is refused the same way, with htmx and
with a plain POST); checking out and taking the fee from the booking the result links to; a second
desk's board shows the check-in without reloading; axe finds nothing on any desk page.

The walk-in needs a room free for the rest of today, so the server runs with its clock at an hour
when the demo center is open (open_live_server), whatever hour the tests run at."""

from __future__ import annotations

import re
from functools import partial

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.phone_support import audit_all as audit  # WCAG A/AA and best practice
from tests.browser.support import (
    check_structure,
    log_in_by_keyboard,
    screenshot,
    tab_to,
    wait_for_focus,
)

MAX_TABS = 80
_tab_to = partial(tab_to, limit=MAX_TABS)


def _log_in_by_keyboard(page: Page) -> None:
    log_in_by_keyboard(page, "desk")


def _scan(page: Page, code: str) -> None:
    """What a USB scanner does: type into the focused scan field and press Enter. Whatever the
    result, the field is then empty and has focus again, and the result names the code tried."""
    wait_for_focus(page, "#q")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    expect(page.locator("#scan-result code")).to_have_text(code)
    page.wait_for_url(re.compile(r"/desk$"))
    wait_for_focus(page, "#q")
    assert page.input_value("#q") == "", "the scan field kept the last code"


def _book_walk_in(page: Page, name: str = "山田 花子") -> str:
    """A walk-in for an individual in the first free room, by keyboard; returns its permit number."""
    page.goto("/desk/walk-in")
    _tab_to(page, "a[href*='/desk/walk-in?room=']")
    page.keyboard.press("Enter")
    page.wait_for_selector("#walk-in-form")
    _tab_to(page, "#name")
    page.keyboard.type(name)
    _tab_to(page, "#phone")
    page.keyboard.type("090-1234-5678")
    _tab_to(page, "#purpose")
    page.keyboard.type("自主学習")
    _tab_to(page, "#head_count")
    page.keyboard.type("2")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/desk/bookings/\d+$"))
    return re.search(r"\d{4}-\d{6}", page.locator("dl.facts").inner_text()).group(0)


def _open_the_scanned_booking(page: Page) -> None:
    """From the scan field, Tab to the last result's link to the booking and follow it."""
    _tab_to(page, "a.scan-result__open")
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
        permit = _book_walk_in(page)
        check_structure(page)
        audit(page)

        # The second desk watches the board.
        watcher = other.new_page()
        _log_in_by_keyboard(watcher)
        watcher.goto("/desk")
        expect(watcher.locator("#board")).to_contain_text("山田 花子")
        expect(watcher.locator("#board")).not_to_contain_text("K-21")

        # Check in: type the permit number and Enter; the board updates at once.
        page.goto("/desk")
        audit(page)
        _scan(page, permit)
        expect(page.locator("#scan-result")).to_contain_text("チェックイン: 山田 花子")
        expect(page.locator("#board")).to_contain_text("チェックイン済み")
        audit(page)

        # The other desk sees it without reloading.
        expect(watcher.locator("#board")).to_contain_text("チェックイン済み", timeout=15_000)

        # On the booking the result links to: the key handed out, then check out there (the head
        # count, Enter returns the key).
        _open_the_scanned_booking(page)
        _tab_to(page, "#key_number", from_start=True)
        page.keyboard.type("K-21")
        page.keyboard.press("Enter")
        expect(page.locator("[role=status]")).to_contain_text("鍵の貸出を記録しました")
        expect(watcher.locator("#board")).to_contain_text("K-21", timeout=15_000)
        wait_for_focus(page, "#head_count")
        audit(page)
        page.keyboard.type("3")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/desk(\?.*)?$"))
        expect(page.locator("[role=status]")).to_contain_text("チェックアウトしました")
        expect(page.locator("#board")).to_contain_text("返却済み: K-21番")

        # Take the fee: the last scan's link again, Tab to the amount (filled in), Enter.
        _open_the_scanned_booking(page)
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


@pytest.mark.parametrize("with_htmx", [True, False], ids=["htmx", "plain-post"])
def test_a_wrong_code_then_the_right_one_scanned_in_a_row_checks_the_group_in_by_keyboard(
    browser: Browser, open_live_server: str, with_htmx: bool
):
    context = browser.new_context(base_url=open_live_server, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    if not with_htmx:
        # As without JavaScript: no htmx, so the scan is a plain POST and a 303 back to the board
        # (Playwright's own checks still need scripts, so they stay on and only htmx is kept out).
        context.route("**/static/htmx.min.js*", lambda route: route.abort())  # also ?v=HASH
    try:
        page = context.new_page()
        _log_in_by_keyboard(page)
        name = "佐藤 一郎" if with_htmx else "鈴木 次郎"
        permit = _book_walk_in(page, name)
        page.goto("/desk")
        page.evaluate("window.sameDocument = true")  # gone if a scan reloads the page

        _scan(page, "2026-999999")
        expect(page.locator("#scan-result")).to_contain_text("チェックインしていません")
        expect(page.locator("#scan-result")).to_contain_text("2026-999999 の予約はありません")

        _scan(page, permit)
        expect(page.locator("#scan-result")).to_contain_text(f"チェックイン: {name}")
        expect(page.locator("#board tr", has_text=name)).to_contain_text("チェックイン済み")
        assert page.evaluate("window.sameDocument === true") is with_htmx
        audit(page)
        screenshot(page, f"desk-scan-{'htmx' if with_htmx else 'plain-post'}-1280x800")
    finally:
        context.close()


def test_a_forged_code_at_the_scan_field_is_refused_with_the_code_shown(page: Page):
    _log_in_by_keyboard(page)
    page.goto("/desk")
    # A scanner types as soon as the field has focus: _scan waits for the page to give it focus.
    _scan(page, "CAC1:2026-000001:000000000000")
    expect(page.locator("#scan-result")).to_contain_text("センターが発行したものではない")
    audit(page)
