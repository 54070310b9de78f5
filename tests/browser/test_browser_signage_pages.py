"""The lobby signage on a busy day, in a real Chromium at 1920×1080 and 1280×720: the page never
scrolls and nothing falls off the screen; the lists that do not fit page through by themselves,
showing every row within one cycle (also with reduced motion, where the pages change without a
fade); the clock shows the server's Japan time; axe finds nothing. Without JavaScript the first
page shows and the page reloads itself.

The app (in-process, on each engine) serves the signage at 8:30 Japan time on a day with 24 public
events in 8 rooms, a screening and a flower-bed day; Chromium loads that page with the project's
own static files (signage.js, htmx), its paging interval shortened through the page's
data-page-seconds attribute."""

from __future__ import annotations

import re
import time as wall
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import time
from pathlib import Path

import anyio
import pytest
import time_machine
from playwright.sync_api import Page, Route, sync_playwright

from bookings.tables import Booking
from center.lib.dates import local_instant, today
from tests.bookings.desk_support import make_booking
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, on_sqlite
from tests.browser.support import ROOT, WCAG_TAGS, format_violations, run_axe, screenshot
from tests.feeds_support import screening, small_center
from tests.helpers import make_room
from tests.programmes_support import planned_day

pytestmark = [pytest.mark.anyio, on_sqlite]

ORIGIN = "http://signage.test"
# A function, not a bare expression (see tests/browser/support.py, FOCUS_ON_MAIN).
ROWS_STATUS_SHOWN = "() => document.querySelector('[data-pager-status=\"rooms\"]').textContent !== ''"
PAGE_SECONDS = "1"
ROOMS, SLOTS = 8, (("09:00", "10:30"), ("11:00", "12:30"), ("13:00", "16:00"))
AXE_TAGS = [*WCAG_TAGS, "best-practice"]

# The rows of the rooms list a viewer can see now: not hidden, and not clipped by their panel.
VISIBLE_ROWS = """() => {
  const pager = document.querySelector('[data-pager="rooms"]');
  const box = pager.getBoundingClientRect();
  return Array.from(pager.querySelectorAll('[data-pager-item]'))
    .filter(li => !li.closest('[hidden]') && li.getClientRects().length > 0)
    .filter(li => {
      const r = li.getBoundingClientRect();
      return r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
    })
    .map(li => li.textContent.trim());
}"""
ALL_ROWS = """() => Array.from(document.querySelectorAll('[data-pager="rooms"] [data-pager-item]'))
  .map(li => li.textContent.trim())"""
# Anything drawn below or right of the screen, and whether the document is taller than the window.
OFF_SCREEN = """() => {
  const out = Array.from(document.querySelectorAll('main *'))
    .filter(el => !el.closest('[hidden]') && el.getClientRects().length > 0 && !el.closest('[data-pager]'))
    .filter(el => {
      const r = el.getBoundingClientRect();
      return r.bottom > innerHeight + 1 || r.right > innerWidth + 1;
    })
    .map(el => el.outerHTML.slice(0, 80));
  const root = document.documentElement;
  const tall = root.scrollHeight > innerHeight || document.body.scrollHeight > innerHeight;
  return {out, tall};
}"""


@pytest.fixture
def chromium(harness) -> str:
    harness.need(Path(CHROMIUM).exists(), f"browser tests need Chromium at {CHROMIUM}")
    return CHROMIUM


async def _busy_day() -> list[str]:
    """Today: eight rooms with three public events each, a screening at 10:00 and a flower-bed
    day; returns the public events' titles."""
    day = today()
    center = await small_center()
    titles = []
    for number in range(1, ROOMS + 1):
        room = await make_room(code=f"room{number}", name_ja=f"第{number}会議室", name_en=f"Room {number}")
        for slot, (start, end) in enumerate(SLOTS, start=1):
            booking_id = await make_booking(room, center["group"], day, start, end, purpose="非公開の目的")
            title = f"公開講座{number}-{slot}"
            await Booking.update({Booking.public: True, Booking.public_title: title}).where(
                Booking.id == booking_id
            )
            titles.append(title)
    await screening(center, days_ahead=0, at=time(10))
    await planned_day(days_ahead=0)
    return titles


@pytest.fixture
async def busy_signage(db, client) -> tuple[str, list[str]]:
    """The signage's HTML at 8:30 on the busy day, and the public events' titles."""
    with time_machine.travel(local_instant(today(), time(8)), tick=True):
        titles = await _busy_day()
    with time_machine.travel(local_instant(today(), time(8, 30)), tick=False):
        response = await client.get("/signage")
    assert response.status_code == 200
    html = response.text.replace('data-page-seconds="8"', f'data-page-seconds="{PAGE_SECONDS}"')
    assert f'data-page-seconds="{PAGE_SECONDS}"' in html
    return html, titles


def _serve(html: str):
    """Route every request of the page: the signage itself, the project's static files, and
    nothing else (htmx's refresh of the panel finds no server, and the page keeps what it has)."""

    def handle(route: Route) -> None:
        path = route.request.url.removeprefix(ORIGIN).split("?", 1)[0]  # static files carry ?v=HASH
        if path == "/signage":
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
        elif path.startswith("/static/") and (ROOT / path.lstrip("/")).is_file():
            kind = "text/javascript" if path.endswith(".js") else "text/css"
            route.fulfill(status=200, content_type=kind, body=(ROOT / path.lstrip("/")).read_bytes())
        else:
            route.abort()

    return handle


def _audit(page: Page) -> None:
    violations = run_axe(page, AXE_TAGS)
    assert not violations, format_violations(violations)


def _page_count(page: Page) -> int:
    status = page.locator('[data-pager-status="rooms"]').inner_text()
    numbers = re.findall(r"\d+", status)
    assert len(numbers) == 2, f"the rooms list shows no page count: {status!r}"
    return int(numbers[1])


def _watch_one_cycle(page: Page) -> set[str]:
    """The rows seen while the rooms list goes once through all its pages (told apart by its
    "Page 2 of 3" line), checking at every look that nothing is off the screen and the page does
    not scroll."""
    page.wait_for_function(ROWS_STATUS_SHOWN)
    pages = _page_count(page)
    seen: dict[str, set[str]] = {}
    deadline = wall.monotonic() + pages * float(PAGE_SECONDS) * 5 + 10
    while len(seen) < pages and wall.monotonic() < deadline:
        status = page.locator('[data-pager-status="rooms"]').inner_text()
        seen.setdefault(status, set()).update(page.evaluate(VISIBLE_ROWS))
        off = page.evaluate(OFF_SCREEN)
        assert not off["tall"], "the signage scrolls"
        assert not off["out"], f"drawn off the screen: {off['out'][:3]}"
        page.wait_for_timeout(50)
    assert len(seen) == pages, f"only pages {sorted(seen)} of {pages} came into view"
    return set().union(*seen.values())


@contextmanager
def _look(
    html: str, width: int, height: int, *, reduced_motion: str = "no-preference", javascript: bool = True
) -> Iterator[Page]:
    """The signage open in Chromium at that size."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": width, "height": height},
                reduced_motion=reduced_motion,
                java_script_enabled=javascript,
            )
            page = context.new_page()
            page.route("**/*", _serve(html))
            page.goto(f"{ORIGIN}/signage", wait_until="load")
            yield page
        finally:
            browser.close()


def _every_row_in_one_cycle(html: str, width: int, height: int, reduced_motion: str) -> dict:
    with _look(html, width, height, reduced_motion=reduced_motion) as page:
        page.wait_for_function(ROWS_STATUS_SHOWN)
        first = page.evaluate(VISIBLE_ROWS)
        screenshot(page, f"signage-{width}x{height}{'-reduced-motion' if reduced_motion == 'reduce' else ''}")
        _audit(page)
        seen = _watch_one_cycle(page)
        transition = page.evaluate(
            "getComputedStyle(document.querySelector('[data-pager=\"rooms\"]')).transitionDuration"
        )
        return {"first": first, "seen": seen, "all": page.evaluate(ALL_ROWS), "transition": transition}


@pytest.mark.parametrize("width, height", [(1920, 1080), (1280, 720)], ids=["1080p", "720p"])
async def test_the_signage_fits_the_screen_and_shows_every_event_within_one_cycle(
    busy_signage, chromium, width, height
):
    html, titles = busy_signage

    result = await anyio.to_thread.run_sync(_every_row_in_one_cycle, html, width, height, "no-preference")

    assert 0 < len(result["first"]) < len(result["all"]), "everything fit on one page: not a busy day"
    assert result["seen"] == set(result["all"])
    assert all(any(title in row for row in result["seen"]) for title in titles)
    assert any("いすに座って簡単体操" in row for row in result["seen"])
    assert any("春の花壇づくり" in row for row in result["seen"])


async def test_with_reduced_motion_the_pages_change_without_a_fade_and_still_show_every_event(
    busy_signage, chromium
):
    html, _ = busy_signage

    result = await anyio.to_thread.run_sync(_every_row_in_one_cycle, html, 1280, 720, "reduce")

    assert result["transition"] == "0s"
    assert result["seen"] == set(result["all"])


def _clock_after_a_while(html: str) -> tuple[str, str]:
    with _look(html, 1280, 720) as page:
        page.wait_for_timeout(1500)  # the script has ticked
        clock = page.locator("#clock")
        return clock.inner_text(), clock.get_attribute("datetime") or ""


async def test_the_clock_shows_the_servers_japan_time_not_the_screens(busy_signage, chromium):
    html, _ = busy_signage

    text, stamp = await anyio.to_thread.run_sync(_clock_after_a_while, html)

    assert text == "8:30"
    assert stamp.startswith(f"{today().isoformat()}T08:30") and stamp.endswith("+09:00")


def _without_javascript(html: str) -> dict:
    with _look(html, 1920, 1080, javascript=False) as page:
        return {
            "off": page.evaluate(OFF_SCREEN),
            "rows": page.evaluate(VISIBLE_ROWS),
            "pause": page.locator("#pause").is_visible(),
        }


async def test_without_javascript_the_signage_shows_the_first_page_and_reloads_itself(busy_signage, chromium):
    html, _ = busy_signage

    result = await anyio.to_thread.run_sync(_without_javascript, html)

    assert not result["off"]["tall"] and not result["off"]["out"]
    assert result["rows"] and result["rows"][0].startswith("9:00")
    assert not result["pause"]
    assert '<noscript><meta http-equiv="refresh" content="120"></noscript>' in html
