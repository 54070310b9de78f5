"""Flower-bed signups by code: the confirmation shows the code large with the center's phone and
hours; a volunteer finds and cancels their signup with the code and the last four digits of their
phone, however they type the code; wrong digits get the same answer as a wrong code and change
nothing; the desk finds a signup by code and cancels it; guessing is rate-limited."""

from __future__ import annotations

import re

import pytest

from center.accounts.tables import AuditEntry
from center.lib import codes
from center.lib.settings import get_settings
from center.places.tables import CenterProfile
from center.programmes import flowerbeds, signup_codes
from center.programmes.tables import FlowerbedSignup
from tests.helpers import login, make_user, post_form, text_of
from tests.programmes_support import person, planned_day

pytestmark = pytest.mark.anyio


async def signed_up_on_the_web(client) -> tuple[int, str, str]:
    """A signup through the public form; returns the day, the private page's path and its text."""
    day_id = await planned_day()
    await CenterProfile.update({CenterProfile.phone: "0144-32-7111"}, force=True)
    response = await post_form(
        client, f"/flowerbeds/{day_id}/signup", {**person(1, phone="090-1234-5678"), "companions": "1"}
    )
    assert response.status_code == 303, response.text[:500]
    page = await client.get(response.headers["location"])
    return day_id, response.headers["location"], text_of(page.text)


async def test_every_new_signup_gets_its_own_valid_code(db):
    day_id = await planned_day()
    first, _ = await flowerbeds.sign_up(day_id, person(1))
    second, _ = await flowerbeds.sign_up(day_id, person(2))
    assert codes.parse(first["code"]) == first["code"] and codes.parse(second["code"]) == second["code"]
    assert first["code"] != second["code"]


async def test_the_confirmation_shows_the_code_the_centers_phone_and_hours_and_says_participants(client):
    _, _, text = await signed_up_on_the_web(client)
    signup = await FlowerbedSignup.select().first()
    assert signup["code"] in text and "申込みコード" in text
    assert "0144-32-7111" in text and "毎日 9:00–21:00" in text
    assert "参加人数" in text and "利用人数" not in text
    assert "予約の確認・取り消し" in text


async def test_a_volunteer_finds_and_cancels_their_signup_with_the_code_and_last_four_digits(client):
    await signed_up_on_the_web(client)
    signup = await FlowerbedSignup.select().first()
    typed = signup["code"].replace("-", " ").lower()
    found = await post_form(client, "/flowerbeds/find", {"code": typed, "digits": "５６７８"})
    assert found.status_code == 200
    assert "春の花壇づくり" in text_of(found.text) and signup["code"] in found.text
    cancelled = await post_form(client, "/flowerbeds/find/cancel", {"code": typed, "digits": "5678"})
    assert cancelled.status_code == 303 and cancelled.headers["location"] == "/flowerbeds/find"
    row = await FlowerbedSignup.select().where(FlowerbedSignup.id == signup["id"]).first()
    assert row["status"] == "cancelled" and row["cancelled_at"] is not None


async def test_wrong_digits_get_the_same_answer_as_a_wrong_code_and_change_nothing(client):
    await signed_up_on_the_web(client)
    signup = await FlowerbedSignup.select().first()
    audit_before = await AuditEntry.count()
    other_code = codes.new_code()
    while other_code == signup["code"]:
        other_code = codes.new_code()
    wrong_digits = await post_form(
        client, "/flowerbeds/find/cancel", {"code": signup["code"], "digits": "0000"}
    )
    wrong_code = await post_form(client, "/flowerbeds/find/cancel", {"code": other_code, "digits": "5678"})
    assert wrong_digits.status_code == wrong_code.status_code == 404

    def message(response) -> str:
        return re.search(r'class="error-summary".*?<p>(.*?)</p>', response.text, re.S).group(1)

    assert message(wrong_digits) == message(wrong_code)
    assert "電話番号の下4桁に合う申込みが見つかりません" in message(wrong_digits)
    row = await FlowerbedSignup.select().where(FlowerbedSignup.id == signup["id"]).first()
    assert row["status"] == "confirmed" and await AuditEntry.count() == audit_before


async def test_a_code_with_a_typo_is_refused_on_its_field_before_any_lookup(client):
    await signed_up_on_the_web(client)
    signup = await FlowerbedSignup.select().first()
    compact = signup["code"].replace("-", "")
    typo = compact[:3] + next(c for c in codes.ALPHABET if c != compact[3]) + compact[4:]
    response = await post_form(client, "/flowerbeds/find", {"code": typo, "digits": "5678"})
    assert response.status_code == 400 and 'id="code-error"' in response.text
    assert "入力ミス" in text_of(response.text)


async def test_the_desk_finds_a_signup_by_its_code_and_cancels_it_for_the_volunteer(client):
    day_id = await planned_day()
    signup, _ = await flowerbeds.sign_up(day_id, person(1))
    await make_user("desk1", ("front_desk",))
    await login(client, "desk1")
    page = await client.get(
        "/manage/flowerbeds/find", params={"code": signup["code"].replace("-", "").lower()}
    )
    assert page.status_code == 200 and "苫小牧 花子1" in page.text
    action = f"/manage/flowerbeds/signups/{signup['id']}/cancel"
    assert f'action="{action}"' in page.text
    cancelled = await post_form(client, action)
    assert cancelled.status_code == 303
    row = await FlowerbedSignup.select().where(FlowerbedSignup.id == signup["id"]).first()
    assert row["status"] == "cancelled"


async def test_the_desk_lookup_by_code_alone_is_refused_to_an_account_without_a_staff_role(client):
    day_id = await planned_day()
    signup, _ = await flowerbeds.sign_up(day_id, person(1))
    await make_user("member1")
    await login(client, "member1")
    page = await client.get("/manage/flowerbeds/find", params={"code": signup["code"]})
    assert page.status_code == 403 and "苫小牧 花子1" not in page.text


async def test_lookups_from_one_connection_are_rate_limited(client):
    await signed_up_on_the_web(client)
    signup = await FlowerbedSignup.select().first()
    statuses = []
    for _ in range(get_settings().flowerbed_lookups_per_hour + 1):
        response = await post_form(client, "/flowerbeds/find", {"code": signup["code"], "digits": "0000"})
        statuses.append(response.status_code)
    assert set(statuses[:-1]) == {404} and statuses[-1] == 429


async def test_a_signup_without_a_phone_number_cannot_be_found_by_digits(db):
    day_id = await planned_day()
    signup, _ = await flowerbeds.sign_up(day_id, person(1, phone=""))
    with pytest.raises(signup_codes.NoMatch):
        await signup_codes.find_signup(signup["code"], "0000")


async def test_the_find_page_in_english_gives_the_centers_hours_in_english(client):
    await planned_day()
    await CenterProfile.update({CenterProfile.phone: "0144-32-7111"}, force=True)
    assert (await post_form(client, "/lang", {"lang": "en", "next": "/flowerbeds/find"})).status_code == 303
    text = text_of((await client.get("/flowerbeds/find")).text)
    assert "Check or cancel your signup" in text and "Every day 9:00–21:00" in text and "0144-32-7111" in text
