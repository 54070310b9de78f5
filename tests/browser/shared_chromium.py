"""One Playwright and one Chromium per test process, kept from the first browser test to the last
of a run of them.

Launching them is about 0.6 core-seconds on an idle machine (Playwright's node driver, Chromium's
browser, GPU and zygote processes and a WebUI renderer), and more on a loaded one; with one launch
per test module that was over forty launches a suite. But while Playwright's sync API is running,
its event loop counts as the running loop of this thread, and `asyncio.run` (the `db` fixture, the
async tests) refuses to start. So the browser is closed again as soon as a test that does not use
it is about to run in this process (tests/conftest.py, pytest_runtest_setup), and started afresh by
the next one that does. The browser tests of a group run one after another on one worker
(tests/browser/groups.py), so a worker launches about once."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Playwright, sync_playwright

# Chromium 156 gives every window, and so every browser context here, a renderer of its own for the
# omnibox's WebUI popup (chrome://omnibox-popup.top-chrome), which a headless browser never shows.
# Measured with 20 contexts each loading the login page: 15.1 core-s with it, 9.4 without.
SPARED_FEATURES = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup")

_playwright: Playwright | None = None
_browser: Browser | None = None
_disable_features: str | None = None


def disable_features(playwright: Playwright, executable: str, args: list[str]) -> str:
    """The `--disable-features` switch to launch with: the features Playwright disables, read from
    the command line a browser it launched reports (chrome://version), and SPARED_FEATURES. Chromium
    keeps only the last `--disable-features` it is given, so ours must repeat Playwright's."""
    global _disable_features
    if _disable_features is None:
        probe = playwright.chromium.launch(executable_path=executable, headless=True, args=args)
        try:
            page = probe.new_page()
            page.goto("chrome://version")
            command_line = page.locator("#command_line").inner_text()
        finally:
            probe.close()
        found = re.findall(r"--disable-features=(\S+)", command_line)
        defaults = found[-1].split(",") if found else []
        _disable_features = "--disable-features=" + ",".join([*defaults, *SPARED_FEATURES])
    return _disable_features


def browser(executable: str, args: list[str]) -> Browser:
    """The running Chromium, launched if there is none."""
    global _playwright, _browser
    if _browser is None or not _browser.is_connected():
        close()
        _playwright = sync_playwright().start()
        switch = disable_features(_playwright, executable, args)
        _browser = _playwright.chromium.launch(
            executable_path=executable, headless=True, args=[*args, switch]
        )
    return _browser


def close() -> None:
    """Close Chromium and stop Playwright (and with it its event loop), if they are running."""
    global _playwright, _browser
    browser, playwright = _browser, _playwright
    _browser = _playwright = None
    try:
        if browser is not None and browser.is_connected():
            browser.close()
    finally:
        if playwright is not None:
            playwright.stop()
