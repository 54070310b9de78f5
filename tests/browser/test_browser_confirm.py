"""The request's confirmation step by keyboard alone, in Japanese, on a phone (390×844) and a desktop
(1280×800): the form, the confirmation page with the fee and the terms (opened in a new tab), back
to the form with everything kept, a refused confirmation without the agreement, then the request.
Every page passes axe's WCAG A/AA rules."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Page

from center.lib.dates import is_holiday, today
from tests.browser.support import (
    audit,
    check_skip_link,
    check_structure,
    focused,
    log_in_by_keyboard,
    screenshot,
    tab_to,
)

ROOM = "meeting2"  # booked by slot, not a lottery room in the demo
PURPOSE = "確認画面の操作確認"
VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 800)}


def free_day(offset: int) -> date:
    """A weekday (Tuesday to Friday) about `offset` days on: beyond the demo's bookings (two months
    ahead) and within the six months one may request, never a holiday or the year-end closure."""
    day = today() + timedelta(days=offset)
    while day.weekday() not in (1, 2, 3, 4) or is_holiday(day) or (day.month, day.day) >= (12, 28):
        day += timedelta(days=1)
    return day


@pytest.fixture(params=list(VIEWPORTS))
def sized_page(request: pytest.FixtureRequest, browser: Browser, live_server: str) -> Iterator[Page]:
    width, height = VIEWPORTS[request.param]
    context = browser.new_context(base_url=live_server, viewport={"width": width, "height": height})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def checked(page: Page) -> None:
    page.wait_for_load_state()
    check_structure(page)
    assert page.evaluate("document.documentElement.lang") == "ja"
    audit(page)


def press(page: Page, selector: str, key: str = "Enter") -> None:
    tab_to(page, selector, from_start=True)
    page.keyboard.press(key)


def test_a_member_confirms_a_request_by_keyboard(sized_page: Page, request: pytest.FixtureRequest):
    page = sized_page
    name = request.node.callspec.id.replace("-", "_")
    day = free_day(75 if "phone" in name else 80).isoformat()
    log_in_by_keyboard(page, "member")
    page.goto(f"/bookings/new?room={ROOM}&day={day}&slots=afternoon")
    checked(page)
    assert page.locator("#slots-afternoon").is_checked()
    tab_to(page, "#purpose", from_start=True)
    page.keyboard.type(PURPOSE)
    tab_to(page, "#expected_head_count")
    page.keyboard.type("6")
    tab_to(page, "#equipment-whiteboard")
    page.keyboard.press("Space")
    press(page, "button[name=action][value=request]")

    # The confirmation page: what was asked for, the fee, the refunds and the terms.
    page.wait_for_selector("form[action='/bookings/request/confirm']")
    checked(page)
    main = page.locator("main").inner_text()
    assert "申込み内容の確認" in main and PURPOSE in main and "ホワイトボード" in main and "令和" in main
    assert page.locator("main .fee-table .fee-total").count() == 1
    screenshot(page, f"confirm-{name}-page")

    # The terms open in a new tab from the keyboard, on their own accessible page.
    with page.context.expect_page() as opened:
        press(page, "main a[href='/terms']")
    terms = opened.value
    terms.wait_for_load_state()
    assert re.search(r"/terms$", terms.url)
    checked(terms)
    assert "第1版" in terms.locator("main").inner_text()
    terms.close()

    # Back to the form: everything typed is still there.
    press(page, "button[name=action][value=edit]")
    page.wait_for_selector("#purpose")
    checked(page)
    assert page.locator("#purpose").input_value() == PURPOSE
    assert page.locator("#expected_head_count").input_value() == "6"
    assert (
        page.locator("#equipment-whiteboard").is_checked() and page.locator("#slots-afternoon").is_checked()
    )
    press(page, "button[name=action][value=request]")
    page.wait_for_selector("form[action='/bookings/request/confirm']")

    # Confirming without the agreement: the page again, its error summary leading to the checkbox.
    press(page, "button[name=action][value=confirm]")
    page.wait_for_selector("#error-summary a[href='#agree_to_terms']")
    checked(page)
    assert "利用規約への同意が必要です" in page.locator("#error-summary").inner_text()
    screenshot(page, f"confirm-{name}-refused")
    press(page, "#error-summary a[href='#agree_to_terms']")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'agree_to_terms'")
    page.keyboard.press("Space")
    assert page.locator("#agree_to_terms").is_checked()
    tab_to(page, "button[name=action][value=confirm]")
    assert focused(page, "button[name=action][value=confirm]")
    page.keyboard.press("Enter")

    # Done: the request is held and announced.
    page.wait_for_url(re.compile(r".*/bookings/\d+$"))
    checked(page)
    assert page.locator("[role=status]").count() == 1, "the request is not announced"
    assert "承認待ち" in page.locator("main").inner_text()
    screenshot(page, f"confirm-{name}-done")


def test_the_terms_pages_pass_the_checks_for_the_manager_and_in_english(page: Page):
    log_in_by_keyboard(page, "manager")
    page.goto("/manage/booking-rules")
    press(page, "main a[href='/manage/terms']")
    page.wait_for_url("**/manage/terms")
    checked(page)
    check_skip_link(page)
    assert page.locator("#body_ja").input_value().startswith("第1条")
    page.goto("/terms")
    press(page, "form.lang-switch button[value=en]")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    check_structure(page)
    audit(page)
    assert "Version 1" in page.locator("main").inner_text()
