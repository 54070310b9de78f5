"""The payment pages in a real Chromium on the demo center: the member's booking list with its
payment column and a booking's payment facts, the desk's unpaid list reached from the board by
keyboard, and the manager's permit settings; each has one h1 and no axe-core violations."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.support import audit, check_structure, log_in, screenshot, tab_to


def test_the_members_bookings_show_the_payment_state_and_pass_the_checks(page: Page, engine_kind: str):
    log_in(page, "member")
    page.goto("/bookings/mine")
    check_structure(page)
    expect(page.locator("th", has_text="納付状況").first).to_be_visible()
    audit(page)
    page.locator("table a[href^='/bookings/']").first.click()
    expect(page.locator("dt", has_text="納付状況")).to_be_visible()
    check_structure(page)
    audit(page)
    screenshot(page, f"{engine_kind}-booking-payment")


def test_the_desk_reaches_the_unpaid_list_from_the_board_by_keyboard(page: Page, engine_kind: str):
    log_in(page, "desk")
    page.goto("/desk")
    tab_to(page, "a[href='/desk/unpaid']", from_start=True)
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/unpaid")
    check_structure(page)
    expect(page.locator("h1")).to_have_text("未納の予約")
    audit(page)
    screenshot(page, f"{engine_kind}-desk-unpaid")


def test_the_permit_settings_page_shows_the_demo_ordinance_and_passes_checks(page: Page, engine_kind: str):
    log_in(page, "manager")
    page.goto("/manage/permit-settings")
    check_structure(page)
    expect(page.locator("#ordinance_text")).to_have_value(
        "苫小牧市市民活動センター条例第7条の規定により、次のとおり使用を許可します。"
    )
    audit(page)
    page.goto("/manage/booking-rules")
    expect(page.locator("#pay_days_before")).to_have_value("0")
    audit(page)
    screenshot(page, f"{engine_kind}-permit-settings")
