"""The lottery from applications to results, by keyboard alone on the demo center: the manager makes
the 多目的ホール a lottery room and opens a round, the member applies, the manager draws and checks
the draw against its seed, the member sees the win and confirms it. axe on every page visited."""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import partial

from playwright.sync_api import Browser, BrowserContext, Page

from bookings.rules import add_months
from center.lib.dates import today
from tests.browser.support import audit, check_structure, log_in_by_keyboard, screenshot, tab_to

MAX_TABS = 150
_tab_to = partial(tab_to, limit=MAX_TABS)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def _choose(page: Page, selector: str, value: str) -> None:
    """Pick an option of a <select> with the arrow keys."""
    _tab_to(page, selector)
    target = page.evaluate(
        "([s, v]) => Array.from(document.querySelector(s).options).findIndex(o => o.value === v)",
        [selector, value],
    )
    assert target >= 0, f"{selector} has no option {value}"
    current = page.evaluate("(s) => document.querySelector(s).selectedIndex", selector)
    for _ in range(abs(target - current)):
        page.keyboard.press("ArrowDown" if target > current else "ArrowUp")
    assert page.evaluate("(s) => document.querySelector(s).value", selector) == value


def _type_date(page: Page, selector: str, day: date) -> None:
    """Chromium's date field in an en-US browser: month, day, year segments."""
    _tab_to(page, selector)
    page.keyboard.type(f"{day.month:02d}{day.day:02d}{day.year}")
    assert page.evaluate("(s) => document.querySelector(s).value", selector) == day.isoformat()


def _checked(page: Page) -> None:
    check_structure(page)
    audit(page)


def _log_in(context: BrowserContext, username: str) -> Page:
    page = context.new_page()
    log_in_by_keyboard(page, username)
    return page


def test_the_lottery_from_applications_to_results_by_keyboard(live_server: str, browser: Browser):
    # A month beyond the demo's bookings, so the hall is free; the round's dates are today so the
    # member can apply and the manager draw at once.
    month_first = add_months(today().replace(day=1), 3)
    month = f"{month_first:%Y-%m}"
    day = month_first + timedelta(days=9)
    contexts = [
        browser.new_context(base_url=live_server, locale="en-US", viewport={"width": 1280, "height": 900})
        for _ in range(2)
    ]
    for context in contexts:
        context.set_default_timeout(15_000)
    try:
        manager = _log_in(contexts[0], "manager")
        _tab_to(manager, "nav a[href='/manage/lottery']")
        manager.keyboard.press("Enter")
        manager.wait_for_url("**/manage/lottery")
        _checked(manager)

        # The hall becomes a lottery room; the window days stay the policy's defaults.
        _tab_to(manager, "#rooms-hall")
        if not manager.evaluate("document.activeElement.checked"):
            manager.keyboard.press("Space")
        assert manager.evaluate("document.activeElement.checked")
        _tab_to(manager, "form[action='/manage/lottery/settings'] button[type=submit]")
        manager.keyboard.press("Enter")
        manager.wait_for_selector("[role=status]")
        assert manager.locator("#rooms-hall").is_checked()
        _checked(manager)

        _tab_to(manager, "main a[href='/manage/lottery/rounds/new']")
        manager.keyboard.press("Enter")
        manager.wait_for_url("**/manage/lottery/rounds/new")
        _checked(manager)
        _choose(manager, "#month", month)
        _type_date(manager, "#opens_on", today())
        _type_date(manager, "#closes_on", today())
        _type_date(manager, "#draw_on", today())
        _type_date(manager, "#confirm_by", today() + timedelta(days=7))
        _tab_to(manager, "form[action='/manage/lottery/rounds'] button.button:not(.button--secondary)")
        manager.keyboard.press("Enter")
        manager.wait_for_url(re.compile(r".*/manage/lottery/rounds/\d+$"))
        round_url = manager.url
        round_id = round_url.rsplit("/", 1)[1]
        assert "受付中" in manager.locator("main").inner_text()
        _checked(manager)

        # The member applies for the hall's morning slot.
        member = _log_in(contexts[1], "member")
        _tab_to(member, "nav a[href='/lottery']")
        member.keyboard.press("Enter")
        member.wait_for_url("**/lottery")
        _checked(member)
        if member.locator("select#round").count():  # the demo's own round takes applications too
            _choose(member, "#round", round_id)
        _choose(member, "#room", "hall")
        _type_date(member, "#day", day)
        _choose(member, "#slot", "morning")
        _tab_to(member, "#purpose")
        member.keyboard.type("健康ダンス発表会")
        _tab_to(member, "#expected_head_count")
        member.keyboard.type("40")
        member.keyboard.press("Enter")
        member.wait_for_selector("[role=status]")
        mine = member.locator("#mine-caption").locator("xpath=ancestor::table")
        assert "健康ダンス発表会" in mine.inner_text() and "抽選待ち" in mine.inner_text()
        _checked(member)

        # The manager draws and checks the draw against its seed.
        manager.goto(round_url)
        applications = manager.locator("main").inner_text()
        assert "いきいきシニアサロン若草" in applications and "健康ダンス発表会" in applications
        _tab_to(manager, f"form[action='/manage/lottery/rounds/{round_id}/draw'] button")
        manager.keyboard.press("Enter")
        manager.wait_for_selector("[role=status]")
        results = manager.locator("main").inner_text()
        assert "当選" in results and "抽選済み" in results
        _checked(manager)
        screenshot(manager, "lottery-round-drawn")
        _tab_to(manager, f"main a[href='/lottery/rounds/{round_id}/verify']")
        manager.keyboard.press("Enter")
        manager.wait_for_url(f"**/lottery/rounds/{round_id}/verify")
        assert "すべての当選がシードと一致します" in manager.locator("main").inner_text()
        _checked(manager)

        # The member sees the win and confirms it: the booking is approved with its permit.
        member.goto("/lottery")
        assert "当選：利用を確定してください" in member.locator("main").inner_text()
        _checked(member)
        _tab_to(member, "form[action$='/confirm'] button")
        member.keyboard.press("Enter")
        member.wait_for_url(re.compile(r".*/bookings/\d+$"))
        text = member.locator("main").inner_text()
        assert "多目的ホール" in text and "健康ダンス発表会" in text
        _checked(member)
        screenshot(member, "lottery-win-confirmed")
    finally:
        for context in contexts:
            context.close()
