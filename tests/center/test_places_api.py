"""The JSON API for rooms and the calendar: shapes, UTC slot instants, problem details on bad
ranges, and the OpenAPI schema naming the response types."""

from datetime import date

import pytest

from tests.center.places_support import (
    make_closed,
    make_profile,
    make_room,
    make_standard_slots,
    open_every_day,
)
from tests.helpers import login, make_user

pytestmark = pytest.mark.anyio


async def test_room_list_api_gives_facts_equipment_accessibility_and_slot_fees(client):
    slots = await make_standard_slots()
    await make_profile(heating_from_month=10, heating_to_month=4)
    await make_room(
        "hall",
        "多目的ホール",
        name_en="Hall",
        capacity=100,
        area_m2=180.5,
        equipment=["projector", "microphone"],
        hearing_loop=True,
        accessible_toilet_m=10,
        fees={slots["morning"]: (1500, 300)},
    )
    await make_room("closed-room", "閉鎖中の部屋", bookable=False)
    response = await client.get("/api/rooms")
    assert response.status_code == 200
    [room] = response.json()
    assert room["code"] == "hall" and room["name"] == "多目的ホール" and room["name_en"] == "Hall"
    assert room["capacity"] == 100 and room["area_m2"] == 180.5
    assert room["equipment"] == [
        {"code": "projector", "label": "プロジェクター"},
        {"code": "microphone", "label": "マイク"},
    ]
    assert room["accessibility"] == {
        "step_free": True,
        "step_free_by_design": True,
        "step_free_reason": None,
        "step_free_until": None,
        "accessible_toilet_m": 10,
        "hearing_loop": True,
        "notes": "",
    }
    assert room["slot_fees"] == [
        {
            "slot": "morning",
            "name": "午前",
            "starts": "09:00",
            "ends": "12:00",
            "fee": 1500,
            "heating_fee": 300,
        }
    ]
    assert room["heating_months"] == [10, 11, 12, 1, 2, 3, 4]
    assert room["url"] == "/rooms/hall"


async def test_room_api_filters_and_single_room_lookup(client):
    await make_room("a", "A室", capacity=10, equipment=["piano"])
    await make_room("b", "B室", capacity=50)
    filtered = (await client.get("/api/rooms", params={"equipment": "piano"})).json()
    assert [r["code"] for r in filtered] == ["a"]
    assert [r["code"] for r in (await client.get("/api/rooms", params={"capacity": 20})).json()] == ["b"]
    single = await client.get("/api/rooms/b")
    assert single.status_code == 200 and single.json()["capacity"] == 50
    missing = await client.get("/api/rooms/zzz")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


async def test_calendar_api_gives_each_day_with_utc_slot_instants(client):
    await make_standard_slots()
    await open_every_day()
    await make_closed(date(2025, 12, 29), date(2026, 1, 3), "年末年始", yearly=True)
    response = await client.get("/api/calendar", params={"from": "2026-11-02", "to": "2026-11-03"})
    assert response.status_code == 200
    body = response.json()
    assert body["from"] == "2026-11-02" and body["to"] == "2026-11-03" and body["timezone"] == "Asia/Tokyo"
    monday, culture_day = body["days"]
    assert monday["date"] == "2026-11-02" and monday["open"] is True
    assert monday["opens"] == "09:00" and monday["closes"] == "21:00"
    assert monday["slots"][0] == {
        "slot": "morning",
        "name": "午前",
        "starts_at": "2026-11-02T00:00:00Z",
        "ends_at": "2026-11-02T03:00:00Z",
    }
    assert culture_day["holiday"] == "文化の日"
    new_year = (await client.get("/api/calendar", params={"from": "2026-12-31", "to": "2027-01-01"})).json()
    assert [d["closed_kind"] for d in new_year["days"]] == ["closed_day", "closed_day"]
    assert new_year["days"][1]["closed_reason"] == "年末年始" and new_year["days"][1]["slots"] == []


async def test_calendar_api_refuses_bad_ranges_with_problem_details(client):
    reversed_range = await client.get("/api/calendar", params={"from": "2026-11-10", "to": "2026-11-01"})
    assert reversed_range.status_code == 400
    assert reversed_range.headers["content-type"].startswith("application/problem+json")
    assert reversed_range.json()["errors"]["to"] == "終了日は開始日以降の日付にしてください。"
    too_long = await client.get("/api/calendar", params={"from": "2026-01-01", "to": "2027-01-02"})
    assert too_long.status_code == 400 and "366" in too_long.json()["errors"]["to"]
    full_year = await client.get("/api/calendar", params={"from": "2026-01-01", "to": "2027-01-01"})
    assert full_year.status_code == 200 and len(full_year.json()["days"]) == 366
    not_a_date = await client.get("/api/calendar", params={"from": "next tuesday"})
    assert not_a_date.status_code == 400 and "from" in not_a_date.json()["errors"]


async def test_openapi_schema_describes_the_places_api(client):
    await make_user("schema_reader", ("front_desk",))  # the schema is for staff
    await login(client, "schema_reader")
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/rooms" in schema["paths"] and "/api/calendar" in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/calendar"]["get"]["parameters"]}
    assert {"from", "to"} <= parameters
    assert {"RoomOut", "CalendarOut", "DayOut"} <= set(schema["components"]["schemas"])
