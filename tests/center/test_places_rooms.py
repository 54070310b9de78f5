"""The public room list, its filters (plain GET and the htmx partial), one room's page and photo."""

from datetime import time

import pytest

from center.places.tables import Room, RoomSlotFee
from tests.center.places_support import make_profile, make_room, make_slot, make_standard_slots
from tests.helpers import post_form, text_of

pytestmark = pytest.mark.anyio


async def _three_rooms() -> dict[str, int]:
    slots = await make_standard_slots()
    await make_profile(heating_from_month=10, heating_to_month=4)
    return {
        "hall": await make_room(
            "hall",
            "多目的ホール",
            name_en="Multipurpose Hall",
            floor=1,
            capacity=100,
            area_m2=180.5,
            equipment=["projector", "screen", "microphone"],
            hearing_loop=True,
            accessible_toilet_m=10,
            fees={slots["morning"]: (1500, 300), slots["afternoon"]: (2000, 400)},
        ),
        "washitsu": await make_room(
            "washitsu",
            "和室",
            name_en="Japanese-style Room",
            floor=2,
            capacity=24,
            equipment=["tatami"],
            step_free=False,
            fees={slots["morning"]: (400, 100)},
        ),
        "meeting": await make_room(
            "meeting-1",
            "第1会議室",
            floor=4,
            capacity=30,
            equipment=["whiteboard", "projector"],
            fees={slots["evening"]: (600, 150)},
        ),
    }


async def test_room_list_shows_facts_accessibility_and_fees_in_japanese(client):
    await _three_rooms()
    response = await client.get("/rooms")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "多目的ホール" in text and "和室" in text and "第1会議室" in text
    assert "1階" in text and "100人" in text and "180.5㎡" in text
    assert "プロジェクター" in text and "マイク" in text
    assert "あり：段差なしで行けます" in text
    assert "なし：途中に段差があります" in text
    assert "部屋から約10m" in text
    assert "午前 9:00–12:00 ¥1,500 ¥300" in text
    assert "10月から4月までは暖房料が加算されます" in text
    assert response.headers["vary"] == "HX-Request"


async def test_rooms_not_open_for_booking_are_not_listed(client):
    await _three_rooms()
    await make_room("storage", "倉庫", bookable=False)
    text = text_of((await client.get("/rooms")).text)
    assert "倉庫" not in text
    assert "該当する部屋：3室" in text


async def test_filters_narrow_the_list_by_capacity_equipment_floor_and_step_free(client):
    await _three_rooms()
    by_capacity = text_of((await client.get("/rooms", params={"capacity": "50"})).text)
    assert "多目的ホール" in by_capacity and "第1会議室" not in by_capacity
    by_equipment = text_of(
        (await client.get("/rooms", params={"equipment": ["projector", "whiteboard"]})).text
    )
    assert "第1会議室" in by_equipment and "多目的ホール" not in by_equipment
    by_floor = text_of((await client.get("/rooms", params={"floor": "2"})).text)
    assert "和室" in by_floor and "該当する部屋：1室" in by_floor
    step_free = text_of((await client.get("/rooms", params={"step_free": "on"})).text)
    assert "和室" not in step_free and "該当する部屋：2室" in step_free


async def test_full_width_digits_are_accepted_in_the_capacity_filter(client):
    await _three_rooms()
    text = text_of((await client.get("/rooms", params={"capacity": "５０"})).text)
    assert "該当する部屋：1室" in text


async def test_a_bad_filter_value_is_explained_and_ignored(client):
    await _three_rooms()
    response = await client.get("/rooms", params={"capacity": "many"})
    assert response.status_code == 400
    assert 'role="alert"' in response.text
    assert "人数は1から9999までの整数で入力してください" in response.text
    assert 'aria-invalid="true"' in response.text
    assert "該当する部屋：3室" in text_of(response.text)


async def test_htmx_filter_request_gets_only_the_list_partial(client):
    await _three_rooms()
    response = await client.get("/rooms", params={"floor": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text and "<h1" not in response.text
    assert "多目的ホール" in response.text and "和室" not in response.text
    assert response.headers["vary"] == "HX-Request"


async def test_boosted_htmx_request_gets_the_full_page(client):
    await _three_rooms()
    response = await client.get("/rooms", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in response.text and "<h1>部屋</h1>" in response.text


async def test_room_page_shows_every_fact_with_notes_and_only_active_slots(client):
    ids = await _three_rooms()
    await Room.update(
        {
            Room.accessibility_notes_ja: "正面玄関からエレベーターで1階へ",
            Room.description_ja: "講演会や体操に使えます",
        }
    ).where(Room.id == ids["hall"])
    retired = await make_slot("night", "深夜", time(21), time(22), active=False)
    await RoomSlotFee.insert(RoomSlotFee(room=ids["hall"], slot=retired, fee=999, heating_fee=0))
    response = await client.get("/rooms/hall")
    assert response.status_code == 200
    text = text_of(response.text)
    assert response.text.count("<h1") == 1
    assert "正面玄関からエレベーターで1階へ" in text and "講演会や体操に使えます" in text
    assert "ヒアリングループ（磁気ループ） ✓ あり：この部屋に設置されています" in text
    assert "午後 13:00–17:00 ¥2,000 ¥400" in text
    assert "深夜" not in text and "¥999" not in text
    assert '<th scope="col">' in response.text and "<caption>" in response.text


async def test_room_page_in_english_uses_english_names(client):
    await _three_rooms()
    await post_form(client, "/lang", {"lang": "en", "next": "/"})
    text = text_of((await client.get("/rooms/hall")).text)
    assert "Multipurpose Hall" in text
    assert "Floor 1" in text and "100 people" in text
    assert "The heating fee is added from October to April." in text


async def test_unknown_room_is_a_404_page(client):
    response = await client.get("/rooms/no-such-room")
    assert response.status_code == 404
    assert "その部屋は見つかりません" in response.text


async def test_room_without_a_photo_has_no_photo_url(client):
    await _three_rooms()
    assert (await client.get("/rooms/hall/photo")).status_code == 404
