"""The open data page in a real Chromium on each engine: reached by keyboard from the footer of
the home page, in both languages, passing the page checks, and its CSV links download the data."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser.support import audit, check_skip_link, check_structure, screenshot, tab_to

BOM = b"\xef\xbb\xbf"


def test_open_data_page_from_the_footer_by_keyboard(page: Page, engine_kind: str):
    page.goto("/")
    tab_to(page, "footer a[href='/opendata']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/opendata")
    assert page.evaluate("document.documentElement.lang") == "ja"
    assert page.locator("h1").inner_text() == "センターのオープンデータ"
    assert page.get_by_text("CC BY 4.0").count() >= 1
    check_structure(page)
    audit(page)
    check_skip_link(page)
    screenshot(page, f"{engine_kind}-opendata-ja")
    for link, first_column in (("/opendata/events.csv", "都道府県コード又は市区町村コード"),
                               ("/opendata/facilities.csv", "都道府県コード又は市区町村コード")):  # fmt: skip
        assert page.locator(f"main a[href='{link}']").count() == 1
        answer = page.request.get(link)
        assert answer.status == 200
        assert answer.body().startswith(BOM)
        assert answer.body()[len(BOM) :].decode("utf-8").split(",", 1)[0] == first_column


def test_open_data_page_in_english(page: Page, engine_kind: str):
    page.goto("/opendata")
    page.locator("button[name=lang][value=en]").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("h1").inner_text() == "Open data of the center"
    check_structure(page)
    audit(page)
    screenshot(page, f"{engine_kind}-opendata-en")
