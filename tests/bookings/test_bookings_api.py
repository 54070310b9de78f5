"""The bookings JSON API: public availability, members' requests, their bookings and cancellation,
problem details in the user's language, 409 with alternatives, CSRF on every POST."""

from datetime import UTC, datetime, time, timedelta

import pytest

from bookings.fees import ensure_default_rules
from bookings.rules import load_policy
from bookings.service import approve, ensure_default_refund_rules
from bookings.tables import Booking, BookingPolicy
from center.accounts.actors import ActorRef
from center.ledger.service import take_hold
from center.ledger.tables import Hold
from center.lib.dates import local_instant, today
from center.places.tables import ClosedDay
from tests.helpers import csrf_token, login, make_calendar, make_group, make_room, make_user, post_form
from tests.snapshots import snapshot_fixture

pytestmark = pytest.mark.anyio

FEES = {"morning": (600, 200), "afternoon": (800, 250), "evening": (800, 250)}


@pytest.fixture
@snapshot_fixture
async def center(db):
    slots = await make_calendar(heating=(1, 12))  # heating all year: fees do not depend on the date
    await ensure_default_rules()
    await ensure_default_refund_rules()
    hall = await make_room(
        code="hall", name_ja="多目的ホール", capacity=100, floor=2, fees=FEES, slot_ids=slots, step_free=True
    )
    meeting = await make_room(fees=FEES, slot_ids=slots, step_free=False)
    member = await make_user("member1")
    other = await make_user("member2")
    group = await make_group("子育てサークルひまわり", members=(member,))
    other_group = await make_group("水彩画同好会", members=(other,))
    await make_user("desk1", ("front_desk",))
    await make_user("fac1", ("facilities",))
    return {
        "hall": hall,
        "meeting": meeting,
        "group": group,
        "other_group": other_group,
        "day": today() + timedelta(days=14),
    }


def body(center, **changes):
    data = {
        "group_id": center["group"],
        "room": "hall",
        "day": center["day"].isoformat(),
        "slots": ["morning"],
        "purpose": "子育て相談会",
        "expected_head_count": 20,
        "contact_name": "日向 葵",
        "contact_phone": "0144-11-2222",
        "agree_to_terms": True,
    }
    data.update(changes)
    return data


async def post_json(client, url, data=None):
    token = await csrf_token(client)
    return await client.post(url, json=data, headers={"x-csrftoken": token})


# --- availability ---


async def test_availability_lists_every_room_day_and_slot_with_its_state(client, center):
    day = center["day"]
    await take_hold(center["hall"], local_instant(day, time(9)), local_instant(day, time(12)), "booking")
    response = await client.get(f"/api/availability?from={day}&to={day + timedelta(days=1)}")
    assert response.status_code == 200
    data = response.json()
    assert (data["from"], data["timezone"]) == (day.isoformat(), "Asia/Tokyo")
    assert [room["code"] for room in data["rooms"]] == ["meeting1", "hall"] or {
        room["code"] for room in data["rooms"]
    } == {"meeting1", "hall"}
    assert len(data["cells"]) == 2 * 2 * 3  # rooms × days × slots
    cells = {(c["room"], c["date"], c["slot"]): c for c in data["cells"]}
    held = cells[("hall", day.isoformat(), "morning")]
    assert held["state"] == "held" and held["symbol"] == "×"
    assert held["label"] == ""  # a private booking shows nothing beyond "held"
    assert held["starts_at"] == local_instant(day, time(9)).isoformat().replace("+00:00", "Z")
    assert cells[("meeting1", day.isoformat(), "morning")]["state"] == "free"
    assert cells[("hall", day.isoformat(), "afternoon")]["state_label"] == "空き"


async def test_availability_shows_closed_days_with_the_reason_and_public_titles_only(client, center):
    day = center["day"]
    await ClosedDay.insert(
        ClosedDay(starts_on=day, ends_on=day, reason_ja="設備点検", reason_en="Inspection", yearly=False)
    )
    response = await client.get(f"/api/availability?from={day}&to={day}&room=hall")
    data = response.json()
    assert data["days"][0]["open"] is False and data["days"][0]["closed_reason"] == "設備点検"
    assert {cell["state"] for cell in data["cells"]} == {"closed"}
    assert all(cell["label"] == "設備点検" for cell in data["cells"])


async def test_availability_filters_rooms_like_the_rooms_page(client, center):
    day = center["day"]
    data = (await client.get(f"/api/availability?from={day}&to={day}&capacity=50")).json()
    assert [room["code"] for room in data["rooms"]] == ["hall"]
    data = (await client.get(f"/api/availability?from={day}&to={day}&step_free=1")).json()
    assert [room["code"] for room in data["rooms"]] == ["hall"]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=2026-02-31", "from", "年-月-日"),
        ("from=tomorrow", "from", "年-月-日"),
        ("from=2027-01-10&to=2027-01-01", "to", "開始日以降"),
        ("from=2027-01-01&to=2027-03-15", "to", "62日"),
        ("room=nope", "room", "部屋"),
    ],
)
async def test_bad_availability_ranges_get_problem_details(client, center, query, field, message):
    response = await client.get(f"/api/availability?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 400 and field in problem["errors"]
    assert message in problem["errors"][field]


async def test_one_rooms_month(client, center):
    month = center["day"].strftime("%Y-%m")
    response = await client.get(f"/api/rooms/hall/availability?month={month}")
    assert response.status_code == 200
    data = response.json()
    assert data["from"].startswith(month) and data["to"].startswith(month)
    assert {cell["room"] for cell in data["cells"]} == {"hall"}
    assert len(data["days"]) >= 28
    assert (await client.get("/api/rooms/nope/availability")).status_code == 404
    bad = await client.get("/api/rooms/hall/availability?month=2026-13")
    assert bad.status_code == 400 and "month" in bad.json()["errors"]


async def test_the_api_is_described_in_the_openapi_schema(client, center):
    await make_user("schema_reader", ("front_desk",))  # the schema is for staff
    await login(client, "schema_reader")
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/availability" in schema["paths"]
    create = schema["paths"]["/api/bookings"]["post"]
    assert "201" in create["responses"] and "409" in create["responses"]
    assert "BookingIn" in str(create["requestBody"])


# --- requests ---


async def test_a_member_requests_a_slot_and_gets_201_with_the_booking(client, center):
    await login(client, "member1")
    response = await post_json(client, "/api/bookings", body(center, slots=["morning", "afternoon"]))
    assert response.status_code == 201, response.text
    booking = response.json()
    assert response.headers["location"] == f"/api/bookings/{booking['id']}"
    assert booking["status"] == "requested" and booking["slots"] == ["morning", "afternoon"]
    assert booking["fees"]["total"] == 1850  # 600 + 800 + heating 200 + 250
    assert booking["permit_url"] is None and booking["lapses_at"]
    assert await Hold.count().where(Hold.active == True) == 1
    again = await client.get(booking["url"].replace("/bookings/", "/api/bookings/"))
    assert again.json()["id"] == booking["id"]


async def test_a_taken_slot_answers_409_with_conflicts_and_alternatives(client, center):
    await login(client, "member1")
    first = await post_json(client, "/api/bookings", body(center))
    assert first.status_code == 201
    response = await post_json(client, "/api/bookings", body(center, purpose="二度目"))
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert "すでに予約が入りました" in problem["detail"]
    assert [c["room"] for c in problem["conflicts"]] == ["hall"]
    assert problem["conflicts"][0]["label"] == ""  # the other request's purpose stays private
    assert [a["room"] for a in problem["alternatives"]] == ["meeting1"]
    assert problem["alternatives"][0]["availability_url"].startswith("/availability/rooms/meeting1?month=")
    assert await Booking.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"day": "2026-02-31"}, "day", "2026-12-01"),
        ({"day": "not a date"}, "day", "2026-12-01"),
        ({"expected_head_count": -3}, "expected_head_count", "利用人数"),
        ({"expected_head_count": 500}, "expected_head_count", "定員は100人"),
        ({"purpose": "あ" * 5000}, "purpose", "200文字以内"),
        ({"room": "nope"}, "room", "部屋を選んでください"),
        ({"slots": ["morning", "evening"]}, "slots", "続いた区分"),
        ({"slots": []}, "slots", "区分"),
        ({"group_id": 999999}, "group_id", "団体"),
    ],
)
async def test_bad_requests_get_per_field_japanese_errors_and_change_nothing(
    client, center, changes, field, message
):
    await login(client, "member1")
    response = await post_json(client, "/api/bookings", body(center, **changes))
    assert response.status_code == 400, response.text
    problem = response.json()
    assert field in problem["errors"], problem
    assert message in problem["errors"][field]
    assert await Booking.count() == 0 and await Hold.count() == 0


async def test_past_and_closed_days_are_refused(client, center):
    await login(client, "member1")
    past = await post_json(
        client, "/api/bookings", body(center, day=(today() - timedelta(days=2)).isoformat())
    )
    assert past.status_code == 400 and "過ぎています" in past.json()["errors"]["day"]
    day = center["day"]
    await ClosedDay.insert(
        ClosedDay(starts_on=day, ends_on=day, reason_ja="点検", reason_en="Check", yearly=False)
    )
    closed = await post_json(client, "/api/bookings", body(center))
    assert closed.status_code == 400 and "休館日" in closed.json()["errors"]["day"]
    assert await Booking.count() == 0


async def test_errors_follow_the_users_language(client, center):
    await login(client, "member1")
    client.cookies.set("lang", "en")
    response = await post_json(client, "/api/bookings", body(center, expected_head_count=500))
    problem = response.json()
    assert problem["errors"]["expected_head_count"] == "This room holds at most 100 people."
    assert problem["detail"] == "Please correct the highlighted fields."


async def test_a_body_of_the_wrong_shape_gets_400_naming_the_field(client, center):
    await login(client, "member1")
    response = await post_json(client, "/api/bookings", body(center, expected_head_count="twenty"))
    assert response.status_code == 400
    assert "expected_head_count" in response.json()["errors"]
    unknown = await post_json(client, "/api/bookings", body(center, colour="red"))
    assert unknown.status_code == 400
    token = await csrf_token(client)
    garbage = await client.post(
        "/api/bookings",
        content=b"{not json",
        headers={"x-csrftoken": token, "content-type": "application/json"},
    )
    assert garbage.status_code == 400
    assert await Booking.count() == 0


async def test_posts_need_the_csrf_header(client, center):
    await login(client, "member1")
    await csrf_token(client)
    response = await client.post("/api/bookings", json=body(center))
    assert response.status_code == 403
    assert "再読み込み" in response.json()["detail"]
    wrong = await client.post("/api/bookings", json=body(center), headers={"x-csrftoken": "forged"})
    assert wrong.status_code == 403
    assert await Booking.count() == 0


async def test_visitors_and_staff_without_a_group_cannot_request(client, center):
    response = await post_json(client, "/api/bookings", body(center))
    assert response.status_code == 401
    await login(client, "desk1")
    response = await post_json(client, "/api/bookings", body(center))
    assert response.status_code == 403
    assert await Booking.count() == 0


# --- reading and cancelling ---


async def _request_as(client, center, username, **changes) -> int:
    await login(client, username)
    response = await post_json(client, "/api/bookings", body(center, **changes))
    assert response.status_code == 201, response.text
    await post_form(client, "/logout")
    client.cookies.clear()
    return response.json()["id"]


async def test_members_see_their_groups_bookings_and_staff_see_all(client, center):
    mine = await _request_as(client, center, "member1")
    theirs = await _request_as(
        client, center, "member2", group_id=center["other_group"], room="meeting1", purpose="写生会"
    )
    await login(client, "member1")
    listed = (await client.get("/api/bookings")).json()
    assert [b["id"] for b in listed["bookings"]] == [mine] and listed["total"] == 1
    assert (await client.get(f"/api/bookings/{theirs}")).status_code == 404
    assert (await client.get("/api/bookings/999999")).status_code == 404
    await post_form(client, "/logout")
    client.cookies.clear()
    await login(client, "desk1")
    listed = (await client.get("/api/bookings")).json()
    assert {b["id"] for b in listed["bookings"]} == {mine, theirs}
    assert (await client.get(f"/api/bookings/{theirs}")).json()["purpose"] == "写生会"
    await post_form(client, "/logout")
    client.cookies.clear()
    await login(client, "fac1")
    assert (await client.get("/api/bookings")).json()["bookings"] == []
    assert (await client.get(f"/api/bookings/{mine}")).status_code == 404


async def test_the_list_filters_by_status_and_day_of_use(client, center):
    first = await _request_as(client, center, "member1")
    later = (center["day"] + timedelta(days=7)).isoformat()
    second = await _request_as(client, center, "member1", day=later)
    await approve(second, ActorRef(None, "manager", staff=True))
    await login(client, "member1")
    approved = (await client.get("/api/bookings?status=approved")).json()["bookings"]
    assert [b["id"] for b in approved] == [second]
    assert approved[0]["permit_url"] == f"/bookings/{second}/permit.pdf" and approved[0]["permit_number"]
    day = center["day"].isoformat()
    assert [b["id"] for b in (await client.get(f"/api/bookings?from={day}&to={day}")).json()["bookings"]] == [
        first
    ]
    assert [b["id"] for b in (await client.get(f"/api/bookings?from={later}")).json()["bookings"]] == [second]
    limited = (await client.get("/api/bookings?limit=1")).json()
    assert limited["total"] == 2 and len(limited["bookings"]) == 1
    bad = await client.get("/api/bookings?status=whatever")
    assert bad.status_code == 400 and "status" in bad.json()["errors"]
    assert (await client.get("/api/bookings?from=yesterday")).status_code == 400
    assert (await client.get("/api/bookings?limit=0")).status_code == 400


async def test_a_member_cancels_and_the_slot_is_free_at_once(client, center):
    booking_id = await _request_as(client, center, "member1")
    await login(client, "member1")
    response = await post_json(client, f"/api/bookings/{booking_id}/cancel", {"reason": "都合により"})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled" and response.json()["cancel_reason"] == "都合により"
    assert await Hold.count().where(Hold.active == True) == 0
    again = await post_json(client, f"/api/bookings/{booking_id}/cancel", {})
    assert again.status_code == 409
    retaken = await post_json(client, "/api/bookings", body(center))
    assert retaken.status_code == 201


async def test_members_cannot_cancel_too_late_or_other_groups_bookings(client, center):
    theirs = await _request_as(client, center, "member2", group_id=center["other_group"])
    await login(client, "member1")
    assert (await post_json(client, f"/api/bookings/{theirs}/cancel", {})).status_code == 404
    # Online cancellation closes 3 days before; a booking in 2 days (staff booked it by phone,
    # overriding the rules) is past that deadline.
    await load_policy()
    await BookingPolicy.update({BookingPolicy.cancel_online_until_days: 3}, force=True)
    tomorrow = today() + timedelta(days=2)
    rows = await Booking.insert(
        Booking(
            group=center["group"],
            room=center["meeting"],
            starts_at=local_instant(tomorrow, time(18)),
            ends_at=local_instant(tomorrow, time(21)),
            purpose="電話予約",
            status="approved",
            created_at=datetime.now(UTC),
            updated_at=datetime.now(UTC),
        )
    ).returning(Booking.id)
    late = await post_json(client, f"/api/bookings/{rows[0]['id']}/cancel", {})
    assert late.status_code == 400 and "電話" in late.json()["detail"]
    assert (await Booking.select(Booking.status).where(Booking.id == rows[0]["id"]).first())[
        "status"
    ] == "approved"


async def test_staff_cancel_with_a_reason(client, center):
    booking_id = await _request_as(client, center, "member1")
    await login(client, "desk1")
    refused = await post_json(client, f"/api/bookings/{booking_id}/cancel", {"reason": " "})
    assert refused.status_code == 400 and "reason" in refused.json()["errors"]
    response = await post_json(client, f"/api/bookings/{booking_id}/cancel", {"reason": "設備故障のため"})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert await Hold.count().where(Hold.active == True) == 0
