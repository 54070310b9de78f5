"""Codes that work by phone, on a phone: at 390×844 with touch, a visitor signs up for a flower-bed
day in a few taps, then finds and cancels the signup with its code and the phone's last four
digits; a visitor reports a broken handrail with a photo and looks the report up with its code
typed without the hyphen, and sees the photo. Every page passes axe (WCAG A/AA and best practice)."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page

from center.lib.i18n import translations
from tests.browser.support import WCAG_TAGS, check_structure, format_violations, run_axe, screenshot

RAIN_DAY = "花壇の雪囲いと落ち葉集め"  # the demo's upcoming day with places left
AXE_TAGS = [*WCAG_TAGS, "best-practice"]


def ja(msgid: str, **params: object) -> str:
    text = translations("ja").ugettext(msgid)
    return text % params if params else text


def checked(page: Page) -> None:
    """One h1, a lang, and no axe violation of WCAG A/AA or best practice."""
    page.wait_for_load_state()
    check_structure(page)
    violations = run_axe(page, AXE_TAGS)
    assert not violations, f"axe found {len(violations)} violations on {page.url}:\n" + format_violations(
        violations
    )


class Thumb:
    """Taps and typed fields, counted: what a person on a phone does."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.actions = 0

    def tap(self, selector: str, *, navigates: bool = False) -> None:
        self.actions += 1
        if navigates:
            with self.page.expect_navigation():
                self.page.locator(selector).first.tap()
            checked(self.page)
        else:
            self.page.locator(selector).first.tap()

    def type(self, selector: str, text: str) -> None:
        self.actions += 1
        self.page.locator(selector).tap()
        self.page.keyboard.type(text)

    def pick(self, selector: str, label: str) -> None:
        """Tap a select and pick the option whose text contains `label` (one tap on the picker)."""
        self.actions += 1
        value = self.page.evaluate(
            "([s, t]) => Array.from(document.querySelector(s).options).find(o => o.text.includes(t)).value",
            [selector, label],
        )
        self.page.select_option(selector, value)

    def attach(self, selector: str, name: str, content: bytes, mime: str) -> None:
        """Choose a photo (the phone's own picker)."""
        self.actions += 1
        self.page.set_input_files(selector, {"name": name, "mimeType": mime, "buffer": content})


@pytest.fixture
def phone(browser: Browser, live_server: str) -> Page:
    """A touch phone of 390×844."""
    context = browser.new_context(
        base_url=live_server,
        viewport={"width": 390, "height": 844},
        has_touch=True,
        is_mobile=True,
        device_scale_factor=2,
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def main_text(page: Page) -> str:
    return re.sub(r"\s+", " ", page.locator("main").inner_text())


def test_on_a_phone_a_visitor_signs_up_then_finds_and_cancels_the_signup_with_its_code(
    phone: Page, engine_kind: str
):
    phone.goto("/flowerbeds")
    checked(phone)
    thumb = Thumb(phone)
    thumb.tap(f"main a:has-text('{RAIN_DAY}')", navigates=True)
    start = thumb.actions
    thumb.type("#name", "沼ノ端 みどり")
    thumb.type("#phone", "090-2468-1357")
    thumb.tap("input[name=age_band][value='65_74']")
    thumb.tap("form[action$='/signup'] button[type=submit]", navigates=True)
    assert thumb.actions - start <= 6, f"the signup took {thumb.actions - start} taps and fields"
    assert "/flowerbeds/signups/" in phone.url
    code = phone.locator(".short-code__value").inner_text().strip()
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}", code)
    text = main_text(phone)
    assert ja("Number of participants") in text and "0144-32-7111" in text
    screenshot(phone, f"{engine_kind}-codes-signup")

    # Later, the tab closed: the code and the last four digits find the signup, and cancel it.
    thumb.tap(f"main a:has-text('{ja('Check or cancel your signup')}')", navigates=True)
    thumb.type("#code", code.replace("-", "").lower())
    thumb.type("#digits", "1357")
    thumb.tap("main form button[type=submit]", navigates=True)
    assert "沼ノ端" not in main_text(phone)  # the public page never shows the name
    assert RAIN_DAY in main_text(phone) and ja("Confirmed") in main_text(phone)
    thumb.tap(f"main button:has-text('{ja('Cancel my signup')}')", navigates=True)
    assert phone.url.endswith("/flowerbeds/find")
    assert (
        ja("Your signup is cancelled. Thank you for letting us know.") in phone.locator("body").inner_text()
    )
    screenshot(phone, f"{engine_kind}-codes-cancelled")


def handrail_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (150, 110, 60)).save(out, "JPEG")
    return out.getvalue()


def test_on_a_phone_a_visitor_reports_a_broken_handrail_and_looks_it_up_without_the_hyphen(
    phone: Page, engine_kind: str
):
    phone.goto("/report")
    checked(phone)
    thumb = Thumb(phone)
    thumb.pick("#location", "階段")
    thumb.type("#description", "階段の手すりが外れかけています。")
    thumb.attach("#photo", "handrail.jpg", handrail_photo(), "image/jpeg")
    thumb.tap("main form button[type=submit]", navigates=True)
    assert thumb.actions <= 5, f"the report took {thumb.actions} taps and fields"
    code = phone.locator(".short-code__value").inner_text().strip()
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}", code)
    text = main_text(phone)
    assert "危険な場合は、すぐに受付へお知らせください" in text and "0144-32-7111" in text
    screenshot(phone, f"{engine_kind}-codes-report")

    # Another day: the report is looked up with its code typed without the hyphen.
    phone.goto("/report/status")
    checked(phone)
    thumb.type("#reference", code.replace("-", ""))
    thumb.tap("main form button[type=submit]", navigates=True)
    assert phone.url.endswith(f"/report/{code}")
    assert ja("Received: waiting to be checked by staff") in main_text(phone)
    image = phone.locator("main figure img")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    screenshot(phone, f"{engine_kind}-codes-report-status")
