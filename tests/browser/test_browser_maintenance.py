"""Maintenance by keyboard alone, in Chromium against the real server with the demo data: a
visitor reports a problem with a photo; facilities staff triage it into a ticket, assign it,
close a room that clashes with a booking, move the booking to the suggested room and finish the
ticket. The elevator's warning shows on an upper-floor room's page while its ticket is open and
goes when it is done. Every page passes axe's WCAG A/AA rules."""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import partial
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page

from tests.browser.support import audit, check_structure, log_in_by_keyboard, screenshot, tab_to

MAX_TABS = 400
_tab_to = partial(tab_to, limit=MAX_TABS, from_start=True)
ROOMS = ("meeting1", "meeting2", "volunteer", "washitsu", "equality", "training")


def checked(page: Page) -> None:
    page.wait_for_load_state()
    check_structure(page)
    audit(page)


def follow(page: Page, selector: str, url_pattern) -> None:
    _tab_to(page, selector)
    page.keyboard.press("Enter")
    page.wait_for_url(url_pattern)
    checked(page)


def type_into(page: Page, selector: str, text: str) -> None:
    _tab_to(page, selector)
    page.keyboard.press("Control+a")
    page.keyboard.type(text)


def choose(page: Page, selector: str, label: str) -> None:
    """Pick the option whose text contains `label` with the arrow keys."""
    _tab_to(page, selector)
    page.keyboard.press("Home")
    for _ in range(60):
        text = page.evaluate(
            "(s) => { const e = document.querySelector(s); return e.options[e.selectedIndex].text }", selector
        )
        if label in text:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option containing {label!r} in {selector}")


def submit(page: Page, selector: str, url_pattern) -> None:
    _tab_to(page, selector)
    page.keyboard.press("Enter")
    page.wait_for_url(url_pattern)
    checked(page)


def log_in(page: Page, username: str) -> None:
    log_in_by_keyboard(page, username)
    checked(page)


def log_out(page: Page) -> None:
    _tab_to(page, "nav form[action='/logout'] button")
    page.keyboard.press("Enter")
    page.wait_for_selector("nav a[href='/login']")


def photo_file(tmp_path: Path) -> Path:
    path = tmp_path / "handrail.jpg"
    Image.new("RGB", (320, 240), (180, 120, 60)).save(path, "JPEG")
    return path


def a_booked_slot(page: Page) -> tuple[str, date]:
    """A room and day that a group's private booking holds, from the public availability API."""
    first = date.today() + timedelta(days=4)
    for code in ROOMS:
        last = first + timedelta(days=40)
        answer = page.request.get(
            f"/api/availability?room={code}&from={first.isoformat()}&to={last.isoformat()}"
        )
        assert answer.ok, answer.text()
        for cell in answer.json()["cells"]:
            if cell["state"] == "held" and not cell.get("label"):
                return code, date.fromisoformat(cell["date"])
    raise AssertionError("the demo has no booking in the next weeks")


def room_label(page: Page, code: str) -> str:
    answer = page.request.get(f"/api/rooms/{code}")
    assert answer.ok, answer.text()
    return answer.json()["name_ja"]


def test_a_visitor_report_becomes_a_ticket_that_closes_a_room_and_moves_a_booking(
    page: Page, engine_kind: str, tmp_path: Path
):
    # A visitor reports a problem with a photo.
    page.goto("/")
    checked(page)
    follow(page, "nav a[href='/report']", "**/report")
    choose(page, "#location", "階段")
    type_into(page, "#description", "3階への階段の手すりがぐらぐらしています。")
    page.set_input_files("#photo", str(photo_file(tmp_path)))  # the file dialog is the browser's own
    type_into(page, "#contact_phone", "0144-00-0000")
    submit(page, "main form button[type=submit]", re.compile(r".*/report/[0-9A-Z]{4}-[0-9A-Z]{4}$"))
    reference = page.url.rsplit("/", 1)[1]
    assert reference in page.locator("main").inner_text()
    assert "0144-00-0000" not in page.content()
    screenshot(page, f"{engine_kind}-maintenance-report")

    # Facilities staff triage it into a ticket and assign it.
    log_in(page, "facilities")
    code, day = a_booked_slot(page)
    follow(page, "nav a[href='/maintenance']", "**/maintenance")
    follow(page, "main a[href='/maintenance/reports']", "**/maintenance/reports")
    report_link = page.locator("main table a", has_text=reference)
    href = report_link.get_attribute("href")
    follow(page, f"main a[href='{href}']", f"**{href}")
    assert "0144-00-0000" in page.locator("main").inner_text()
    type_into(page, "#title", "階段の手すりの固定")
    choose(page, "#priority", "高")
    choose(page, "#assignee", "伊藤")
    submit(page, "form[action$='/accept'] button[type=submit]", re.compile(r".*/maintenance/tickets/\d+$"))
    ticket_url = page.url
    ticket_id = int(ticket_url.rsplit("/", 1)[1])
    assert page.locator("[role=status]").count() == 1
    assert "確認済み" in page.locator("main").inner_text()

    # Close a room that a booking holds: the clash shows the booking and a suggested room.
    follow(page, f"main a[href='/maintenance/tickets/{ticket_id}/closure']", "**/closure")
    choose(page, "#room", room_label(page, code))
    # Date and time pickers differ by locale: focus each by Tab, then set its value as typed text.
    for selector, value in (
        ("#start_day", day.isoformat()),
        ("#start_time", "00:00"),
        ("#end_time", "23:59"),
    ):
        _tab_to(page, selector)
        page.fill(selector, value)
    type_into(page, "#reason", "階段の手すり工事のため")
    _tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("main fieldset input[type=radio]")
    checked(page)
    assert page.locator("[role=alert]").count() == 1
    screenshot(page, f"{engine_kind}-maintenance-clash")
    moves = page.locator("main fieldset input[type=radio][value^='move:']")
    assert moves.count() >= 1, "no free alternative room was suggested"
    for index in range(page.locator("main fieldset").count()):
        first_move = page.locator("main fieldset").nth(index).locator("input[type=radio]").first
        _tab_to(page, f"#{first_move.get_attribute('id')}")
        page.keyboard.press("Space")
        assert first_move.is_checked()
    submit(page, "main form button[type=submit]", ticket_url)
    assert page.locator("[role=status]").count() == 1
    assert "閉鎖" in page.locator("main").inner_text()

    # Finish the ticket: the room opens again.
    for target in ("in_progress", "done"):
        _tab_to(page, f"main form:has(input[name=to][value={target}]) button")
        page.keyboard.press("Enter")
        page.wait_for_selector("[role=status]")
        checked(page)
    assert "完了" in page.locator("main dl").inner_text()
    screenshot(page, f"{engine_kind}-maintenance-done")
    page.goto(f"/report/{reference}")
    checked(page)
    assert "対応完了" in page.locator("main").inner_text()


def test_the_elevator_warning_shows_while_its_ticket_is_open(page: Page, engine_kind: str):
    log_in(page, "facilities")
    follow(page, "nav a[href='/maintenance']", "**/maintenance")
    follow(page, "main a[href='/maintenance/tickets/new']", "**/maintenance/tickets/new")
    type_into(page, "#title", "エレベーター停止（部品交換）")
    choose(page, "#location", "エレベーター")
    choose(page, "#priority", "緊急")
    choose(page, "#accessibility_feature", "エレベーター")
    submit(page, "main form button[type=submit]", re.compile(r".*/maintenance/tickets/\d+$"))
    ticket_url = page.url
    page.goto("/rooms/training")
    checked(page)
    main = page.locator("main").inner_text()
    # One clear statement in words a screen reader reads: the warning, and the step-free line
    # saying "not at present" (pointing to it), never the usual yes beside it.
    assert "エレベーターが停止中です" in main and "現在はできません" in main
    assert "あり：段差なしで行けます" not in main
    screenshot(page, f"{engine_kind}-room-during-elevator-outage")
    page.goto("/rooms?step_free=on")
    checked(page)
    assert "研修室" not in page.locator("main").inner_text()
    page.goto("/rooms/gallery")
    assert "エレベーターが停止中です" not in page.locator("main").inner_text()
    page.goto(ticket_url)
    checked(page)
    assert "これらの団体に連絡してください" in page.locator("main").inner_text()
    for target in ("triaged", "in_progress", "done"):
        _tab_to(page, f"main form:has(input[name=to][value={target}]) button")
        page.keyboard.press("Enter")
        page.wait_for_selector("[role=status]")
    page.goto("/rooms/training")
    checked(page)
    main = page.locator("main").inner_text()
    assert "エレベーターが停止中です" not in main and "あり：段差なしで行けます" in main
