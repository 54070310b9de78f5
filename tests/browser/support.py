"""Helpers for the browser tests, and the checks every page must pass: axe-core's WCAG 2.0/2.1/2.2
A and AA rules with zero violations, one h1, a lang attribute, and a skip link that takes keyboard
focus to the main content."""

from __future__ import annotations

import hashlib
import os
import weakref
from pathlib import Path

from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import BrowserContext, Page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
DEMO_PASSWORD = "demo-password"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# axe-core (the copy axe_playwright_python ships) is 570 kB of script. Its Axe.run evaluates all of it
# into the page on every call, and the first run in a freshly evaluated copy also pays for compiling
# it: 0.15-0.45 s an audit on the pages measured. Instead the first audit in a browser context also
# registers it as an init script, which Chromium runs (from its code cache) at the start of every
# later document in that context, before the page's own scripts; an audit then only calls axe.run,
# with the same rules and options as before. axe only defines window.axe and does nothing until run.
# A page that has no axe yet (the first audit in a context, set_content, a context without
# JavaScript, where init scripts do not run) still gets it evaluated, as Axe.run did.
_AXE_CONTEXTS: weakref.WeakSet[BrowserContext] = weakref.WeakSet()

# Everything about the page as it is now that axe's result can depend on: the serialized DOM (with
# the stylesheets' addresses, which carry their content hash, and inline styles), what the DOM
# does not serialize (form controls' values and checked states, the focused element, the scroll
# position), the viewport, pixel ratio, language and media features the context emulates. A state already
# audited clean in this run (by any test, on any server: the markup and static files are the same)
# is not audited again: axe-core is deterministic for a given DOM, style and viewport, so a second
# run would only repeat the zero violations. (Pages differ per role and language in their
# navigation, so in practice this is the same page seen again within or across flows, such as the
# login page and the home page each keyboard flow passes through.) A page with an animation or
# transition running is always audited, since what is drawn then changes without the DOM changing.
_STATE = """() => {
  const ready = typeof window.axe === 'object' && typeof window.axe.run === 'function';
  if (document.getAnimations().length > 0) return { ready, state: null };
  const controls = Array.from(document.querySelectorAll('input, select, textarea'),
    el => el.type === 'checkbox' || el.type === 'radio' ? String(el.checked) : el.value);
  const path = [];
  for (let el = document.activeElement; el && el.parentElement; el = el.parentElement) {
    path.push(Array.prototype.indexOf.call(el.parentElement.children, el));
  }
  const media = ['(hover: hover)', '(pointer: coarse)', '(prefers-reduced-motion: reduce)',
    '(prefers-color-scheme: dark)', '(forced-colors: active)', '(prefers-contrast: more)']
    .map(query => matchMedia(query).matches ? '1' : '0').join('');
  return { ready, state: JSON.stringify([innerWidth, innerHeight, devicePixelRatio, scrollX, scrollY,
    navigator.language, media, path, controls, document.documentElement.outerHTML]) };
}"""
_CLEAN: set[tuple[tuple[str, ...], str]] = set()


def run_axe(page: Page, tags: list[str]) -> list[dict]:
    """axe-core's violations of the rules with these tags on the page as it is now."""
    if page.context not in _AXE_CONTEXTS:
        page.context.add_init_script(AXE_SCRIPT)
        _AXE_CONTEXTS.add(page.context)
    found = page.evaluate(_STATE)
    key = None
    if found["state"] is not None:
        key = (tuple(tags), hashlib.sha256(found["state"].encode()).hexdigest())
        if key in _CLEAN:
            return []
    if not found["ready"]:
        page.evaluate(AXE_SCRIPT)
    options = {"runOnly": {"type": "tag", "values": tags}, "resultTypes": ["violations"]}
    violations = page.evaluate("(options) => axe.run(document, options).then(r => r.violations)", options)
    if key is not None and not violations:
        _CLEAN.add(key)
    return violations


# The elements a Tab key press can reach, in document order (tabindex > 0 is not used by the app).
_TABBABLE = """() => Array.from(document.querySelectorAll(
    'a[href], button, input, select, textarea, summary, [tabindex]'
  )).filter(el => !el.disabled && el.tabIndex >= 0 && el.type !== 'hidden'
    && getComputedStyle(el).visibility !== 'hidden' && el.getClientRects().length > 0
  )"""


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}")
        lines.append(f"  {violation.get('helpUrl', '')}")
        for node in violation["nodes"][:8]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node.get('failureSummary', '')!r}")
            lines.append(f"       {node.get('html', '')[:160]}")
    return "\n".join(lines)


def audit(page: Page) -> None:
    """Run axe-core on the page as it is now; fail listing every violation."""
    violations = run_axe(page, WCAG_TAGS)
    assert not violations, f"axe found {len(violations)} WCAG A/AA violations on {page.url}:\n" + (
        format_violations(violations)
    )


# What check_structure and the first half of check_skip_link read, in one round trip to the page.
_STRUCTURE = """() => ({ h1: document.querySelectorAll('h1').length, lang: document.documentElement.lang })"""
_BEFORE_SKIP = (
    """() => {
  const tabbable = ("""
    + _TABBABLE
    + """)();
  const skip = document.querySelectorAll("a.skip-link[href='#main']");
  return {
    tabbable: tabbable.map(el => el.outerHTML.slice(0, 120)),
    first: tabbable.length > 0 && tabbable[0] === document.querySelector('a.skip-link'),
    skips: skip.length,
    atBody: document.activeElement === document.body,
  };
}"""
)


def check_structure(page: Page) -> None:
    """Exactly one h1 and a language on the root element."""
    found = page.evaluate(_STRUCTURE)
    assert found["h1"] == 1, f"{page.url} has {found['h1']} h1 elements"
    assert found["lang"] in ("ja", "en"), f"{page.url} has lang={found['lang']!r}"


# Predicates for wait_for_function are written as functions, never as bare expressions: Playwright
# evaluates a bare expression again with eval() on every poll, in the page, where the
# Content-Security-Policy (script-src 'self') refuses it; only the first check, made through
# DevTools, is allowed. A wait whose first check said no then failed with an EvalError. A function
# is evaluated once, in that first check, and then called.
FOCUS_ON_MAIN = "() => document.activeElement && document.activeElement.id === 'main'"


def check_skip_link(page: Page) -> None:
    """The skip link is the first thing Tab reaches, and following it puts focus on #main."""
    found = page.evaluate(_BEFORE_SKIP)
    tabbable = found["tabbable"]
    assert tabbable, f"{page.url} has nothing to focus"
    assert found["skips"] == 1, f"{page.url} has no skip link to #main"
    assert found["first"], f"the first tab stop on {page.url} is not the skip link but {tabbable[0]}"
    skip = page.locator("a.skip-link[href='#main']")
    if found["atBody"]:
        page.keyboard.press("Tab")  # a fresh page: the first Tab lands on the skip link
    else:
        skip.focus()  # the page autofocuses a field (the login form), so start from the link
    assert page.evaluate("document.activeElement.classList.contains('skip-link')"), (
        f"Tab on {page.url} did not reach the skip link"
    )
    assert skip.is_visible(), f"the skip link on {page.url} stays invisible when focused"
    page.keyboard.press("Enter")
    page.wait_for_function(FOCUS_ON_MAIN, timeout=2000)


# What wait_for_load_state("networkidle") was waited for, without its fixed half second of quiet
# after the last request: the load event (styles, scripts, images), htmx's requests and swaps
# finished (htmx 2 marks an element .htmx-request from the moment it sends until the response, then
# .htmx-swapping/.htmx-settling/.htmx-added until the new content has settled; a hx-trigger="load"
# element, the home page's programme panel, sends during DOMContentLoaded and is replaced by its
# answer), and no image in view still loading (lazy images out of view are not fetched, with or
# without networkidle).
_SETTLED = """() => document.readyState === 'complete'
  && !document.querySelector(
    '[hx-trigger="load"], .htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')
  && Array.from(document.images).every(img => {
    if (img.complete) return true;
    const box = img.getBoundingClientRect();
    return img.loading === 'lazy' && (box.top >= innerHeight || box.bottom <= 0);
  })"""


def settle(page: Page) -> None:
    """Wait until the page has loaded and finished what htmx does on load (see _SETTLED)."""
    page.wait_for_function(_SETTLED)


def screenshot(page: Page, name: str) -> None:
    """Keep a picture for humans to look at (test-artifacts/ is not committed), when asked to with
    CENTER_TEST_SCREENSHOTS=1. A full-page screenshot is about 0.28 core-seconds of Chromium (30 of
    them, of the week grid, the rooms and the home page, measured); the suite takes 67 and checks
    nothing with them, so a run that only tests does without."""
    if os.environ.get("CENTER_TEST_SCREENSHOTS", "") not in ("1", "true"):
        return
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def focused(page: Page, selector: str) -> bool:
    return page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector)


def tab_to(page: Page, selector: str, limit: int = 200, *, from_start: bool = False) -> None:
    """Press Tab until the element matching `selector` has focus, as a keyboard user would; with
    `from_start`, from the top of the page rather than from wherever focus is now."""
    if from_start:
        page.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page, selector):
            return
    raise AssertionError(f"{limit} presses of Tab on {page.url} never reached {selector}")


def wait_for_focus(page: Page, selector: str, timeout: float = 5_000) -> None:
    """Wait until the element has keyboard focus: a page's autofocus lands a moment after load, and
    keys typed before it land nowhere (as a real user's would)."""
    page.wait_for_function(
        "(s) => document.activeElement && document.activeElement.matches(s)", arg=selector, timeout=timeout
    )


def log_in_by_keyboard(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in as a keyboard user does: the login page focuses the user name field; type, Tab to the
    password, type, Enter."""
    page.goto("/login")
    wait_for_focus(page, "#username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    wait_for_focus(page, "#password")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    # Attached, not visible: on a phone the account links sit in the folded menu.
    page.wait_for_selector("nav form[action='/logout'] button", state="attached")


def log_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("nav form[action='/logout'] button").count() == 1, f"{username} is not logged in"
