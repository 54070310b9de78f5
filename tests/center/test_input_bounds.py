"""Odd input answers 4xx on both engines, never 500: ids beyond the database's integers are 404,
text with control characters (NUL above all, which PostgreSQL refuses) is 400 with a message per
field, and nothing is written."""

import pytest

from bookings.tables import Booking
from center.accounts.tables import Group
from center.web.input_bounds import ID_MAX
from tests.helpers import csrf_token, login, make_group, make_user, post_form

pytestmark = pytest.mark.anyio

HUGE = "32589158477190044730"


@pytest.fixture
async def manager(client):
    await make_user("boss", ("manager",))
    await login(client, "boss")
    return client


async def test_a_booking_id_beyond_the_integer_range_is_not_found(manager):
    response = await manager.get(f"/api/bookings/{HUGE}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_an_id_just_past_the_largest_integer_is_not_found_but_the_largest_is_looked_up(manager):
    assert (await manager.get(f"/api/bookings/{ID_MAX + 1}")).status_code == 404
    assert (await manager.get(f"/api/bookings/{ID_MAX}")).status_code == 404
    assert (await manager.get("/api/groups/-9999999999")).status_code == 404


async def test_cancelling_a_booking_id_beyond_the_integer_range_is_not_found(manager):
    response = await manager.post(
        "/api/bookings/16058538179655386/cancel",
        json={"reason": ""},
        headers={"x-csrftoken": await csrf_token(manager)},
    )
    assert response.status_code == 404


async def test_a_page_with_an_id_beyond_the_integer_range_is_not_found(manager):
    response = await manager.get(f"/bookings/{HUGE}")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]


async def test_a_nul_in_a_query_is_refused_with_a_message_for_that_field(manager):
    await make_group("ひまわり会")
    response = await manager.get("/api/groups", params={"q": "ひま\x00わり"})
    assert response.status_code == 400
    problem = response.json()
    assert set(problem["errors"]) == {"q"}
    assert "制御文字" in problem["errors"]["q"]


async def test_the_message_for_a_control_character_is_in_english_when_asked(manager):
    manager.cookies.set("lang", "en")
    response = await manager.get("/api/groups", params={"q": "a\x1bb"})
    assert response.status_code == 400
    assert "control character" in response.json()["errors"]["q"]


async def test_an_ordinary_search_with_tabs_and_newlines_still_works(manager):
    await make_group("ひまわり会")
    response = await manager.get("/api/groups", params={"q": "ひまわり"})
    assert response.status_code == 200
    assert [group["name"] for group in response.json()["groups"]] == ["ひまわり会"]


async def test_a_nul_in_a_json_body_is_refused_and_nothing_is_written(client):
    member = await make_user("member1")
    group = await make_group("ひまわり会", members=(member,))
    await login(client, "member1")
    before = await Booking.count()
    response = await client.post(
        "/api/bookings",
        json={
            "group_id": group,
            "room": "hall",
            "day": "2027-01-20",
            "slots": ["morning"],
            "purpose": "相談会\x00",
            "expected_head_count": 5,
        },
        headers={"x-csrftoken": await csrf_token(client)},
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"purpose"}
    assert await Booking.count() == before


async def test_an_id_beyond_the_integer_range_in_a_json_body_is_refused(client):
    member = await make_user("member1")
    await make_group("ひまわり会", members=(member,))
    await login(client, "member1")
    response = await client.post(
        "/api/bookings",
        json={
            "group_id": int(HUGE),
            "room": "hall",
            "day": "2027-01-20",
            "slots": ["morning"],
            "purpose": "相談会",
            "expected_head_count": 5,
        },
        headers={"x-csrftoken": await csrf_token(client)},
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"group_id"}


async def test_a_nul_in_a_form_field_is_refused_and_nothing_is_written(client):
    before = await Group.count()
    response = await post_form(
        client,
        "/groups/apply",
        {"name": "ひまわり\x00会", "representative": "代表 太郎", "contact_phone": "0144-00-0000"},
    )
    assert response.status_code == 400
    assert "name" in response.text or "制御文字" in response.text
    assert await Group.count() == before
