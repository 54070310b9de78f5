"""The lobby signage while a screening is showing, audited by axe in a real Chromium.

The signage's "now showing" panel exists only during a screening, so the crawl of the live demo
server sees it only when the suite happens to run at one. Here the app (in-process, on each engine)
serves the signage at 10:05 Japan time beside a screening that began at 10:00, and Chromium renders
that very page (its styles are inline) for axe."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import anyio
import pytest
import time_machine
from playwright.sync_api import sync_playwright

from center.lib.dates import local_instant, today
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, on_sqlite
from tests.browser.support import audit
from tests.feeds_support import screening, small_center

pytestmark = [pytest.mark.anyio, on_sqlite]


def _audit_html(html: str) -> int:
    """Render the page in Chromium and run axe on it; returns how many "now showing" rows it drew."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            page.route("**/*", lambda route: route.abort())  # nothing to fetch: the page stands alone
            page.set_content(html, wait_until="domcontentloaded")
            audit(page)
            return page.locator(".now").count()
        finally:
            browser.close()


@pytest.fixture
def chromium(harness) -> str:
    harness.need(Path(CHROMIUM).exists(), f"browser tests need Chromium at {CHROMIUM}")
    return CHROMIUM


async def test_the_signage_passes_axe_while_a_screening_is_showing(db, client, chromium):
    day = today()
    with time_machine.travel(local_instant(day, time(9, 30)), tick=True):
        center = await small_center()
        await screening(center, days_ahead=0, at=time(10))
    with time_machine.travel(local_instant(day, time(10, 5)), tick=True):
        response = await client.get("/signage")
    assert response.status_code == 200 and 'class="now"' in response.text

    showing = await anyio.to_thread.run_sync(_audit_html, response.text)

    assert showing == 1
