"""Changing a flower-bed day after planning: text and places, more places move the waiting list up,
fewer than the people confirmed or a new date is refused and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from center.notices.tables import Notice
from center.programmes import flowerbeds
from center.programmes.tables import FlowerbedDay, FlowerbedSignup
from tests.helpers import login, make_user, post_form
from tests.programmes_support import person, planned_day

pytestmark = pytest.mark.anyio


def _form(row: dict, **changes) -> dict:
    day = row
    values = {
        "title_ja": day["title_ja"],
        "title_en": day["title_en"],
        "day": day["day"].isoformat(),
        "starts": day["starts"].strftime("%H:%M"),
        "ends": day["ends"].strftime("%H:%M"),
        "capacity": str(day["capacity"]),
        "rain_plan": day["rain_plan"],
        "rain_date": day["rain_date"].isoformat() if day["rain_date"] else "",
        "beds": day["beds"],
        "meeting_point": day["meeting_point"],
        "bring": day["bring"],
        "description": day["description"],
    }
    return {**values, **changes}


async def test_more_places_move_the_waiting_list_up_and_text_changes(client):
    day_id = await planned_day(capacity=2)
    for n in range(4):
        await flowerbeds.sign_up(day_id, person(n))
    await make_user("desk1", ("front_desk",))
    await login(client, "desk1")
    page = await client.get(f"/manage/flowerbeds/{day_id}/edit")
    assert page.status_code == 200 and 'value="09:30"' in page.text
    day = await flowerbeds.get_day(day_id)
    response = await post_form(
        client, f"/manage/flowerbeds/{day_id}/edit", _form(day, capacity="3", bring="軍手、長靴")
    )
    assert response.status_code == 303, response.text[:400]
    day = await flowerbeds.get_day(day_id)
    assert (day["capacity"], day["bring"]) == (3, "軍手、長靴")
    statuses = [s["status"] for s in await flowerbeds.signups_of(day_id)]
    assert statuses == ["confirmed", "confirmed", "confirmed", "waitlisted"]
    assert await Notice.count().where(Notice.kind == "flowerbed.promoted") == 1


async def test_fewer_places_than_confirmed_or_a_new_date_are_refused_and_change_nothing(client):
    day_id = await planned_day(capacity=3)
    for n in range(3):
        await flowerbeds.sign_up(day_id, person(n))
    await make_user("desk1", ("front_desk",))
    await login(client, "desk1")
    day = await flowerbeds.get_day(day_id)
    later = day["day"] + timedelta(days=1)
    for changes in ({"capacity": "2"}, {"day": later.isoformat()}):
        response = await post_form(client, f"/manage/flowerbeds/{day_id}/edit", _form(day, **changes))
        assert response.status_code == 400
        assert 'aria-invalid="true"' in response.text
    assert await FlowerbedDay.select().where(FlowerbedDay.id == day_id).first() == day
    assert await FlowerbedSignup.count().where(FlowerbedSignup.status == "confirmed") == 3
