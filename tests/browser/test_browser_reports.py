"""The reports by keyboard alone, in Chromium against the real server with the demo data: a
manager reaches the reports from the menu, picks a fiscal year, opens each report (charts with
their data tables), switches to a month and fetches the PDF and CSV. Every page passes axe's WCAG
A/AA rules, has one h1 and a working skip link."""

from __future__ import annotations

import re
from functools import partial

from playwright.sync_api import Page

from tests.browser.support import (
    audit,
    check_skip_link,
    check_structure,
    log_in_by_keyboard,
    screenshot,
    tab_to,
)

MAX_TABS = 400
_tab_to = partial(tab_to, limit=MAX_TABS, from_start=True)


def checked(page: Page) -> None:
    page.wait_for_load_state()
    check_structure(page)
    audit(page)


def follow(page: Page, selector: str, url_pattern) -> None:
    _tab_to(page, selector)
    page.keyboard.press("Enter")
    page.wait_for_url(url_pattern)
    checked(page)


def log_in(page: Page, username: str) -> None:
    log_in_by_keyboard(page, username)


def test_a_manager_reads_every_report_by_keyboard(page: Page, engine_kind: str):
    log_in(page, "manager")
    follow(page, "nav a[href='/reports']", re.compile(r".*/reports$"))
    check_skip_link(page)

    # A fiscal year from the list, by keyboard.
    _tab_to(page, "#year")
    page.keyboard.press("Home")
    _tab_to(page, "form:has(#year) button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/reports\?year=\d{4}$"))
    checked(page)
    year = page.url.rsplit("=", 1)[1]

    follow(page, f"main a[href='/reports/usage?year={year}']", re.compile(r".*/reports/usage\?year=\d{4}$"))
    check_skip_link(page)
    assert page.locator("main svg[role=img] title").count() >= 2
    assert page.locator("main table caption").count() >= 4
    screenshot(page, f"reports-usage-year-{engine_kind}")
    # The tables scroll sideways inside a region that the keyboard can reach.
    _tab_to(page, "main .table-wrap[role=region]")

    for kind in ("income", "maintenance", "programmes"):
        follow(
            page, f"main nav a[href='/reports/{kind}?year={year}']", re.compile(rf".*/reports/{kind}\?year=")
        )
        assert page.locator("main h1").inner_text().strip()

    # Back to the usage report for one month, through the period navigation.
    follow(page, f"main nav a[href='/reports/usage?year={year}']", re.compile(r".*/reports/usage\?year="))
    _tab_to(page, "main details summary")
    page.keyboard.press("Enter")
    _tab_to(page, "details form:has(#month) button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/reports/usage\?month=\d{4}-\d{2}$"))
    checked(page)
    month = page.url.rsplit("=", 1)[1]
    assert page.locator("main table#usage-rooms-table tfoot th").inner_text().strip() == "合計"

    for link, kind in (("pdf", "application/pdf"), ("csv", "text/csv")):
        href = page.locator(f"main a[href='/reports/usage/{link}?month={month}']").get_attribute("href")
        answer = page.request.get(href)
        assert answer.ok and answer.headers["content-type"].startswith(kind), (href, answer.status)
    assert page.request.get(f"/reports/usage/csv?month={month}").body().startswith(b"\xef\xbb\xbf")
