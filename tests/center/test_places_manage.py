"""The manager's room pages: add and edit rooms with their fee per slot, validation that changes
nothing, photo uploads checked by content, audit lines, and who may use these pages."""

import json

import pytest

from center.lib.settings import get_settings
from center.places.tables import Room, RoomSlotFee
from tests.center.places_support import audit_entries, image_bytes, make_room, make_standard_slots
from tests.helpers import csrf_token, login, make_group, make_user, post_form, text_of

pytestmark = pytest.mark.anyio


async def _manager(client) -> None:
    await make_user("boss", ("manager",), display_name="管理 花子")
    await login(client, "boss")


def _room_form(slots: dict[str, int], **overrides) -> dict:
    form = {
        "code": "kitchen-studio",
        "name_ja": "料理実習室",
        "name_en": "Cooking Studio",
        "floor": "2",
        "capacity": "24",
        "area_m2": "64.5",
        "equipment": ["kitchen", "tables", "chairs"],
        "step_free": "on",
        "accessible_toilet_m": "15",
        "bookable": "on",
        "booked_by": "slot",
        "hourly_fee": "0",
        "hourly_heating_fee": "0",
        "sort_order": "5",
        f"slot_{slots['morning']}_offered": "on",
        f"slot_{slots['morning']}_fee": "800",
        f"slot_{slots['morning']}_heating_fee": "200",
        f"slot_{slots['afternoon']}_offered": "on",
        f"slot_{slots['afternoon']}_fee": "1,000",
        f"slot_{slots['afternoon']}_heating_fee": "２５０",
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


async def test_manager_adds_a_room_with_fees_per_slot_and_it_is_audited(client):
    slots = await make_standard_slots()
    await _manager(client)
    response = await post_form(client, "/manage/rooms/new", _room_form(slots))
    assert response.status_code == 303
    room = await Room.select().where(Room.code == "kitchen-studio").first()
    assert room["name_ja"] == "料理実習室" and room["capacity"] == 24 and str(room["area_m2"]) == "64.5"
    assert json.loads(room["equipment"]) == ["kitchen", "tables", "chairs"]
    fees = {
        row["slot"]: (row["fee"], row["heating_fee"])
        for row in await RoomSlotFee.select().where(RoomSlotFee.room == room["id"])
    }
    assert fees == {slots["morning"]: (800, 200), slots["afternoon"]: (1000, 250)}
    [entry] = await audit_entries("room")
    assert entry["action"] == "create" and entry["actor_name"] == "管理 花子"
    after = entry["after"] if isinstance(entry["after"], dict) else json.loads(entry["after"])
    assert after["fees"][str(slots["afternoon"])] == {"fee": 1000, "heating_fee": 250}
    edit_page = text_of((await client.get(response.headers["location"])).text)
    assert "部屋を追加しました" in edit_page
    assert "料理実習室" in text_of((await client.get("/manage/rooms")).text)


async def test_manager_edits_fees_and_drops_a_slot_with_before_and_after_in_the_audit_log(client):
    slots = await make_standard_slots()
    room_id = await make_room(fees={slots["morning"]: (500, 100), slots["evening"]: (700, 100)})
    await _manager(client)
    form = _room_form(
        slots,
        code="meeting-1",
        name_ja="第1会議室",
        **{f"slot_{slots['afternoon']}_offered": None, f"slot_{slots['morning']}_fee": "550"},
    )
    response = await post_form(client, f"/manage/rooms/{room_id}", form)
    assert response.status_code == 303
    fees = {row["slot"]: row["fee"] for row in await RoomSlotFee.select().where(RoomSlotFee.room == room_id)}
    assert fees == {slots["morning"]: 550}
    [entry] = await audit_entries("room")
    before = entry["before"] if isinstance(entry["before"], dict) else json.loads(entry["before"])
    after = entry["after"] if isinstance(entry["after"], dict) else json.loads(entry["after"])
    assert entry["action"] == "update"
    assert before["fees"][str(slots["evening"])]["fee"] == 700
    assert str(slots["evening"]) not in after["fees"]


async def test_edit_form_shows_the_rooms_current_values(client):
    slots = await make_standard_slots()
    room_id = await make_room(fees={slots["morning"]: (500, 120)}, equipment=["piano"])
    await _manager(client)
    response = await client.get(f"/manage/rooms/{room_id}")
    assert response.status_code == 200
    assert 'value="第1会議室"' in response.text
    assert (
        f'id="slot_{slots["morning"]}_heating_fee" name="slot_{slots["morning"]}_heating_fee"'
        in response.text
    )
    assert 'value="120"' in response.text
    assert 'id="equipment-piano" name="equipment" value="piano" checked' in response.text


async def test_bad_room_input_is_shown_per_field_in_japanese_and_changes_nothing(client):
    slots = await make_standard_slots()
    room_id = await make_room(fees={slots["morning"]: (500, 100)})
    await _manager(client)
    form = _room_form(
        slots,
        code="Bad Code!",
        name_ja="",
        capacity="0",
        **{f"slot_{slots['morning']}_fee": "-5"},
    )
    response = await post_form(client, f"/manage/rooms/{room_id}", form)
    assert response.status_code == 400
    assert 'role="alert"' in response.text
    assert "部屋の名称（日本語）を入力してください" in response.text
    assert "定員は1から9999までの整数で入力してください" in response.text
    assert "金額は0以上の整数（円）で入力してください" in response.text
    assert 'aria-describedby="capacity-error" aria-invalid="true"' in response.text
    assert 'value="Bad Code!"' in response.text  # what was typed is kept
    room = await Room.select().where(Room.id == room_id).first()
    assert room["name_ja"] == "第1会議室" and room["capacity"] == 30
    assert await audit_entries("room") == []


async def test_a_room_code_used_by_another_room_is_refused(client):
    slots = await make_standard_slots()
    await make_room("hall", "ホール", fees={slots["morning"]: (1, 0)})
    await _manager(client)
    response = await post_form(client, "/manage/rooms/new", _room_form(slots, code="hall"))
    assert response.status_code == 400
    assert "このコードはほかの部屋で使われています" in response.text
    assert await Room.count() == 1


async def test_a_bookable_slot_room_needs_at_least_one_slot(client):
    slots = await make_standard_slots()
    await _manager(client)
    form = _room_form(
        slots, **{f"slot_{slots['morning']}_offered": None, f"slot_{slots['afternoon']}_offered": None}
    )
    response = await post_form(client, "/manage/rooms/new", form)
    assert response.status_code == 400
    assert "受付中の区分を1つ以上選び" in response.text
    hourly = await post_form(
        client,
        "/manage/rooms/new",
        {**form, "booked_by": "hour", "hourly_fee": "300", "hourly_heating_fee": "50"},
    )
    assert hourly.status_code == 303
    room = await Room.select().first()
    assert room["booked_by"] == "hour" and room["hourly_fee"] == 300


async def _upload(client, room_id: int, content: bytes, filename: str, content_type: str):
    return await client.post(
        f"/manage/rooms/{room_id}/photo",
        data={"_csrf_token": await csrf_token(client)},
        files={"photo": (filename, content, content_type)},
    )


async def test_a_real_png_is_accepted_resized_and_served(client):
    slots = await make_standard_slots()
    room_id = await make_room(fees={slots["morning"]: (500, 100)})
    await _manager(client)
    response = await _upload(client, room_id, image_bytes("PNG", (2400, 1200)), "room.png", "image/png")
    assert response.status_code == 303
    room = await Room.select().where(Room.id == room_id).first()
    stored = get_settings().data_dir / "uploads" / "rooms" / room["photo"]
    assert stored.is_file() and room["photo"].endswith(".png")
    from PIL import Image

    with Image.open(stored) as image:
        assert image.size == (1600, 800)
    photo = await client.get("/rooms/meeting-1/photo")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/png"
    assert 'alt="第1会議室の写真"' in (await client.get("/rooms/meeting-1")).text
    [entry] = await audit_entries("room")
    assert entry["action"] == "set_photo"


async def test_a_text_file_named_png_is_refused_with_a_clear_message(client):
    slots = await make_standard_slots()
    room_id = await make_room(fees={slots["morning"]: (500, 100)})
    await _manager(client)
    response = await _upload(client, room_id, b"this is not an image at all", "photo.png", "image/png")
    assert response.status_code == 400
    assert "写真はJPEGまたはPNG形式の画像にしてください" in response.text
    assert (await Room.select(Room.photo).where(Room.id == room_id).first())["photo"] is None


async def test_an_oversize_photo_is_refused(client):
    slots = await make_standard_slots()
    room_id = await make_room(fees={slots["morning"]: (500, 100)})
    await _manager(client)
    big = image_bytes("PNG", (8, 8)) + b"\0" * (5 * 1024 * 1024)
    response = await _upload(client, room_id, big, "big.png", "image/png")
    assert response.status_code == 400
    assert "写真のファイルサイズは5MB以下にしてください" in response.text
    assert (await Room.select(Room.photo).where(Room.id == room_id).first())["photo"] is None


async def test_replacing_then_removing_a_photo_deletes_the_old_files(client):
    slots = await make_standard_slots()
    room_id = await make_room(fees={slots["morning"]: (500, 100)})
    await _manager(client)
    await _upload(client, room_id, image_bytes("JPEG"), "a.jpg", "image/jpeg")
    first = (await Room.select(Room.photo).where(Room.id == room_id).first())["photo"]
    await _upload(client, room_id, image_bytes("PNG"), "b.png", "image/png")
    second = (await Room.select(Room.photo).where(Room.id == room_id).first())["photo"]
    folder = get_settings().data_dir / "uploads" / "rooms"
    assert first.endswith(".jpg") and not (folder / first).exists() and (folder / second).exists()
    response = await post_form(client, f"/manage/rooms/{room_id}/photo/delete")
    assert response.status_code == 303
    assert (await Room.select(Room.photo).where(Room.id == room_id).first())["photo"] is None
    assert not (folder / second).exists()


async def test_visitors_must_log_in_and_non_managers_are_refused(client):
    slots = await make_standard_slots()
    room_id = await make_room(fees={slots["morning"]: (500, 100)})
    assert (await client.get("/manage/rooms")).status_code == 401
    await make_user("desk", ("front_desk",))
    member = await make_user("member")
    await make_group(members=(member,))
    for username in ("desk", "member"):
        await login(client, username)
        assert (await client.get("/manage/rooms")).status_code == 403
        assert (await client.get(f"/manage/rooms/{room_id}")).status_code == 403
        refused = await post_form(client, f"/manage/rooms/{room_id}", _room_form(slots, name_ja="乗っ取り"))
        assert refused.status_code == 403
        await post_form(client, "/logout")
    assert (await Room.select(Room.name_ja).first())["name_ja"] == "第1会議室"
