"""Checks for pages on a phone (390×844, touch): no sideways scrolling of the page, text at least
16 px, every target at least 24×24 CSS px (WCAG 2.2 2.5.8; inline links in running text are
exempt), the page's primary action ([data-primary]) at least 44×44, checkboxes on one line with
their labels, and axe-core with the best-practice rules as well as WCAG A/AA."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.support import DEMO_PASSWORD, WCAG_TAGS, format_violations, run_axe

PHONE = {"width": 390, "height": 844}
ALL_TAGS = [*WCAG_TAGS, "best-practice"]


@contextmanager
def phone_context(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    """A phone: 390×844 CSS px, touch, mobile viewport rules."""
    context = browser.new_context(
        base_url=base_url, viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=2
    )
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


def log_in_on(page: Page, username: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator("form[action='/logout'] button").count() == 1, f"{username} is not logged in"


def audit_all(page: Page) -> None:
    """axe-core with WCAG 2.x A/AA and the best-practice rules: zero violations."""
    violations = run_axe(page, ALL_TAGS)
    assert not violations, f"axe found {len(violations)} violations on {page.url}:\n" + format_violations(
        violations
    )


# Every visible target and its size; an inline link whose block holds more text than the link is
# "in running text" (the WCAG exception). Text nodes report their element's font size.
_MEASURE = """() => {
  const visible = (el) => {
    // Rendered (not display:none, not in a closed <details>, not visibility:hidden), not clipped
    // away as visually hidden text, and not parked above the page (the skip link until focused).
    if (!el.checkVisibility({ visibilityProperty: true })) return false;
    const rect = el.getBoundingClientRect();
    if (rect.width <= 1 || rect.height <= 1 || rect.bottom <= 0) return false;
    for (let a = el; a; a = a.parentElement) {
      if (getComputedStyle(a).clip.startsWith('rect(0')) return false;
    }
    return true;
  };
  const blockOf = (el) => {
    let b = el.parentElement;
    while (b && getComputedStyle(b).display.startsWith('inline')) b = b.parentElement;
    return b;
  };
  const describe = (el) => el.outerHTML.slice(0, 110);
  const small = [];
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex="0"]';
  for (const el of document.querySelectorAll(selector)) {
    if (!visible(el)) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width >= 23.5 && rect.height >= 23.5) continue;
    if (el.tagName === 'A' && getComputedStyle(el).display === 'inline') {
      const block = blockOf(el);
      if (block && block.textContent.trim().length > el.textContent.trim().length) continue;
    }
    small.push(`${Math.round(rect.width)}×${Math.round(rect.height)} ${describe(el)}`);
  }
  const tinyText = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (!el || !visible(el) || ['SCRIPT', 'STYLE', 'OPTION'].includes(el.tagName)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 15.95) tinyText.add(`${size}px ${describe(el)}`);
  }
  const apart = [];
  for (const box of document.querySelectorAll('input[type=checkbox], input[type=radio]')) {
    const label = box.id && document.querySelector(`label[for="${box.id}"]`);
    if (!label || !visible(box) || !visible(label)) continue;
    const a = box.getBoundingClientRect(), b = label.getBoundingClientRect();
    // On one line: the label starts beside the box (to its right, overlapping its height).
    const beside = b.left >= a.right - 1 && b.left - a.right < 24 && b.top < a.bottom && b.top > a.top - 24;
    if (!beside) apart.push(describe(label));
  }
  const primary = [...document.querySelectorAll('[data-primary]')].filter(visible).map((el) => {
    const rect = el.getBoundingClientRect();
    return [Math.round(rect.width), Math.round(rect.height), describe(el)];
  });
  return {
    width: document.documentElement.scrollWidth, viewport: window.innerWidth,
    small, tinyText: [...tinyText], apart, primary,
  };
}"""


def check_phone_page(page: Page) -> list[str]:
    """What is wrong with the page as it is now, on a phone; an empty list when nothing is."""
    found = page.evaluate(_MEASURE)
    problems = []
    if found["width"] > found["viewport"]:
        problems.append(f"the page scrolls sideways: {found['width']} px wide in {found['viewport']}")
    problems += [f"target under 24×24: {item}" for item in found["small"]]
    problems += [f"text under 16 px: {item}" for item in found["tinyText"][:10]]
    problems += [f"checkbox apart from its label: {item}" for item in found["apart"]]
    if not found["primary"]:
        problems.append("no visible primary action ([data-primary])")
    for width, height, html in found["primary"]:
        if width < 44 or height < 44:
            problems.append(f"primary action under 44×44 ({width}×{height}): {html}")
    return problems
