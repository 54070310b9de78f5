"""Closing the hall over a demo screening, by keyboard alone: the clash names the screening by its
title with its date in the era form, confirming without a choice is refused with an error
summary, and cancelling it closes the hall; the ticket lists the screening with a link. Every page
passes axe's WCAG A/AA rules."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page

from center.lib.dates import wareki
from tests.browser.test_browser_maintenance import (
    _tab_to,
    checked,
    choose,
    follow,
    log_in,
    submit,
    type_into,
)

VIDEO = "いすに座って簡単体操"


def a_screening_day(page: Page) -> date:
    """A day in the coming weeks with a demo screening in the hall, from the availability API."""
    first = date.today() + timedelta(days=4)
    answer = page.request.get(
        f"/api/availability?room=hall&from={first.isoformat()}&to={(first + timedelta(days=30)).isoformat()}"
    )
    assert answer.ok, answer.text()
    for cell in answer.json()["cells"]:
        if VIDEO in (cell.get("label") or ""):
            return date.fromisoformat(cell["date"])
    raise AssertionError("the demo has no screening in the hall in the next weeks")


def test_closing_the_hall_over_a_screening_names_it_and_needs_a_choice(page: Page, engine_kind: str):
    log_in(page, "facilities")
    day = a_screening_day(page)
    follow(page, "nav a[href='/maintenance']", "**/maintenance")
    follow(page, "main a[href='/maintenance/tickets/new']", "**/maintenance/tickets/new")
    type_into(page, "#title", "ホールの照明交換")
    choose(page, "#location", "多目的ホール")
    choose(page, "#priority", "高")
    submit(page, "main form button[type=submit]", re.compile(r".*/maintenance/tickets/\d+$"))
    ticket_url = page.url
    follow(page, "main a[href$='/closure']", "**/closure")
    choose(page, "#room", "多目的ホール")
    for selector, value in (
        ("#start_day", day.isoformat()),
        ("#start_time", "10:00"),
        ("#end_time", "10:30"),
    ):
        _tab_to(page, selector)
        page.fill(selector, value)
    type_into(page, "#reason", "照明交換のため")
    _tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("main fieldset[id^=screening-]")
    checked(page)
    legend = page.locator("main fieldset[id^=screening-] legend").first.inner_text()
    assert VIDEO in legend and wareki(day) in legend and "10:00" in legend

    # Confirming without choosing is refused: the summary links to the screening's choices.
    _tab_to(page, "main form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    checked(page)
    assert page.locator("[role=alert] a[href^='#screening-']").count() >= 1
    assert "この上映をどうするか選んでください。" in page.locator("[role=alert]").inner_text()

    # Tab reaches a radio group once; the arrow keys choose within it (Up wraps to "cancel", last).
    for index in range(page.locator("main fieldset").count()):
        fieldset = page.locator("main fieldset").nth(index)
        _tab_to(page, f"#{fieldset.locator('input[type=radio]').first.get_attribute('id')}")
        page.keyboard.press("ArrowUp")
        assert fieldset.locator("input[type=radio][value=cancel]").is_checked()
    submit(page, "main form button[type=submit]", ticket_url)
    effects = page.locator("main .closure-effects")
    assert VIDEO in effects.inner_text() and "この閉鎖のため取消し" in effects.inner_text()
    assert effects.locator("a[href^='/manage/screenings/']").count() >= 1
