"""Flower-bed days: signing up without an account, the waiting list and its promotion, private
links, refusals that change nothing, the weather, and 30 racing signups for the last 5 places."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from center.accounts.actors import ActorRef
from center.accounts.tables import AuditEntry, RateEvent
from center.lib.errors import NotFound, ValidationFailed
from center.lib.settings import get_settings
from center.notices.tables import Notice
from center.programmes import flowerbeds
from center.programmes.tables import FlowerbedDay, FlowerbedSignup
from tests.helpers import client_at, login, make_user, post_form, text_of
from tests.programmes_support import a_date, person, planned_day

pytestmark = pytest.mark.anyio


async def test_signups_fill_the_day_then_go_to_the_waiting_list(db):
    day_id = await planned_day(capacity=3)
    first, _ = await flowerbeds.sign_up(day_id, person(1, companions=1))
    second, _ = await flowerbeds.sign_up(day_id, person(2))
    third, _ = await flowerbeds.sign_up(day_id, person(3))
    assert [first["status"], second["status"], third["status"]] == ["confirmed", "confirmed", "waitlisted"]
    [day] = await flowerbeds.with_places([await flowerbeds.get_day(day_id)])
    assert (day["taken"], day["left"], day["waiting"]) == (3, 0, 1)


async def test_a_cancellation_promotes_the_next_person_and_tells_them(db):
    day_id = await planned_day(capacity=1)
    _, token = await flowerbeds.sign_up(day_id, person(1))
    waiting, _ = await flowerbeds.sign_up(day_id, person(2))
    promoted = await flowerbeds.cancel_signup(token)
    assert [p["id"] for p in promoted] == [waiting["id"]]
    row = await FlowerbedSignup.select().where(FlowerbedSignup.id == waiting["id"]).first()
    assert row["status"] == "confirmed" and row["promoted_at"] is not None
    notice = await Notice.select().where(Notice.kind == "flowerbed.promoted").first()
    assert notice["email"] == "person2@example.jp" and "Spring planting" in notice["subject_en"]


async def test_the_private_link_stores_only_a_hash_and_unknown_tokens_are_not_found(db):
    day_id = await planned_day()
    signup, token = await flowerbeds.sign_up(day_id, person(1))
    assert token not in signup["token_hash"] and signup["token_hash"] == flowerbeds.hash_token(token)
    found, _ = await flowerbeds.signup_by_token(token)
    assert found["id"] == signup["id"]
    with pytest.raises(NotFound):
        await flowerbeds.signup_by_token("not-a-token")


async def test_a_duplicate_signup_is_refused_and_changes_nothing(db):
    day_id = await planned_day()
    await flowerbeds.sign_up(day_id, person(1))
    with pytest.raises(flowerbeds.SignupRefused) as refused:
        await flowerbeds.sign_up(day_id, person(1, name="苫小牧　花子1", phone="０１４４０００００１"))
    assert "already signed up" in refused.value.message
    assert await FlowerbedSignup.count() == 1


async def test_signups_to_a_past_or_cancelled_day_are_refused(db):
    day_id = await planned_day()
    with pytest.raises(flowerbeds.SignupRefused):
        await flowerbeds.sign_up(day_id, person(1), now=datetime.now(UTC) + timedelta(days=30))
    await flowerbeds.cancel_day(day_id, "雨のため", actor=ActorRef())
    with pytest.raises(flowerbeds.SignupRefused) as refused:
        await flowerbeds.sign_up(day_id, person(2))
    assert "cancelled" in refused.value.message
    assert await FlowerbedSignup.count() == 0


def test_a_signup_needs_a_name_a_way_to_reach_them_and_an_age_group():
    with pytest.raises(ValidationFailed) as invalid:
        flowerbeds.parse_signup({"name": "", "companions": "9"})
    assert set(invalid.value.errors) == {"name", "phone", "age_band", "companions"}


async def test_cancelling_for_rain_tells_everyone_signed_up_or_waiting(db):
    day_id = await planned_day(capacity=1)
    await flowerbeds.sign_up(day_id, person(1))
    await flowerbeds.sign_up(day_id, person(2))
    told = await flowerbeds.cancel_day(day_id, "雨のため中止します。", actor=ActorRef())
    assert told == 2
    notices = await Notice.select().where(Notice.kind == "flowerbed.cancelled")
    assert {n["email"] for n in notices} == {"person1@example.jp", "person2@example.jp"}
    assert "雨のため中止します。" in notices[0]["body_ja"]
    assert (await flowerbeds.get_day(day_id))["status"] == "cancelled"


async def test_postponing_moves_the_day_keeps_places_and_tells_everyone(db):
    day_id = await planned_day()
    await flowerbeds.sign_up(day_id, person(1))
    old = (await flowerbeds.get_day(day_id))["day"]
    await flowerbeds.postpone_day(day_id, a_date(14), "雨天順延", actor=ActorRef())
    day = await flowerbeds.get_day(day_id)
    assert (day["day"], day["postponed_from"], day["sequence"]) == (a_date(14), old, 1)
    assert await Notice.count().where(Notice.kind == "flowerbed.postponed") == 1


async def test_thirty_simultaneous_signups_for_the_last_five_places_confirm_exactly_five(db):
    day_id = await planned_day(capacity=10)
    for n in range(5):
        await flowerbeds.sign_up(day_id, person(100 + n))
    results = await asyncio.gather(*(flowerbeds.sign_up(day_id, person(n)) for n in range(30)))
    statuses = [signup["status"] for signup, _ in results]
    assert statuses.count("confirmed") == 5 and statuses.count("waitlisted") == 25
    assert await FlowerbedSignup.count().where(FlowerbedSignup.status == "confirmed") == 10


async def test_a_visitor_signs_up_on_the_web_and_sees_the_private_page(client):
    day_id = await planned_day(capacity=1)
    page = await client.get(f"/flowerbeds/{day_id}")
    assert page.status_code == 200 and "春の花壇づくり" in page.text
    form = {"name": "山田 太郎", "phone": "0144-32-7111", "age_band": "65_74", "companions": "0"}
    response = await post_form(client, f"/flowerbeds/{day_id}/signup", form)
    assert response.status_code == 303
    private = await client.get(response.headers["location"])
    assert "山田 太郎" in private.text and "noindex" in private.headers["x-robots-tag"]
    listing = await client.get("/flowerbeds")
    assert "山田" not in listing.text  # names are for staff only


async def test_an_empty_or_bad_signup_form_answers_400_with_errors_tied_to_fields(client):
    day_id = await planned_day()
    response = await post_form(client, f"/flowerbeds/{day_id}/signup", {"email": "nope"})
    assert response.status_code == 400
    assert 'id="email-error"' in response.text and 'role="alert"' in response.text
    assert await FlowerbedSignup.count() == 0


async def test_signups_from_one_address_are_rate_limited(client):
    day_id = await planned_day(capacity=100)
    statuses = []
    for n in range(get_settings().flowerbed_signups_per_hour + 1):
        response = await post_form(client, f"/flowerbeds/{day_id}/signup", {**person(n), "companions": "0"})
        statuses.append(response.status_code)
    assert statuses[-1] == 429 and set(statuses[:-1]) == {303}


async def sign_up_to_the_limit(client, day_id: int) -> int:
    limit = get_settings().flowerbed_signups_per_hour
    for n in range(limit):
        response = await post_form(client, f"/flowerbeds/{day_id}/signup", {**person(n), "companions": "0"})
        assert response.status_code == 303, response.text[:500]
    return limit


async def written() -> tuple[int, ...]:
    return (
        await FlowerbedSignup.count(),
        await Notice.count(),
        await AuditEntry.count(),
        await RateEvent.count(),
    )


async def test_a_signup_past_the_limit_shows_the_message_on_the_form_and_writes_nothing(client):
    day_id = await planned_day(capacity=100)
    limit = await sign_up_to_the_limit(client, day_id)
    before = await written()
    response = await post_form(client, f"/flowerbeds/{day_id}/signup", {**person(limit), "companions": "0"})
    assert response.status_code == 429
    assert "この接続からの送信が多すぎます。" in text_of(response.text) and 'role="alert"' in response.text
    assert f'value="{person(limit)["name"]}"' in response.text  # the form keeps what was typed
    assert await written() == before


async def test_the_signup_refusal_is_in_english_when_the_language_is_english(client):
    day_id = await planned_day(capacity=100)
    limit = await sign_up_to_the_limit(client, day_id)
    await post_form(client, "/lang", {"lang": "en", "next": "/"})
    response = await post_form(client, f"/flowerbeds/{day_id}/signup", {**person(limit), "companions": "0"})
    assert response.status_code == 429
    assert "Too many submissions from this connection. Please try again in" in text_of(response.text)


async def test_the_signup_limit_of_one_address_does_not_hold_back_another(client, app):
    day_id = await planned_day(capacity=100)
    limit = await sign_up_to_the_limit(client, day_id)
    async with client_at(app, "198.51.100.9") as neighbour:
        response = await post_form(
            neighbour, f"/flowerbeds/{day_id}/signup", {**person(limit), "companions": "0"}
        )
    assert response.status_code == 303
    assert await FlowerbedSignup.count() == limit + 1


async def test_staff_cancel_for_rain_from_the_day_page(client):
    day_id = await planned_day()
    await flowerbeds.sign_up(day_id, person(1))
    await make_user("desk1", ("front_desk",))
    await login(client, "desk1")
    page = await client.get(f"/manage/flowerbeds/{day_id}")
    assert "苫小牧 花子1" in page.text and "0144-00-0001" in page.text
    response = await post_form(
        client, f"/manage/flowerbeds/{day_id}/weather", {"action": "cancel", "note": "大雨"}
    )
    assert response.status_code == 303
    day = await FlowerbedDay.select().where(FlowerbedDay.id == day_id).first()
    assert day["status"] == "cancelled"
    public = await client.get("/flowerbeds")
    assert "✕" in text_of(public.text)
