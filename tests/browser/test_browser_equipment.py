"""Equipment on the request form, in Chromium against the demo center on each engine: choosing
another room swaps the equipment offered (htmx), ticking the hall's projector adds its own line to
the fee shown, and a week grid filtered by equipment leads to a form with it ticked. axe on each
state of the page."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Page

from center.lib.dates import today
from tests.browser.support import audit, check_structure, log_in


def _quiet_day() -> date:
    """A day about three months on: past the demo's bookings and its inspection day, inside the six
    months one may request ahead, and clear of the year-end closure."""
    day = today() + timedelta(days=90)
    while (day.month, day.day) >= (12, 29) or (day.month, day.day) <= (1, 3):
        day += timedelta(days=7)
    return day


def test_choosing_another_room_offers_its_equipment_and_the_fee_counts_the_projector(page: Page):
    log_in(page, "member")
    page.goto(f"/bookings/new?room=meeting2&day={_quiet_day().isoformat()}&slots=morning")
    check_structure(page)
    assert page.locator("#equipment-whiteboard").count() == 1
    assert page.locator("#equipment-projector").count() == 0
    audit(page)
    page.select_option("#room", "hall")
    page.wait_for_selector("#equipment-projector")
    assert page.locator("#equipment-whiteboard").count() == 0
    assert "¥500" in page.locator("#equipment-choices").inner_text()
    page.focus("#equipment-projector")
    page.keyboard.press("Space")
    page.wait_for_function(
        "() => document.querySelector('#fee-preview').innerText.includes('プロジェクター')"
    )
    audit(page)


def test_the_grid_filtered_by_equipment_leads_to_a_form_with_it_ticked(page: Page):
    log_in(page, "member")
    page.goto(f"/availability?week={_quiet_day().isoformat()}&equipment=projector")
    check_structure(page)
    link = page.locator("#week-grid a[href^='/bookings/new?room=hall&']").first
    assert "equipment=projector" in (link.get_attribute("href") or "")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/bookings/new?*")
    assert page.locator("#equipment-projector").is_checked()
    audit(page)
