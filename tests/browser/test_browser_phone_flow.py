"""On a phone (390×844, touch): a member finds and requests a room for 20 people with a projector
next Saturday afternoon in a handful of taps; the week grid keeps its week and filters with htmx and
without JavaScript; after a form error focus lands on the error summary; and screenshots of the
availability, the request form and home at 390×844 and 1280×800, in Japanese and English."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Browser, Page

from bookings.availability import week_start
from center.lib.dates import today
from tests.browser.phone_support import log_in_on, phone_context
from tests.browser.support import focused, screenshot, settle

MAX_STEPS_WITH_CONFIRMATION = 10  # taps and typed fields after log-in
MAX_STEPS = 8  # up to the request; a confirmation step (agree to the terms, confirm) may add two


class Counter:
    """Taps and typed fields, as a person on a phone spends them."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.steps: list[str] = []

    def tap(self, selector: str, *, navigates: bool = False) -> None:
        self.steps.append(f"tap {selector}")
        if navigates:
            with self.page.expect_navigation():
                self.page.locator(selector).first.tap()
        else:
            self.page.locator(selector).first.tap()

    def type(self, selector: str, text: str) -> None:
        self.steps.append(f"type {selector}")
        self.page.locator(selector).tap()
        self.page.keyboard.type(text)


def next_saturday() -> date:
    day = today() + timedelta(days=1)
    return day + timedelta(days=(5 - day.weekday()) % 7)


def shown_week(page: Page) -> str:
    return page.locator("[data-availability]").get_attribute("data-week")


def wait_for_week(page: Page, old: str) -> None:
    page.wait_for_function(
        "(old) => document.querySelector('[data-availability]')?.dataset.week !== old", arg=old
    )


def test_a_member_requests_a_room_for_20_with_a_projector_next_saturday_in_few_steps(
    browser: Browser, live_server: str, engine_kind: str
):
    with phone_context(browser, live_server) as context:
        page = context.new_page()
        log_in_on(page, "member")
        page.goto("/")
        steps = Counter(page)
        steps.tap("main [data-primary]", navigates=True)  # "See free slots and request a room"
        assert page.locator("[data-availability]").bounding_box()["y"] < 844, (
            "the grid starts below the screen"
        )
        steps.tap(".filters-disclosure > summary")
        steps.type("#filter-capacity", "20")
        before = page.locator("#week-grid").inner_html()
        steps.tap("label[for=filter-equipment-projector]")
        # Both filters applied (the capacity's own swap may land after the projector was ticked).
        page.wait_for_function(
            "() => { const t = document.querySelector('#filters-applied')?.textContent || '';"
            " return t.includes('20') && t.includes('プロジェクター')"
            " && document.querySelector('#week-grid a[href*=\"equipment=projector\"]') !== null; }"
        )
        assert page.locator("#week-grid").inner_html() != before
        saturday = next_saturday()
        free = f"#week-grid a[href*='day={saturday.isoformat()}&slots=afternoon']"
        for _ in range(3):
            if page.locator(free).count():
                break
            if shown_week(page) < week_start(saturday).isoformat():
                old = shown_week(page)
                steps.tap("#week-grid nav.pager a:last-child")
                wait_for_week(page, old)
            else:
                saturday += timedelta(days=7)  # that Saturday is taken or too soon: the one after
                free = f"#week-grid a[href*='day={saturday.isoformat()}&slots=afternoon']"
        assert page.locator(free).count(), f"no free afternoon on {saturday} for 20 people with a projector"
        assert "equipment=projector" in page.locator(free).first.get_attribute("href")
        steps.tap(free, navigates=True)
        assert page.locator("#expected_head_count").input_value() == "20"
        assert page.locator("#equipment-projector").is_checked()
        assert page.locator("#slots-afternoon").is_checked()
        steps.type("#purpose", "写真教室の発表会")
        screenshot(page, f"{engine_kind}-phone-request-form")
        steps.tap("main [data-primary]", navigates=True)
        before_confirmation = len(steps.steps)
        if not re.search(r"/bookings/\d+$", page.url):
            # A confirmation step: agree to the terms, then confirm.
            unticked = page.locator("main form input[type=checkbox]:not(:checked)")
            if unticked.count():
                steps.tap(f"label[for='{unticked.first.get_attribute('id')}']")
            steps.tap("main [data-primary], main form button[type=submit]", navigates=True)
        assert re.search(r"/bookings/\d+$", page.url), page.url
        assert "承認待ち" in page.locator("main").inner_text()
        listing = f"{len(steps.steps)} steps:\n" + "\n".join(steps.steps)
        assert before_confirmation <= MAX_STEPS, listing
        assert len(steps.steps) <= MAX_STEPS_WITH_CONFIRMATION, listing


def test_next_week_moves_the_date_field_and_ticking_a_filter_keeps_the_week(page: Page):
    page.goto("/availability")
    page.locator(".filters-disclosure > summary").click()
    this_week = shown_week(page)
    assert page.locator("#week").input_value() == this_week
    for _ in range(2):
        old = shown_week(page)
        page.locator("#week-grid nav.pager a:last-child").click()
        wait_for_week(page, old)
    later = shown_week(page)
    assert later == (date.fromisoformat(this_week) + timedelta(days=14)).isoformat()
    assert page.locator("#week").input_value() == later
    page.wait_for_url(lambda url: f"week={later}" in url)
    before = page.locator("#week-grid").inner_html()
    page.locator("#filter-equipment-projector").check()
    page.wait_for_function("(old) => document.querySelector('#week-grid').innerHTML !== old", arg=before)
    assert shown_week(page) == later, "ticking a filter jumped to another week"
    assert page.locator("#week").input_value() == later
    # htmx pushes the address once the swap has settled, a moment after the grid changes.
    page.wait_for_url(lambda url: "equipment=projector" in url)
    assert f"week={later}" in page.url
    assert "プロジェクター" in page.locator("#filters-applied").inner_text()
    # The next week link now carries the filter as well.
    old = shown_week(page)
    page.locator("#week-grid nav.pager a:last-child").click()
    wait_for_week(page, old)
    assert page.locator("#filter-equipment-projector").is_checked()
    page.wait_for_url(lambda url: "equipment=projector" in url and f"week={later}" not in url)


def test_without_javascript_the_week_and_filters_agree_after_each_step(browser: Browser, live_server: str):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/availability")
        this_week = shown_week(page)
        page.locator("#week-grid nav.pager a:last-child").click()
        page.wait_for_load_state()
        later = shown_week(page)
        assert later == (date.fromisoformat(this_week) + timedelta(days=7)).isoformat()
        page.locator(".filters-disclosure > summary").click()
        assert page.locator("#week").input_value() == later
        page.locator("#filter-equipment-projector").check()
        page.locator("#week-filters button[type=submit]").click()
        page.wait_for_load_state()
        assert shown_week(page) == later
        assert "プロジェクター" in page.locator("#filters-applied").inner_text()
    finally:
        context.close()


def test_after_a_form_error_focus_moves_to_the_error_summary_whose_links_reach_the_fields(
    browser: Browser, live_server: str
):
    with phone_context(browser, live_server) as context:
        page = context.new_page()
        # A flower-bed day open for signup, sent empty.
        page.goto("/flowerbeds")
        days = page.eval_on_selector_all(
            "main a[href^='/flowerbeds/']", "l => l.map(a => a.getAttribute('href'))"
        )
        for href in days:
            page.goto(href)
            if page.locator("form[action$='/signup']").count():
                break
        with page.expect_navigation():
            page.locator("form[action$='/signup'] [data-primary]").tap()
        page.wait_for_function("() => document.activeElement?.matches('[data-error-summary]')")
        first = page.locator("[data-error-summary] a").first
        target = first.get_attribute("href")
        first.tap()
        page.wait_for_function("(id) => document.activeElement?.id === id", arg=target[1:])

        # The booking request, sent empty.
        log_in_on(page, "member")
        page.goto("/bookings/new?room=meeting2")
        with page.expect_navigation():
            page.locator("main [data-primary]").tap()
        page.wait_for_function("() => document.activeElement?.matches('[data-error-summary]')")
        assert page.locator("[data-error-summary] a").count() >= 1

        # With htmx: a bad head count in the week grid's filters.
        page.goto("/availability")
        page.locator(".filters-disclosure > summary").tap()
        page.locator("#filter-capacity").fill("0")
        page.locator("#filter-capacity").press("Tab")
        page.wait_for_function("() => document.activeElement?.matches('[data-error-summary]')")
        assert focused(page, "#week-grid [data-error-summary]")


def test_screenshots_of_availability_the_request_form_and_home(
    browser: Browser, live_server: str, engine_kind: str
):
    """Pictures for people to look at (test-artifacts/), each page at a phone's and a laptop's size."""
    for width, height in ((390, 844), (1280, 800)):
        for language in ("ja", "en"):
            context = browser.new_context(
                base_url=live_server, viewport={"width": width, "height": height}, has_touch=width < 500
            )
            try:
                page = context.new_page()
                log_in_on(page, "member")
                if language == "en":
                    with page.expect_navigation():
                        page.locator("button[name=lang][value=en]").click()
                for path, name in (
                    ("/availability", "availability"),
                    ("/bookings/new?room=hall", "request"),
                    ("/", "home"),
                ):
                    page.goto(path)
                    settle(page)
                    assert page.evaluate("document.documentElement.scrollWidth") <= width, (
                        f"{path} at {width}"
                    )
                    screenshot(page, f"{engine_kind}-{name}-{width}-{language}")
            finally:
                context.close()
