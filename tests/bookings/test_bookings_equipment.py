"""Equipment (附属設備) as part of the booking: chosen from what the room has, priced per slot where
the manager sets a fee, and shown on every page and document that shows the booking."""

import io
import re
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from bookings.fees import Payer, ensure_default_rules, line_text, quote
from bookings.service import approve, cancel, ensure_default_refund_rules
from bookings.tables import Booking
from center.accounts.actors import ActorRef
from center.ledger.tables import Hold
from center.lib.dates import today
from center.lib.i18n import current_locale
from center.places.equipment import decode_codes
from center.places.tables import Room, RoomEquipmentFee
from center.shell.reports.income import income_report
from center.shell.reports.periods import Period
from tests.bookings import desk_support
from tests.bookings.test_bookings_api import post_json
from tests.helpers import login, make_calendar, make_group, make_room, make_user, post_form, text_of
from tests.snapshots import snapshot_fixture

pytestmark = pytest.mark.anyio

desk_center = desk_support.desk_center

FEES = {"morning": (600, 200), "afternoon": (800, 250), "evening": (800, 250)}
MANAGER = ActorRef(None, "manager", staff=True)
LACKS = "この部屋には次の設備がありません"


@pytest.fixture
@snapshot_fixture
async def center(db):
    slots = await make_calendar(heating=(1, 12))  # heating all year: fees do not depend on today's date
    await ensure_default_rules()
    await ensure_default_refund_rules()
    hall = await make_room(
        code="hall",
        name_ja="多目的ホール",
        capacity=100,
        fees=FEES,
        slot_ids=slots,
        equipment=["projector", "piano"],
    )
    await RoomEquipmentFee.insert(RoomEquipmentFee(room=hall, equipment="projector", fee=500))
    meeting = await make_room(fees=FEES, slot_ids=slots, equipment=["whiteboard"])
    member = await make_user("member1")
    group = await make_group("子育てサークルひまわり", members=(member,), representative="日向 葵")
    await make_user("desk1", ("front_desk",))
    return {
        "slots": slots,
        "hall": hall,
        "meeting": meeting,
        "group": group,
        "day": today() + timedelta(days=14),
    }


def form(center, **changes):
    data = {
        "group": str(center["group"]),
        "room": "hall",
        "day": center["day"].isoformat(),
        "slots": ["morning"],
        "purpose": "子育て相談会",
        "expected_head_count": "20",
        "equipment": ["projector"],
        "action": "request",
    }
    data.update(changes)
    return data


async def _room(room_id: int) -> dict:
    return await Room.select().where(Room.id == room_id).first()


async def _requested(client, center, **changes) -> dict:
    await login(client, "member1")
    # The confirmation page's POST, with the terms agreed to, sends the request.
    confirmed = {**form(center, **changes), "agree_to_terms": "on", "action": "confirm"}
    response = await post_form(client, "/bookings/request/confirm", confirmed)
    assert response.status_code == 303, text_of(response.text)[:500]
    return await Booking.select().order_by(Booking.id, ascending=False).first()


# --- the fee ---


async def test_the_quote_adds_the_equipment_fee_per_slot_as_its_own_line(center):
    fee = await quote(
        await _room(center["hall"]),
        date(2026, 7, 7),
        Payer(),
        slot_codes=["morning", "afternoon"],
        equipment=["projector", "piano"],  # the piano has no fee: free
    )
    assert (fee.room_fee, fee.equipment_fee, fee.heating_fee) == (1400, 1000, 450)
    assert fee.total == 1400 + 1000 + 450
    token = current_locale.set("ja")
    try:
        lines = {line_text(line): line.amount for line in fee.lines}
    finally:
        current_locale.reset(token)
    assert lines["附属設備：プロジェクター（2区分）"] == 1000


async def test_surcharges_and_reductions_treat_the_equipment_fee_as_they_treat_the_room_fee(center):
    hall = await _room(center["hall"])
    commercial = await quote(
        hall, date(2026, 7, 7), Payer(commercial=True), slot_codes=["morning"], equipment=["projector"]
    )
    assert (commercial.surcharge_fee, commercial.total) == (1100, 600 + 500 + 1100 + 200)
    half = await quote(
        hall,
        date(2026, 7, 7),
        Payer(reduction="public_interest"),
        slot_codes=["morning"],
        equipment=["projector"],
    )
    assert (half.reduction_fee, half.total) == (550, 600 + 500 + 200 - 550)


async def test_a_request_stores_the_equipment_and_its_fee_in_the_total(client, center):
    booking = await _requested(client, center)
    assert booking["equipment_fee"] == 500
    assert booking["fee_total"] == 600 + 200 + 500
    detail = text_of((await client.get(f"/bookings/{booking['id']}")).text)
    assert "附属設備 プロジェクター" in detail
    assert "プロジェクター" in text_of((await client.get("/bookings/mine")).text)


async def test_the_preview_shows_the_equipment_line_and_writes_nothing(client, center):
    await login(client, "member1")
    response = await post_form(client, "/bookings/new", form(center, action="preview"))
    assert response.status_code == 200
    page = text_of(response.text)
    assert "附属設備：プロジェクター（1区分）" in page and "¥1,300" in page
    assert await Booking.count() == 0


async def test_a_cancellation_refunds_the_equipment_share_by_the_room_fee_rule(client, center):
    booking = await _requested(client, center)
    await approve(booking["id"], MANAGER)
    after = await cancel(booking["id"], MANAGER, "団体の都合")
    # 14 days ahead: half of the room and equipment fees (600 + 500), all of the heating fee (200)
    assert after["refund_due"] == (600 + 500) * 50 // 100 + 200


# --- refused, nothing written ---


async def test_equipment_the_room_lacks_is_refused_on_the_request_form_and_nothing_is_written(client, center):
    await login(client, "member1")
    response = await post_form(client, "/bookings/new", form(center, room="meeting1"))
    assert response.status_code == 400
    assert LACKS in text_of(response.text) and "プロジェクター" in text_of(response.text)
    assert await Booking.count() == 0 and await Hold.count() == 0


async def test_unknown_equipment_is_refused_on_the_staff_form_and_nothing_is_written(client, center):
    await login(client, "desk1")
    response = await post_form(client, "/manage/bookings/new", form(center, room="meeting1"))
    assert response.status_code == 400
    assert LACKS in text_of(response.text)
    assert await Booking.count() == 0 and await Hold.count() == 0


async def test_the_api_refuses_equipment_the_room_lacks_with_nothing_written(client, center):
    await login(client, "member1")
    body = {
        "group_id": center["group"],
        "room": "meeting1",
        "day": center["day"].isoformat(),
        "slots": ["morning"],
        "purpose": "子育て相談会",
        "expected_head_count": 20,
        "equipment": ["piano"],
        "agree_to_terms": True,
    }
    response = await post_json(client, "/api/bookings", body)
    assert response.status_code == 400, response.text
    assert LACKS in response.json()["errors"]["equipment"]
    assert await Booking.count() == 0 and await Hold.count() == 0


async def test_the_api_reports_the_equipment_fee_of_a_booking(client, center):
    await login(client, "member1")
    body = {
        "group_id": center["group"],
        "room": "hall",
        "day": center["day"].isoformat(),
        "slots": ["morning"],
        "purpose": "子育て相談会",
        "expected_head_count": 20,
        "equipment": ["projector"],
        "agree_to_terms": True,
    }
    response = await post_json(client, "/api/bookings", body)
    assert response.status_code == 201, response.text
    assert response.json()["fees"]["equipment_fee"] == 500
    assert response.json()["fees"]["total"] == 1300


# --- the form: the room's equipment, pre-ticked from the grid ---


async def test_a_grid_link_with_equipment_pre_ticks_the_request_form(client, center):
    await login(client, "member1")
    grid = await client.get(f"/availability?week={center['day'].isoformat()}&equipment=projector")
    links = re.findall(r'href="(/bookings/new\?[^"]+)"', grid.text)
    assert links and all("equipment=projector" in link for link in links)
    response = await client.get(links[0].replace("&amp;", "&"))
    assert 'id="equipment-projector" name="equipment" value="projector" checked' in response.text
    assert 'value="piano" checked' not in response.text


async def test_the_form_offers_only_the_chosen_rooms_equipment_and_refreshes_with_the_room(client, center):
    await login(client, "member1")
    page = await client.get(f"/bookings/new?room=meeting1&day={center['day'].isoformat()}")
    assert 'value="whiteboard"' in page.text and 'value="projector"' not in page.text
    partial = await client.get(
        "/bookings/equipment-choices?room=hall&equipment=projector&equipment=whiteboard",
        headers={"HX-Request": "true"},
    )
    assert 'value="projector" checked' in partial.text and 'value="piano">' in partial.text
    assert "whiteboard" not in partial.text  # the hall has none: the tick is dropped
    assert "¥500" in partial.text


# --- shown everywhere ---


async def test_the_permit_pdf_has_an_equipment_line(client, center):
    booking = await _requested(client, center)
    await approve(booking["id"], MANAGER)
    response = await client.get(f"/bookings/{booking['id']}/permit.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "附属設備" in text and "プロジェクター" in text
    assert "¥500" in text
    assert "附属設備使用料の減免と還付は、使用料と同じ割合" in text.replace("\n", "")


async def test_the_permit_says_none_when_no_equipment_was_booked(client, center):
    booking = await _requested(client, center, equipment=[])
    await approve(booking["id"], MANAGER)
    response = await client.get(f"/bookings/{booking['id']}/permit.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert re.search(r"附属設備\s*なし", text)


async def test_the_day_sheet_and_the_desk_pages_show_the_equipment(client, center):
    booking = await _requested(client, center)
    await approve(booking["id"], MANAGER)
    await login(client, "desk1")
    sheet = await client.get(f"/desk/day-sheet.pdf?date={center['day'].isoformat()}")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(sheet.content)).pages)
    assert "附属設備：プロジェクター" in text.replace("\n", "")  # the narrow column wraps
    desk_page = text_of((await client.get(f"/desk/bookings/{booking['id']}")).text)
    assert "附属設備 プロジェクター" in desk_page
    board = text_of((await client.get(f"/desk?date={center['day'].isoformat()}")).text)
    assert "附属設備：プロジェクター" in board
    queue = text_of((await client.get("/manage/bookings?status=approved")).text)
    assert "附属設備：プロジェクター" in queue


async def test_the_desk_is_reminded_of_the_equipment_at_check_in_and_after_it(client, desk_center):
    morning = desk_center["morning"]
    await Booking.update({Booking.equipment: '["piano"]'}).where(Booking.id == morning)
    await login(client, "desk1")
    page = text_of((await client.get(f"/desk/bookings/{morning}")).text)
    assert "鍵と一緒に渡すもの：ピアノ" in page
    response = await post_form(client, f"/desk/bookings/{morning}/check-in", {"head_count": "12"})
    assert response.status_code == 303
    board = text_of((await client.get(response.headers["location"])).text)
    assert "チェックインしました。附属設備：ピアノ" in board


async def test_pages_show_the_equipment_in_english_too(client, center):
    booking = await _requested(client, center)
    client.cookies.set("lang", "en")
    page = text_of((await client.get(f"/bookings/{booking['id']}")).text)
    assert "Equipment booked Projector" in page


# --- the manager's fees, the public room page, the income report ---


async def test_the_manager_sets_an_equipment_fee_and_the_room_page_lists_it(client, center):
    await make_user("boss", ("manager",))
    await login(client, "boss")
    slots = center["slots"]
    data = {
        "code": "hall",
        "name_ja": "多目的ホール",
        "floor": "3",
        "capacity": "100",
        "equipment": ["projector", "piano"],
        "bookable": "on",
        "booked_by": "slot",
        f"slot_{slots['morning']}_offered": "on",
        f"slot_{slots['morning']}_fee": "600",
        "equipment_fee_projector": "700",
        "equipment_fee_piano": "1,000",
        "equipment_fee_kitchen": "300",  # the hall has no kitchen: not kept
    }
    response = await post_form(client, f"/manage/rooms/{center['hall']}", data)
    assert response.status_code == 303, text_of(response.text)[:500]
    rows = await RoomEquipmentFee.select().where(RoomEquipmentFee.room == center["hall"])
    assert {row["equipment"]: row["fee"] for row in rows} == {"projector": 700, "piano": 1000}
    room_page = text_of((await client.get("/rooms/hall")).text)
    assert "プロジェクター ¥700" in room_page and "ピアノ ¥1,000" in room_page


async def test_a_bad_equipment_fee_is_refused_and_changes_nothing(client, center):
    await make_user("boss", ("manager",))
    await login(client, "boss")
    slots = center["slots"]
    data = {
        "code": "hall",
        "name_ja": "多目的ホール",
        "floor": "3",
        "capacity": "100",
        "equipment": ["projector"],
        "bookable": "on",
        "booked_by": "slot",
        f"slot_{slots['morning']}_offered": "on",
        f"slot_{slots['morning']}_fee": "600",
        "equipment_fee_projector": "-5",
    }
    response = await post_form(client, f"/manage/rooms/{center['hall']}", data)
    assert response.status_code == 400
    rows = await RoomEquipmentFee.select().where(RoomEquipmentFee.room == center["hall"])
    assert [(row["equipment"], row["fee"]) for row in rows] == [("projector", 500)]


async def test_the_income_report_counts_equipment_fees_on_their_own(client, center):
    booking = await _requested(client, center)
    await approve(booking["id"], MANAGER)
    report = await income_report(Period(center["day"].year, center["day"].month))
    assert report.charges.equipment_fee == 500
    assert report.charges.fee_total == 1300


# --- recurring series ---


def series_params(center, **changes):
    start = center["day"]
    values = {
        "group": str(center["group"]),
        "room": "hall",
        "pattern": "weekly",
        "weekday": str(start.weekday()),
        "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(weeks=1)).isoformat(),
        "slots": ["morning"],
        "purpose": "子育て相談会",
        "expected_head_count": "12",
        "equipment": ["projector"],
    }
    values.update(changes)
    return values


async def test_a_series_refuses_equipment_the_room_lacks_once_and_writes_nothing(client, center):
    await login(client, "member1")
    response = await client.get("/bookings/series/preview", params=series_params(center, room="meeting1"))
    assert response.status_code == 400
    assert text_of(response.text).count(LACKS) == 2  # the summary and the field
    refused = await post_form(
        client,
        "/bookings/series/new",
        {**series_params(center, room="meeting1"), "dates": [center["day"].isoformat()]},
    )
    assert refused.status_code == 400
    assert await Booking.count() == 0 and await Hold.count() == 0


async def test_a_series_books_the_equipment_on_every_date_with_its_fee(client, center):
    await login(client, "member1")
    preview = text_of((await client.get("/bookings/series/preview", params=series_params(center))).text)
    assert "附属設備 プロジェクター" in preview
    days = [center["day"], center["day"] + timedelta(weeks=1)]
    response = await post_form(
        client, "/bookings/series/new", {**series_params(center), "dates": [d.isoformat() for d in days]}
    )
    assert response.status_code == 303, text_of(response.text)[:800]
    rows = await Booking.select().order_by(Booking.starts_at)
    assert [row["equipment_fee"] for row in rows] == [500, 500]
    assert all(row["fee_total"] == 600 + 200 + 500 for row in rows)


# --- moves ---


async def test_a_move_keeps_the_equipment_the_new_room_has_and_drops_the_rest_with_its_fee(client, center):
    booking = await _requested(client, center)
    await login(client, "desk1")
    move = {"room": "hall", "day": center["day"].isoformat(), "slots": ["afternoon"], "reason": "清掃"}
    response = await post_form(client, f"/manage/bookings/{booking['id']}/move", move)
    assert response.status_code == 303, text_of(response.text)[:500]
    kept = await Booking.select().where(Booking.id == booking["id"]).first()
    assert (kept["equipment_fee"], kept["fee_total"]) == (500, 800 + 250 + 500)
    response = await post_form(client, f"/manage/bookings/{booking['id']}/move", {**move, "room": "meeting1"})
    assert response.status_code == 303, text_of(response.text)[:500]
    moved = await Booking.select().where(Booking.id == booking["id"]).first()
    assert decode_codes(moved["equipment"]) == []
    assert (moved["equipment_fee"], moved["fee_total"]) == (0, 800 + 250)
