"""The calendar feed links page by keyboard alone on the demo center, axe on every page: a member
makes a link for their group's feed, the feed answers with a calendar, the link is rotated (the old
address stops) and revoked; the public feeds page passes the same checks."""

from __future__ import annotations

import re
from functools import partial

from playwright.sync_api import Browser, Page

from center.lib.i18n import translations
from tests.browser.support import audit, check_skip_link, check_structure, log_in_by_keyboard, tab_to

MAX_TABS = 200
_tab_to = partial(tab_to, limit=MAX_TABS)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def ja(msgid: str, **params: object) -> str:
    text = translations("ja").ugettext(msgid)
    return text % params if params else text


def _press_enter_on(page: Page, selector: str) -> None:
    _tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()


def _checked(page: Page) -> None:
    check_structure(page)
    audit(page)


def _new_feed_url(page: Page) -> str:
    value = page.locator("#new-url").input_value()
    assert re.search(r"/feeds/t/[A-Za-z0-9_-]{40,}\.ics$", value), value
    webcal = page.locator("#new-link a[href^='webcal://']").get_attribute("href")
    assert webcal == "webcal://" + value.split("://", 1)[1]
    assert page.locator("#new-link img[src^='data:image/svg+xml']").count() == 1
    return value


def test_a_member_makes_rotates_and_revokes_a_feed_link_by_keyboard(live_server: str, browser: Browser):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in_by_keyboard(page, "member")

    _press_enter_on(page, "nav a[href='/account/feeds']")
    _checked(page)
    check_skip_link(page)
    _tab_to(page, "#feed")
    assert page.evaluate("document.querySelector('#feed').value").startswith("group:")
    _press_enter_on(page, "main form[action='/account/feeds'] button[type=submit]")
    _checked(page)
    assert ja("Your new link") in page.locator("main").inner_text()
    first = _new_feed_url(page)

    answer = page.request.get(first)
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in answer.text()
    etag = answer.headers["etag"]
    assert page.request.get(first, headers={"If-None-Match": etag}).status == 304

    _press_enter_on(page, "main form[action$='/rotate'] button")
    _checked(page)
    second = _new_feed_url(page)
    assert second != first
    assert page.request.get(first).status == 404
    assert page.request.get(second).status == 200

    page.goto("/account/feeds")
    assert page.locator("#new-link").count() == 0 and second not in page.content()
    _press_enter_on(page, "main form[action$='/revoke'] button")
    _checked(page)
    assert ja("The link is revoked. Calendars subscribed with it no longer update.") in page.content()
    assert page.request.get(second).status == 404
    context.close()


def test_the_public_feeds_page_and_the_calendar_links_pass_the_checks(live_server: str, browser: Browser):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/calendar")
    _checked(page)
    _press_enter_on(page, "main a[href='/feeds']")
    _checked(page)
    check_skip_link(page)
    assert page.locator("main img[src^='data:image/svg+xml']").count() == 3
    feed = page.locator("#feed-1-url").input_value()
    answer = page.request.get(feed)
    assert answer.status == 200 and "VEVENT" in answer.text()
    context.close()
