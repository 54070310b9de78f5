"""Members request rooms through the web: fee shown first, tentative hold, their bookings, cancel, permit."""

import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader

from bookings.fees import ensure_default_rules
from bookings.service import approve, ensure_default_refund_rules
from bookings.tables import Booking
from center.accounts.actors import ActorRef
from center.ledger.tables import Hold
from center.lib.dates import today
from tests.helpers import login, make_calendar, make_group, make_room, make_user, post_form, text_of
from tests.snapshots import snapshot_fixture

pytestmark = pytest.mark.anyio

CONFIRM = "/bookings/request/confirm"  # the confirmation page's POST: sends the request
FEES = {"morning": (600, 200), "afternoon": (800, 250), "evening": (800, 250)}


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
        floor=2,
        fees=FEES,
        slot_ids=slots,
        equipment=["projector"],
    )
    meeting = await make_room(fees=FEES, slot_ids=slots)
    member = await make_user("member1")
    other = await make_user("member2")
    group = await make_group("子育てサークルひまわり", members=(member,), representative="日向 葵")
    other_group = await make_group("水彩画同好会", members=(other,))
    await make_user("desk1", ("front_desk",))
    return {
        "hall": hall,
        "meeting": meeting,
        "group": group,
        "other_group": other_group,
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
        "contact_name": "日向 葵",
        "contact_phone": "0144-11-2222",
        "action": "request",
        "agree_to_terms": "on",
    }
    data.update(changes)
    return data


async def test_the_form_is_prefilled_from_the_grid_and_shows_the_fee(client, center):
    await login(client, "member1")
    response = await client.get(f"/bookings/new?room=hall&day={center['day'].isoformat()}&slots=morning")
    assert response.status_code == 200
    page = text_of(response.text)
    assert "多目的ホール" in page and "¥600" in page
    assert 'value="morning" checked' in response.text


async def test_preview_shows_the_fee_and_writes_nothing(client, center):
    await login(client, "member1")
    response = await post_form(
        client, "/bookings/new", form(center, action="preview", slots=["morning", "afternoon"])
    )
    assert response.status_code == 200
    assert "¥1,850" in response.text  # 600 + 800 + heating 200 + 250
    assert await Booking.count() == 0


async def test_a_member_requests_a_slot_and_sees_it_held(client, center):
    await login(client, "member1")
    response = await post_form(client, CONFIRM, form(center))
    assert response.status_code == 303, text_of(response.text)[:500]
    detail = await client.get(response.headers["location"])
    assert "承認待ち" in detail.text
    assert await Hold.count().where(Hold.active == True) == 1
    mine = await client.get("/bookings/mine")
    assert "子育て相談会" in mine.text


async def test_a_taken_slot_answers_409_with_alternatives(client, center):
    await login(client, "member1")
    await post_form(client, CONFIRM, form(center))
    response = await post_form(client, CONFIRM, form(center, purpose="二度目"))
    assert response.status_code == 409
    assert "すでに予約が入りました" in response.text
    assert "会議室1" in response.text  # offered as a free alternative
    assert await Booking.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"day": "2026-02-31"}, "2026-12-01"),
        ({"day": "not a date"}, "2026-12-01"),
        ({"expected_head_count": "-3"}, "利用人数"),
        ({"expected_head_count": "500"}, "定員は100人"),
        ({"purpose": "あ" * 5000}, "200文字以内"),
        ({"room": "nope"}, "部屋を選んでください"),
        ({"slots": ["morning", "evening"]}, "続いた区分"),
    ],
)
async def test_bad_input_gets_a_japanese_message_and_changes_nothing(client, center, changes, message):
    await login(client, "member1")
    response = await post_form(client, "/bookings/new", form(center, **changes))
    assert response.status_code == 400
    assert message in response.text
    assert await Booking.count() == 0 and await Hold.count() == 0


async def test_a_member_cannot_book_for_another_group(client, center):
    await login(client, "member1")
    response = await post_form(client, "/bookings/new", form(center, group=str(center["other_group"])))
    assert response.status_code == 400
    assert await Booking.count() == 0


async def test_members_cannot_see_other_groups_bookings(client, center):
    await login(client, "member2")
    await post_form(client, CONFIRM, form(center, group=str(center["other_group"])))
    booking = await Booking.select().first()
    await post_form(client, "/logout")
    await login(client, "member1")
    assert (await client.get(f"/bookings/{booking['id']}")).status_code == 404
    assert (await client.get(f"/bookings/{booking['id']}/permit.pdf")).status_code == 404
    response = await post_form(client, f"/bookings/{booking['id']}/cancel", {"reason": ""})
    assert response.status_code == 404


async def test_cancel_releases_the_slot_and_shows_the_refund(client, center):
    await login(client, "member1")
    await post_form(client, CONFIRM, form(center))
    booking = await Booking.select().first()
    page = await client.get(f"/bookings/{booking['id']}/cancel")
    assert "¥0" in page.text  # nothing was paid for an unapproved request
    response = await post_form(client, f"/bookings/{booking['id']}/cancel", {"reason": "都合により"})
    assert response.status_code == 303
    assert await Hold.count().where(Hold.active == True) == 0
    assert (await Booking.select(Booking.status).first())["status"] == "cancelled"


async def test_the_member_downloads_the_permit_once_approved(client, center):
    await login(client, "member1")
    await post_form(client, CONFIRM, form(center))
    booking = await Booking.select().first()
    assert (await client.get(f"/bookings/{booking['id']}/permit.pdf")).status_code == 409
    await approve(booking["id"], ActorRef(None, "manager", staff=True))
    response = await client.get(f"/bookings/{booking['id']}/permit.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "子育てサークルひまわり" in text
    assert re.search(r"\d{4}-\d{6}", text)


async def test_the_fee_partial_answers_htmx(client, center):
    await login(client, "member1")
    response = await client.get(
        f"/bookings/quote?group={center['group']}&room=hall&day={center['day'].isoformat()}&slots=morning&slots=afternoon",
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "<html" not in response.text
    assert "¥1,850" in response.text


async def test_visitors_are_asked_to_log_in(client, center):
    response = await client.get("/bookings/new?room=hall")
    assert response.status_code == 401


async def test_an_hourly_room_is_requested_by_start_and_end_time(client, center):
    await make_room(code="studio", name_ja="料理実習室", capacity=24, booked_by="hour", hourly_fee=800)
    await login(client, "member1")
    data = form(center, room="studio", slots=[], start="13:00", end="12:00", expected_head_count="10")
    refused = await post_form(client, "/bookings/new", data)
    assert refused.status_code == 400
    assert "終了は開始より後にしてください" in refused.text
    outside = await post_form(client, "/bookings/new", {**data, "start": "20:00", "end": "22:30"})
    assert outside.status_code == 400 and "開館時間は9:00から21:00まで" in outside.text
    assert await Booking.count() == 0
    ok = await post_form(client, CONFIRM, {**data, "start": "13:00", "end": "15:00"})
    assert ok.status_code == 303
    assert (await Booking.select(Booking.room_fee).first())["room_fee"] == 1600
