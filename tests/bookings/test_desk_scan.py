"""The desk's scan field over HTTP: a scanned permit checks its booking in at once; a refused code
changes nothing and says why, showing the code that was tried; without JavaScript every scan
redirects back to the board, whose field is empty and focused; with htmx only the result comes
back and the board is told to refresh; the key is recorded afterwards on the booking's page."""

from __future__ import annotations

import re

import pytest

from bookings.permits import permit_code
from center.accounts.tables import AuditEntry
from tests.bookings import desk_support as support
from tests.bookings.desk_support import booking
from tests.helpers import login, post_form, text_of

pytestmark = pytest.mark.anyio
desk_center = support.desk_center

SCAN_FIELD = re.compile(r"<input id=\"q\"[^>]*>")


async def _scan(client, code: str, date: str = "", **options):
    return await post_form(client, "/desk/scan", {"q": code, "date": date}, **options)


def _field(html: str) -> str:
    found = SCAN_FIELD.search(html)
    assert found, "the board has no scan field"
    return found.group(0)


def _result(html: str) -> str:
    start = html.index('id="scan-result"')
    return text_of(html[start : html.index("</section>", start)])


async def test_a_scanned_permit_checks_the_booking_in_and_redirects_to_the_board(client, desk_center):
    await login(client, "desk1")
    number = (await booking(desk_center["morning"]))["permit_number"]

    answer = await _scan(client, permit_code(number))

    assert answer.status_code == 303 and answer.headers["location"] == "/desk"
    assert (await booking(desk_center["morning"]))["checked_in_at"] is not None


async def test_after_a_scan_the_board_shows_which_booking_was_checked_in_beside_an_empty_focused_field(
    client, desk_center
):
    await login(client, "desk1")
    number = (await booking(desk_center["morning"]))["permit_number"]
    await _scan(client, number)

    page = await client.get("/desk")

    field = _field(page.text)
    assert 'value=""' in field and "autofocus" in field and 'aria-describedby="scan-result' in field
    result = _result(page.text)
    assert "チェックイン: いきいきシニアサロン若草" in result and "多目的ホール" in result
    assert f"読み取ったコード: {number}" in result


async def test_a_refused_code_changes_nothing_and_the_board_says_why_with_the_code_tried(client, desk_center):
    await login(client, "desk1")
    entries_before = await AuditEntry.count()

    answer = await _scan(client, "2026-999999")
    page = await client.get(answer.headers["location"])

    assert answer.status_code == 303
    assert await AuditEntry.count() == entries_before
    result = _result(page.text)
    assert "チェックインしていません" in result and "2026-999999" in result
    assert "許可番号 2026-999999 の予約はありません" in result
    assert 'value=""' in _field(page.text)


async def test_a_forged_qr_code_is_refused_and_shown_as_it_was_scanned(client, desk_center):
    await login(client, "desk1")
    forged = "CAC1:2026-000001:000000000000"

    await _scan(client, forged)
    result = _result((await client.get("/desk")).text)

    assert "センターが発行したものではない" in result and forged in result


async def test_scanning_a_permit_already_checked_in_says_so_and_changes_nothing(client, desk_center):
    await login(client, "desk1")
    number = (await booking(desk_center["morning"]))["permit_number"]
    await _scan(client, number)
    first = (await booking(desk_center["morning"]))["checked_in_at"]

    await _scan(client, number)

    assert (await booking(desk_center["morning"]))["checked_in_at"] == first
    result = _result((await client.get("/desk")).text)
    assert "チェックインしていません" in result and "チェックイン済みです" in result
    assert f'href="/desk/bookings/{desk_center["morning"]}"' in (await client.get("/desk")).text


async def test_a_typed_group_name_lists_its_bookings_without_checking_any_in(client, desk_center):
    await login(client, "desk1")

    await _scan(client, "すいさい")
    page = await client.get("/desk")

    assert (await booking(desk_center["afternoon"]))["checked_in_at"] is None
    assert f'href="/desk/bookings/{desk_center["afternoon"]}"' in page.text
    assert "苫小牧水彩画同好会" in _result(page.text)


async def test_with_htmx_a_scan_answers_with_the_result_alone_and_tells_the_board_to_refresh(
    client, desk_center
):
    await login(client, "desk1")
    number = (await booking(desk_center["afternoon"]))["permit_number"]

    answer = await _scan(client, number, headers={"HX-Request": "true"})

    assert answer.status_code == 200 and "<html" not in answer.text
    assert answer.headers["HX-Trigger"] == "desk-scanned"
    assert "チェックイン: 苫小牧水彩画同好会" in text_of(answer.text)
    assert (await booking(desk_center["afternoon"]))["checked_in_at"] is not None


async def test_a_scan_on_another_days_board_returns_to_that_day(client, desk_center):
    await login(client, "desk1")
    tomorrow = desk_center["day"].toordinal() + 1
    day = desk_center["day"].fromordinal(tomorrow).isoformat()
    number = (await booking(desk_center["tomorrow"]))["permit_number"]

    answer = await _scan(client, number, date=day)

    assert answer.headers["location"] == f"/desk?date={day}"
    assert (await booking(desk_center["tomorrow"]))["checked_in_at"] is None
    assert "本日の予約だけ" in _result((await client.get(answer.headers["location"])).text)


async def test_after_a_scan_the_desk_records_the_key_handed_out_on_the_booking_page(client, desk_center):
    await login(client, "desk1")
    number = (await booking(desk_center["morning"]))["permit_number"]
    await _scan(client, number)
    url = f"/desk/bookings/{desk_center['morning']}"
    assert 'id="key-out-heading"' in (await client.get(url)).text

    done = await post_form(client, url + "/key-out", {"key_number": "K-5"})

    assert done.status_code == 303 and done.headers["location"] == url
    after = await booking(desk_center["morning"])
    assert after["key_number"] == "K-5" and after["key_out_at"] is not None
    assert "K-5" in (await client.get("/desk")).text
    assert 'id="key-out-heading"' not in (await client.get(url)).text


async def test_an_empty_key_number_is_refused_with_a_field_error_and_changes_nothing(client, desk_center):
    await login(client, "desk1")
    number = (await booking(desk_center["morning"]))["permit_number"]
    await _scan(client, number)
    entries_before = await AuditEntry.count()

    refused = await post_form(client, f"/desk/bookings/{desk_center['morning']}/key-out", {"key_number": " "})

    assert refused.status_code == 400
    assert 'id="key_number"' in refused.text and 'aria-invalid="true"' in refused.text
    assert "貸し出した鍵の番号を入力してください" in refused.text
    assert (await booking(desk_center["morning"]))["key_out_at"] is None
    assert await AuditEntry.count() == entries_before


async def test_a_key_cannot_be_recorded_before_check_in(client, desk_center):
    await login(client, "desk1")
    url = f"/desk/bookings/{desk_center['morning']}/key-out"

    refused = await post_form(client, url, {"key_number": "K-1"})

    assert refused.status_code == 409 and "チェックイン中の予約にだけ" in refused.text
    assert (await booking(desk_center["morning"]))["key_out_at"] is None


async def test_scanning_a_permit_already_checked_out_says_so(client, desk_center):
    await login(client, "desk1")
    number = (await booking(desk_center["morning"]))["permit_number"]
    await _scan(client, number)
    await post_form(client, f"/desk/bookings/{desk_center['morning']}/check-out", {})

    await _scan(client, number)

    assert "チェックアウト済みです" in _result((await client.get("/desk")).text)
