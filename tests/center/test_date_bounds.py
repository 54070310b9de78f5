"""Dates outside the supported range (2000-01-01 to 2100-12-31) in a path or a query answer 400
with a message for that parameter, on pages and in the API, never 500."""

from __future__ import annotations

import pytest

from tests.helpers import login, make_calendar, make_room, make_user

pytestmark = pytest.mark.anyio

OUT_OF_RANGE = [
    ("/api/rooms/meeting1/availability?month=9999-12", "month"),
    ("/api/availability?from=9999-12-31&to=9999-12-31", "from"),
    ("/availability?week=9999-12-31", "week"),
    ("/manage/bookings?from=0001-01-01&to=9999-12-31", "from"),
    ("/calendar?month=1999-12", "month"),
]


@pytest.fixture
async def manager(client):
    slots = await make_calendar()
    await make_room("meeting1", "会議室1", slot_ids=slots)
    await make_user("boss", ("manager",))
    await login(client, "boss")
    return client


@pytest.mark.parametrize(("url", "field"), OUT_OF_RANGE)
async def test_a_date_outside_the_supported_range_is_refused_with_a_message(manager, url, field):
    response = await manager.get(url)
    assert response.status_code == 400, (url, response.status_code)
    if url.startswith("/api/"):
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in response.json()["errors"]
        assert "2000" in response.json()["errors"][field]
    else:
        assert "2000" in response.text


async def test_dates_at_the_edges_of_the_supported_range_are_answered(manager):
    response = await manager.get("/api/availability?from=2100-12-31&to=2100-12-31")
    assert response.status_code == 200
    response = await manager.get("/availability?week=2000-01-01")
    assert response.status_code == 200


async def test_the_message_is_in_english_when_asked(manager):
    manager.cookies.set("lang", "en")
    response = await manager.get("/api/availability?from=9999-12-31&to=9999-12-31")
    assert response.status_code == 400
    assert "between 2000-01-01 and 2100-12-31" in response.json()["errors"]["from"]
