"""The Chromium the browser tests share (tests/browser/shared_chromium.py) runs with the features
Playwright disables still disabled, and without the omnibox WebUI a headless window never shows."""

from __future__ import annotations

import re

from playwright.sync_api import Browser

from tests.browser import shared_chromium


def test_the_shared_chromium_keeps_playwrights_switches_and_spares_the_omnibox_popup(browser: Browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto("chrome://version")
    command_line = page.locator("#command_line").inner_text()
    switches = re.findall(r"--disable-features=(\S+)", command_line)
    assert switches, command_line
    # Chromium honours the last one: it must hold every feature of Playwright's own switch too.
    effective = set(switches[-1].split(","))
    for earlier in switches[:-1]:
        assert set(earlier.split(",")) <= effective
    assert {"HttpsUpgrades", "PaintHolding", *shared_chromium.SPARED_FEATURES} <= effective

    targets = browser.new_browser_cdp_session().send("Target.getTargets")["targetInfos"]
    assert [t["url"] for t in targets if t["type"] == "browser_ui"] == []
    assert any(t["type"] == "page" and t["url"] == "chrome://version/" for t in targets)
