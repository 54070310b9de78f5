"""The booking journey the municipal process asks for, by keyboard alone, in Japanese, on a phone
(390×844) and on a desk screen (1280×800), against the real server with the demo center at an hour
when it is open: a member filters the week grid by the projector, picks the earliest free slot
(the form comes with the projector ticked), checks the confirmation page (fee with the projector's
line, the terms) and agrees; the booking page gives a request number at once. The manager finds it
first in the queue (the earliest decision deadline) and approves; the approval notice says how and
by when to pay. The desk records the payment; the permit PDF (text read back) names the projector,
says 納付済 with the receipt number, cites the ordinance and gives the group's address; the desk's
check-in section shows the projector. Every page passes axe (WCAG 2.2 A/AA and best practice)."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from playwright.sync_api import Browser, Page
from pypdf import PdfReader

from tests.browser.support import audit, check_structure, log_in_by_keyboard, screenshot, tab_to

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1280, "height": 800}}
MAX_TABS = 700
PURPOSE = "プロジェクターを使う研修会"


def checked(page: Page) -> None:
    page.wait_for_load_state()
    check_structure(page)
    audit(page)


def press_on(page: Page, selector: str) -> None:
    tab_to(page, selector, limit=MAX_TABS, from_start=True)
    page.keyboard.press("Enter")


def type_into(page: Page, selector: str, text: str) -> None:
    tab_to(page, selector, limit=MAX_TABS, from_start=True)
    page.keyboard.press("Control+a")
    page.keyboard.type(text)


def log_out(page: Page) -> None:
    page.context.clear_cookies()
    page.goto("/")


def earliest_projector_slot(page: Page) -> str:
    """The free cell with the earliest day in the week grid filtered by the projector."""
    links = page.locator("[data-availability] a[href*='equipment=projector']")
    assert links.count() > 0, "no free slot with a projector this week"
    hrefs = [links.nth(index).get_attribute("href") or "" for index in range(links.count())]
    return min(hrefs, key=lambda href: re.search(r"day=(\d{4}-\d{2}-\d{2})", href).group(1))


def request_with_the_projector(page: Page, view: str) -> tuple[int, str]:
    page.goto("/availability?equipment=projector")
    checked(page)
    href = earliest_projector_slot(page)
    day = date.fromisoformat(re.search(r"day=(\d{4}-\d{2}-\d{2})", href).group(1))
    tab_to(page, f"a[href='{href}']", limit=MAX_TABS, from_start=True)
    page.keyboard.press("Enter")
    page.wait_for_url("**/bookings/new?*")
    checked(page)
    assert page.locator("#equipment-projector").is_checked(), "the grid's filter is not carried into the form"
    type_into(page, "#purpose", PURPOSE)
    type_into(page, "#expected_head_count", "20")
    press_on(page, "button[name=action][value=request]")
    page.wait_for_selector("form[action='/bookings/request/confirm']")
    checked(page)
    main = page.locator("main").inner_text()
    assert "プロジェクター" in main and "¥" in main and "利用規約" in main
    screenshot(page, f"journey-{view}-confirm")
    tab_to(page, "#agree_to_terms", limit=MAX_TABS, from_start=True)
    page.keyboard.press("Space")
    assert page.locator("#agree_to_terms").is_checked()
    press_on(page, "button[name=action][value=confirm]")
    page.wait_for_url(re.compile(r".*/bookings/\d+$"))
    checked(page)
    main = page.locator("main").inner_text()
    number = re.search(r"R-\d{4}-\d{5,}", main)
    assert number, f"no request number on the booking page: {main[:400]}"
    assert "プロジェクター" in main and f"{day.month}月{day.day}日" in main
    screenshot(page, f"journey-{view}-requested")
    return int(page.url.rsplit("/", 1)[1]), number.group(0)


def approve_first_in_queue(page: Page, booking_id: int, number: str) -> None:
    page.goto("/manage/bookings")
    checked(page)
    first_row = page.locator("main table tbody tr").first.inner_text()
    assert number in first_row, f"our request {number} is not first in the queue: {first_row}"
    press_on(page, f"form[action='/manage/bookings/{booking_id}/approve'] button")
    page.wait_for_selector("[role=status]")
    checked(page)


def the_notice_says_how_and_by_when_to_pay(page: Page) -> None:
    page.goto("/inbox")
    checked(page)
    text = page.locator("main").inner_text()
    assert "承認" in text and "令和" in text and "受付" in text, text[:600]


def pay_at_the_desk(page: Page, booking_id: int) -> str:
    page.goto(f"/desk/bookings/{booking_id}")
    checked(page)
    assert "プロジェクター" in page.locator("main").inner_text(), (
        "the desk's page does not show the projector"
    )
    pay_form = f"form[action='/desk/bookings/{booking_id}/payments']"
    assert page.locator(pay_form).count() == 1, page.locator("main").inner_text()[:1500]
    receipt = page.locator("#receipt_number").input_value()
    assert receipt
    press_on(page, f"form[action='/desk/bookings/{booking_id}/payments'] button[type=submit]")
    page.wait_for_url(f"**/desk/bookings/{booking_id}?receipt=*")
    checked(page)
    assert receipt in page.locator("main").inner_text()
    return receipt


def permit_text(page: Page, booking_id: int) -> str:
    fetched = page.request.get(f"/bookings/{booking_id}/permit.pdf")
    assert fetched.status == 200 and fetched.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(fetched.body()))
    return "".join(p.extract_text() for p in reader.pages).replace("\n", "").replace(" ", "")


@pytest.mark.parametrize("view", list(VIEWPORTS))
def test_the_booking_journey_from_the_grid_to_the_paid_permit(
    browser: Browser, open_live_server: str, view: str
):
    context = browser.new_context(
        base_url=open_live_server,
        viewport=VIEWPORTS[view],
        has_touch=view == "phone",
        locale="ja-JP",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        log_in_by_keyboard(page, "member")
        booking_id, number = request_with_the_projector(page, view)
        log_out(page)

        log_in_by_keyboard(page, "manager")
        approve_first_in_queue(page, booking_id, number)
        log_out(page)

        log_in_by_keyboard(page, "member")
        the_notice_says_how_and_by_when_to_pay(page)
        log_out(page)

        log_in_by_keyboard(page, "desk")
        receipt = pay_at_the_desk(page, booking_id)
        text = permit_text(page, booking_id)
        assert "附属設備" in text and "プロジェクター" in text, text[:800]
        assert "納付済" in text and receipt in text, text[:800]
        assert "条例" in text, text[:800]
        assert "苫小牧市" in text  # the group's address (the demo groups live in the city)
        page.goto(f"/desk/bookings/{booking_id}")
        check_in = page.locator("main").inner_text()
        assert "プロジェクター" in check_in
    finally:
        context.close()
