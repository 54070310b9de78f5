"""The home page in both languages, logging in by keyboard alone, and the site without JavaScript,
in a real Chromium against the real server on each engine."""

from __future__ import annotations

from functools import partial

from playwright.sync_api import Browser, Page

from tests.browser.support import (
    DEMO_PASSWORD,
    audit,
    check_skip_link,
    check_structure,
    screenshot,
    tab_to,
)

MAX_TABS = 60
_tab_to = partial(tab_to, limit=MAX_TABS)


def test_home_page_in_japanese_passes_the_checks(page: Page, engine_kind: str):
    page.goto("/")
    assert page.evaluate("document.documentElement.lang") == "ja"
    assert page.locator("button[name=lang][value=en]").is_visible()
    check_structure(page)
    audit(page)
    screenshot(page, f"{engine_kind}-home-ja")
    check_skip_link(page)


def test_language_button_switches_the_home_page_to_english_and_back(page: Page, engine_kind: str):
    page.goto("/")
    page.locator("button[name=lang][value=en]").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.title().endswith("Tomakomai Civic Activity Center")
    check_structure(page)
    audit(page)
    screenshot(page, f"{engine_kind}-home-en")
    page.locator("button[name=lang][value=ja]").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "ja"


def test_manager_logs_in_with_the_keyboard_alone(page: Page, engine_kind: str):
    page.goto("/")
    _tab_to(page, "a[href='/login']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/login*")
    # The user name field has focus on arrival; everything else is typing, Tab and Enter.
    assert page.evaluate("document.activeElement.id") == "username"
    page.keyboard.type("manager")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.wait_for_selector("nav form[action='/logout'] button")
    assert page.locator("[role=status]").count() == 1, "the login is not announced"
    check_structure(page)
    audit(page)
    screenshot(page, f"{engine_kind}-manager-home")


def test_without_javascript_one_can_log_in_and_switch_language(browser: Browser, live_server: str):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/login")
        page.fill("#username", "member")
        page.fill("#password", DEMO_PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("nav form[action='/logout'] button").count() == 1
        page.locator("button[name=lang][value=en]").click()
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.lang") == "en"
        assert page.locator("nav form[action='/logout'] button").count() == 1, "switching logged out"
        page.locator("nav form[action='/logout'] button").click()
        page.wait_for_load_state()
        assert page.locator("a[href='/login']").count() >= 1
    finally:
        context.close()
