"""Booking a recurring series by keyboard alone on the demo center: the member logs in, opens the
series form from their bookings, previews a weekly series in a room where the demo already has
bookings (so clashes show), books the free dates and sees them listed. axe on every page."""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import partial

from playwright.sync_api import Browser, Page

from center.lib.dates import today
from tests.browser.support import audit, check_structure, log_in_by_keyboard, screenshot, tab_to

MAX_TABS = 120
_tab_to = partial(tab_to, limit=MAX_TABS)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
THURSDAY = 3  # the demo's 子育てサークルひまわり meets in 会議室2 on Thursday mornings, every other week


def _choose(page: Page, selector: str, value: str) -> None:
    """Pick an option of a focused <select> with the arrow keys."""
    _tab_to(page, selector)
    target = page.evaluate(
        "([s, v]) => Array.from(document.querySelector(s).options).findIndex(o => o.value === v)",
        [selector, value],
    )
    assert target >= 0, f"{selector} has no option {value}"
    current = page.evaluate("(s) => document.querySelector(s).selectedIndex", selector)
    key = "ArrowDown" if target > current else "ArrowUp"
    for _ in range(abs(target - current)):
        page.keyboard.press(key)
    assert page.evaluate("(s) => document.querySelector(s).value", selector) == value


def _type_date(page: Page, selector: str, day: date) -> None:
    """Chromium's date field in an en-US browser: month, day, year segments."""
    _tab_to(page, selector)
    page.keyboard.type(f"{day.month:02d}{day.day:02d}{day.year}")
    assert page.evaluate("(s) => document.querySelector(s).value", selector) == day.isoformat()


def test_member_books_a_weekly_series_with_clashes_by_keyboard(live_server: str, browser: Browser):
    # An en-US browser so the date fields take month, day, year; the pages stay in Japanese.
    context = browser.new_context(
        base_url=live_server, locale="en-US", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        log_in_by_keyboard(page, "member")

        page.goto("/bookings/mine")
        check_structure(page)
        audit(page)
        _tab_to(page, "main a[href='/bookings/series/new']")
        page.keyboard.press("Enter")
        page.wait_for_url("**/bookings/series/new")
        check_structure(page)
        audit(page)

        group_id = page.evaluate(
            "() => Array.from(document.querySelector('#group').options)"
            ".find(o => o.textContent.includes('ひまわり')).value"
        )
        _choose(page, "#group", group_id)
        _choose(page, "#room", "meeting2")
        _tab_to(page, "#pattern-weekly")
        assert page.evaluate("document.activeElement.checked")
        _choose(page, "#weekday", str(THURSDAY))
        first = today() + timedelta(days=7 + (THURSDAY - (today() + timedelta(days=7)).weekday()) % 7)
        _type_date(page, "#starts_on", first)
        _type_date(page, "#ends_on", first + timedelta(weeks=5))
        _tab_to(page, "#slots-morning")
        page.keyboard.press("Space")
        assert page.evaluate("document.activeElement.checked")
        _tab_to(page, "#purpose")
        page.keyboard.type("親子の集い")
        _tab_to(page, "#expected_head_count")
        page.keyboard.type("12")
        _tab_to(page, "main form button[type=submit]")
        page.keyboard.press("Enter")
        page.wait_for_url("**/bookings/series/preview*")

        check_structure(page)
        audit(page)
        screenshot(page, "series-preview")
        rows = page.locator("table.series-dates tbody tr")
        assert rows.count() == 6
        taken = page.locator("tr.series-date--taken")
        assert taken.count() >= 1, "the demo's own Thursday bookings should clash"
        assert "あなたの団体の予約" in taken.first.inner_text() or "予約あり" in taken.first.inner_text()
        free_boxes = page.locator("input[name=dates]")
        free_count = free_boxes.count()
        assert free_count >= 1
        assert free_count + taken.count() <= 6

        _tab_to(page, "main form[method=post] button[type=submit]")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/bookings/series/\d+$"))
        check_structure(page)
        audit(page)
        screenshot(page, "series-detail")
        assert page.locator("[role=status]").count() >= 1, "the booking is not announced"
        booked = page.locator("main table tbody tr", has_text="仮予約")
        assert booked.count() == free_count
        assert page.locator("main table tbody tr", has_text="予約なし").count() == 6 - free_count

        _tab_to(page, "main a[href='/bookings/series']")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/bookings/series$"))
        check_structure(page)
        audit(page)
        assert page.locator("main table tbody tr", has_text="親子の集い").count() == 1
    finally:
        context.close()
