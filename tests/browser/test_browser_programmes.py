"""The center's programmes by keyboard alone on the demo center, axe on every page visited: a visitor
signs up for a full flower-bed day and lands on the waiting list, staff cancel a signup and the
visitor moves up; staff cancel a day for rain and every signup is told; staff correct the attendance
sheet and the points appear on the volunteer's statement; a screening series skips the year-end
closure and a holiday; and the lobby signage passes the checks."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from functools import partial

from playwright.sync_api import Browser, BrowserContext, Page
from pypdf import PdfReader

from center.lib.dates import format_date, holiday_name, is_holiday, today
from center.lib.i18n import translations
from tests.browser.support import (
    audit,
    check_skip_link,
    check_structure,
    log_in_by_keyboard,
    screenshot,
    tab_to,
)

MAX_TABS = 200
_tab_to = partial(tab_to, limit=MAX_TABS)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
FULL_DAY = "ロビーの寄せ植えづくり"  # the demo's full day, a party of three on its waiting list
RAIN_DAY = "花壇の雪囲いと落ち葉集め"  # the demo's upcoming day with four signups
HELD_DAY = "花壇の冬じまいとチューリップの球根植え"  # held; 美沢 春子 (V-0125) is marked absent


def ja(msgid: str, **params: object) -> str:
    text = translations("ja").ugettext(msgid)
    return text % params if params else text


def _press_enter_on(page: Page, selector: str) -> None:
    _tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()


def _choose(page: Page, selector: str, value: str) -> None:
    """Pick an option of a <select> with the arrow keys."""
    _tab_to(page, selector)
    target = page.evaluate(
        "([s, v]) => Array.from(document.querySelector(s).options).findIndex(o => o.value === v)",
        [selector, value],
    )
    assert target >= 0, f"{selector} has no option {value}"
    current = page.evaluate("(s) => document.querySelector(s).selectedIndex", selector)
    for _ in range(abs(target - current)):
        page.keyboard.press("ArrowDown" if target > current else "ArrowUp")
    assert page.evaluate("(s) => document.querySelector(s).value", selector) == value


def _type_date(page: Page, selector: str, day: date) -> None:
    """Chromium's date field in an en-US browser: month, day, year segments."""
    _tab_to(page, selector)
    page.keyboard.type(f"{day.month:02d}{day.day:02d}{day.year}")
    assert page.evaluate("(s) => document.querySelector(s).value", selector) == day.isoformat()


def _option_value(page: Page, selector: str, text: str) -> str:
    return page.evaluate(
        "([s, t]) => Array.from(document.querySelector(s).options).find(o => o.text.startsWith(t)).value",
        [selector, text],
    )


def _checked(page: Page) -> None:
    check_structure(page)
    audit(page)


def _main_text(page: Page) -> str:
    return re.sub(r"\s+", " ", page.locator("main").inner_text())


def _link_to(page: Page, name: str) -> str:
    """The selector of the link in main whose text is `name`."""
    href = page.locator("main a", has_text=name).first.get_attribute("href")
    assert href, f"no link {name!r} on {page.url}"
    return f"main a[href='{href}']"


def _row_action(page: Page, name: str, selector: str) -> str:
    """The selector of a form or field in the table row headed by a person's name."""
    found = page.evaluate(
        """([name, selector]) => {
            const row = Array.from(document.querySelectorAll('tbody tr'))
              .find(r => r.querySelector('th') && r.querySelector('th').textContent.trim().startsWith(name));
            const el = row && row.querySelector(selector);
            return el ? (el.id ? '#' + el.id : el.getAttribute('action')) : null;
        }""",
        [name, selector],
    )
    assert found, f"no {selector} in the row of {name} on {page.url}"
    return found


def _row_text(page: Page, name: str) -> str:
    return page.evaluate(
        """(name) => { const row = Array.from(document.querySelectorAll('tbody tr'))
            .find(r => r.querySelector('th') && r.querySelector('th').textContent.trim().startsWith(name));
            return row ? row.innerText.replace(/\\s+/g, ' ') : ''; }""",
        name,
    )


def _log_in(context: BrowserContext, username: str) -> Page:
    page = context.new_page()
    log_in_by_keyboard(page, username)
    return page


def _staff_day_page(page: Page, title: str) -> None:
    page.goto("/manage/flowerbeds")
    _checked(page)
    _press_enter_on(page, _link_to(page, title))
    _checked(page)


def _context(browser: Browser, live_server: str) -> BrowserContext:
    # An en-US browser so date fields take month, day, year; the pages stay in Japanese.
    context = browser.new_context(
        base_url=live_server, locale="en-US", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    return context


def test_a_visitor_joins_the_waiting_list_of_a_full_day_and_moves_up_when_staff_cancel_a_signup(
    live_server: str, browser: Browser, engine_kind: str
):
    visitor = _context(browser, live_server).new_page()
    visitor.goto("/flowerbeds")
    _checked(visitor)
    assert ja("Full: waiting list open") in _main_text(visitor)
    _press_enter_on(visitor, _link_to(visitor, FULL_DAY))
    _checked(visitor)
    assert ja(
        "This day is full. If you sign up you join the waiting list, and we tell you when a place opens."
    ) in (_main_text(visitor))
    _tab_to(visitor, "#name")
    visitor.keyboard.type("弥生 ふみ")
    _tab_to(visitor, "#phone")
    visitor.keyboard.type("0144-32-9001")
    _tab_to(visitor, "input[name=age_band]")
    visitor.keyboard.press("Space")
    for _ in range(4):  # under 40 → 40s → 50s → 60–64 → 65–74
        visitor.keyboard.press("ArrowDown")
    assert visitor.evaluate("document.querySelector('input[name=age_band]:checked').value") == "65_74"
    _tab_to(visitor, "#volunteer_no")
    visitor.keyboard.type("V-0199")
    _press_enter_on(visitor, "form[action$='/signup'] button[type=submit]")
    assert "/flowerbeds/signups/" in visitor.url
    _checked(visitor)
    text = _main_text(visitor)
    assert (
        ja("On the waiting list") in text
        and ja("Number %(position)s on the waiting list", position=2) in text
    )
    private_link = visitor.url
    screenshot(visitor, f"{engine_kind}-programmes-waiting")

    staff = _log_in(_context(browser, live_server), "desk")
    _staff_day_page(staff, FULL_DAY)
    assert ja("On the waiting list") in _row_text(staff, "弥生 ふみ")
    # 日新 孝 (one person) phones to cancel: one place opens. The party of three waiting first does
    # not fit, so the visitor, next on the list, moves up.
    action = _row_action(staff, "日新 孝", "form")
    _press_enter_on(staff, f"form[action='{action}'] button[type=submit]")
    _checked(staff)
    assert ja("Cancelled") in _row_text(staff, "日新 孝")
    row = _row_text(staff, "弥生 ふみ")
    assert ja("Confirmed") in row and ja("moved up") in row
    assert ja("On the waiting list") in _row_text(staff, "有珠 太郎")
    notices = staff.locator("table.notices-sent tbody tr", has_text="弥生 ふみ")
    assert notices.filter(has_text=ja("A place opened for %(title)s", title=FULL_DAY)).count() == 1

    visitor.goto(private_link)
    _checked(visitor)
    text = _main_text(visitor)
    assert ja("Confirmed") in text and ja("On the waiting list") not in text


def test_staff_cancel_a_day_for_rain_and_everyone_signed_up_is_told(
    live_server: str, browser: Browser, engine_kind: str
):
    staff = _log_in(_context(browser, live_server), "desk")
    _staff_day_page(staff, RAIN_DAY)
    # The day's live signups (another browser test may have signed up and cancelled on this day).
    people = staff.evaluate(
        "(cancelled) => Array.from(document.querySelectorAll('table:not(.notices-sent) tbody tr'))"
        ".filter(tr => !tr.textContent.includes(cancelled))"
        ".map(tr => tr.querySelector('th')?.textContent.trim()).filter(Boolean)",
        ja("Cancelled"),
    )
    assert len(people) == 4
    _tab_to(staff, "input[name=action]:checked")  # postpone, the day's rain plan
    staff.keyboard.press("ArrowDown")
    assert staff.evaluate("document.querySelector('input[name=action]:checked').value") == "cancel"
    _tab_to(staff, "#note")
    staff.keyboard.type("大雨の予報のため中止します。")
    _press_enter_on(staff, "form[action$='/weather'] button[type=submit]")
    _checked(staff)
    assert (
        ja("The day is cancelled and everyone signed up has been told.") in staff.locator("body").inner_text()
    )
    sent = staff.locator("table.notices-sent tbody tr", has_text=RAIN_DAY)
    cancelled = [text for text in sent.all_inner_texts() if text.count("中止")]
    assert sorted(name for name in people if any(name in text for text in cancelled)) == sorted(people)
    screenshot(staff, f"{engine_kind}-programmes-rain")

    staff.goto("/flowerbeds")
    _checked(staff)
    row = staff.locator("tbody tr", has_text=RAIN_DAY)
    assert ja("Cancelled") in row.inner_text()
    day_link = row.locator("a").get_attribute("href")
    staff.goto(day_link)
    _checked(staff)
    assert ja("Signups for this day are closed.") in _main_text(staff)
    # The public calendar shows the day as cancelled.
    day_text = staff.locator("dl dd").first.inner_text()
    staff.goto("/calendar?month=" + _month_of(day_text))
    _checked(staff)
    assert staff.locator(".month__programme--cancelled", has_text=RAIN_DAY).count() == 1


def _month_of(day_text: str) -> str:
    """YYYY-MM of a date written by format_date (令和 era or Gregorian), found among the next days."""
    for offset in range(0, 120):
        day = today() + timedelta(days=offset)
        if day_text.startswith(format_date(day)):
            return f"{day.year:04d}-{day.month:02d}"
    raise AssertionError(f"no date in {day_text!r}")


def test_staff_correct_the_attendance_and_the_points_appear_on_the_statement(
    live_server: str, browser: Browser, engine_kind: str
):
    staff = _log_in(_context(browser, live_server), "desk")
    _staff_day_page(staff, HELD_DAY)
    _press_enter_on(staff, "main a[href$='/attendance']")
    _checked(staff)
    box = _row_action(staff, "美沢 春子", "input[type=checkbox]")
    assert not staff.locator(box).is_checked()
    _tab_to(staff, box)
    staff.keyboard.press("Space")
    _tab_to(staff, box.replace("attended-", "hours-"))
    staff.keyboard.press("Control+A")
    staff.keyboard.type("2")
    _press_enter_on(staff, "form[action$='/attendance'] button[type=submit]")
    _checked(staff)
    assert ja("Attendance is saved and volunteer points are updated.") in staff.locator("body").inner_text()

    staff.goto("/manage/points")
    _checked(staff)
    row = _row_text(staff, "V-0125")
    assert "美沢 春子" in row and re.search(r"\b2:00 2\b", row), row
    link = staff.locator("tbody tr", has_text="V-0125").locator("a[href$='statement.pdf']")
    answer = staff.request.get(link.get_attribute("href"))
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.body())).pages)
    assert "V-0125" in text and "美沢 春子" in text and HELD_DAY[:6] in text
    screenshot(staff, f"{engine_kind}-programmes-points")


def test_a_screening_series_skips_the_year_end_closure_and_a_holiday(
    live_server: str, browser: Browser, engine_kind: str
):
    def first_for(year: int) -> date:
        """The last Monday, Wednesday or Friday on or before 28 December: the series' first date,
        just before the year-end closure."""
        day = date(year, 12, 28)
        while day.weekday() not in (0, 2, 4):
            day -= timedelta(days=1)
        return day

    year = today().year if first_for(today().year) > today() else today().year + 1
    first, last = first_for(year), date(year + 1, 1, 15)
    holiday = next(
        first + timedelta(days=n)
        for n in range(6, 19)
        if (first + timedelta(days=n)).weekday() in (0, 2, 4) and is_holiday(first + timedelta(days=n))
    )
    staff = _log_in(_context(browser, live_server), "manager")
    staff.goto("/manage/screenings")
    _checked(staff)
    _press_enter_on(staff, "main a[href='/manage/screenings/rule']")
    _checked(staff)
    _choose(staff, "#video", _option_value(staff, "#video", "立って簡単体操 全身ストレッチ"))
    _choose(staff, "#room", _option_value(staff, "#room", "研修室"))
    assert staff.evaluate(
        "() => Array.from(document.querySelectorAll('input[name=weekdays]:checked')).map(i => i.value)"
    ) == ["0", "2", "4"]
    _tab_to(staff, "#times")
    staff.keyboard.press("Control+A")
    staff.keyboard.type("11:00")
    _type_date(staff, "#starts_on", first)
    _type_date(staff, "#ends_on", last)
    _press_enter_on(staff, "form[action='/manage/screenings/rule'][method=get] button[type=submit]")
    _checked(staff)
    rows = staff.evaluate(
        "() => Array.from(document.querySelectorAll('#preview-caption ~ tbody tr'))"
        ".map(r => r.innerText.replace(/\\s+/g, ' '))"
    )

    def row_of(day: date) -> str:
        found = [r for r in rows if r.startswith(format_date(day))]
        assert found, f"{day} is not in the preview: {rows}"
        return found[0]

    assert row_of(first)  # the first date is asked for (free or clashing, never skipped as closed)
    closed = next(
        d for d in (date(year, 12, 29) + timedelta(days=n) for n in range(6)) if d.weekday() in (0, 2, 4)
    )
    assert ja("Skipped: the center is closed") in row_of(closed)
    assert holiday_name(holiday) in row_of(holiday)
    screenshot(staff, f"{engine_kind}-programmes-series")
    _press_enter_on(staff, "form[action='/manage/screenings/rule'][method=post] button[type=submit]")
    assert staff.url.endswith("/manage/screenings")
    _checked(staff)


def test_the_public_programme_pages_and_the_lobby_signage_pass_the_checks(
    live_server: str, browser: Browser, engine_kind: str
):
    page = _context(browser, live_server).new_page()
    for path in ("/exercise-videos", "/flowerbeds", "/signage"):
        page.goto(path)
        _checked(page)
        check_skip_link(page)
    assert page.locator("#signage-panel[hx-trigger='every 30s']").count() == 1
    screenshot(page, f"{engine_kind}-programmes-signage")
