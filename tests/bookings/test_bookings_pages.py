"""Availability pages anyone can see: the week grid, one room's month, and the search."""

from datetime import timedelta

import pytest

from bookings.availability import week_start
from bookings.fees import ensure_default_rules
from bookings.rules import BookingRequest
from bookings.service import approve, request_booking
from center.accounts.actors import ActorRef
from center.lib.dates import today, wareki
from tests.helpers import login, make_calendar, make_group, make_room, make_user, text_of
from tests.snapshots import snapshot_fixture

pytestmark = pytest.mark.anyio

FEES = {"morning": (600, 200), "afternoon": (800, 250), "evening": (800, 250)}
STAFF = ActorRef(None, "desk", staff=True)


@pytest.fixture
@snapshot_fixture
async def center(db):
    slots = await make_calendar()
    await ensure_default_rules()
    hall = await make_room(
        code="hall",
        name_ja="多目的ホール",
        name_en="Multi-purpose Hall",
        capacity=100,
        floor=2,
        fees=FEES,
        slot_ids=slots,
        equipment=["projector"],
    )
    meeting = await make_room(fees=FEES, slot_ids=slots)
    user = await make_user("member1")
    group = await make_group("水彩画同好会", members=(user,))
    day = today() + timedelta(days=8)
    public = await request_booking(
        BookingRequest(
            room_id=hall,
            day=day,
            slot_codes=["afternoon"],
            purpose="展示会準備",
            expected_head_count=20,
            public=True,
            public_title="水彩画展",
        ),
        group,
        STAFF,
    )
    await approve(public, STAFF)
    private = await request_booking(
        BookingRequest(
            room_id=meeting,
            day=day,
            slot_codes=["morning"],
            purpose="役員会（非公開）",
            expected_head_count=5,
        ),
        group,
        STAFF,
    )
    await approve(private, STAFF)
    return {"day": day, "hall": hall}


async def test_week_grid_shows_public_titles_but_no_private_details(client, center):
    response = await client.get(f"/availability?week={center['day'].isoformat()}")
    assert response.status_code == 200
    page = response.text
    assert "水彩画展" in page
    assert "役員会" not in page and "水彩画同好会" not in page
    assert wareki(week_start(center["day"])) in page
    assert "○" in page and "×" in page
    assert "空き" in text_of(page) and "予約済み" in text_of(page)


async def test_week_grid_filters_and_htmx_partial(client, center):
    response = await client.get(
        f"/availability?week={center['day'].isoformat()}&equipment=projector", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "多目的ホール" in response.text and "会議室1" not in response.text
    # A visitor's page also varies by cookie (language, CSRF token): center.web.conditional.
    assert "HX-Request" in response.headers["vary"]


async def test_room_month_lists_every_day_with_its_slots(client, center):
    month = center["day"].strftime("%Y-%m")
    response = await client.get(f"/availability/rooms/hall?month={month}")
    assert response.status_code == 200
    assert "水彩画展" in response.text
    assert "令和" in response.text
    assert (await client.get("/availability/rooms/nope")).status_code == 404


async def test_search_finds_free_slots_for_the_conditions(client, center):
    start = center["day"]
    response = await client.get(
        f"/availability/search?from={start.isoformat()}&to={start.isoformat()}&capacity=50&equipment=projector"
    )
    assert response.status_code == 200
    page = text_of(response.text)
    assert (
        "見つかった空き：2件" in page.replace(" ", "") or "2" in page
    )  # morning and evening; afternoon is taken
    assert page.count("多目的ホール") >= 2


async def test_search_explains_bad_dates_in_japanese(client, center):
    response = await client.get("/availability/search?from=2026-13-45&to=tomorrow")
    assert response.status_code == 400
    assert "2026-12-01" in response.text


async def test_search_explains_a_bad_head_count_and_unknown_equipment(client, center):
    response = await client.get("/availability/search?capacity=abc&equipment=rocket")
    assert response.status_code == 400
    page = text_of(response.text)
    assert "人数は1から9999までの整数で入力してください。" in page
    assert "設備は一覧の中から選んでください。" in page


async def test_the_english_grid_uses_english_dates(client, center):
    from tests.helpers import post_form

    await post_form(client, "/lang", {"lang": "en", "next": "/"})
    response = await client.get(f"/availability?week={center['day'].isoformat()}")
    assert "Multi-purpose Hall" in response.text
    assert "Free" in text_of(response.text)


async def test_the_grid_tells_visitors_to_ask_at_the_desk_for_slots_too_soon_to_request(client, center):
    """Tomorrow is free but within "from 3 days ahead": visitors see 窓 with words and no request
    link; the front desk, who may book it, sees a free cell that links to the staff form."""
    tomorrow = today() + timedelta(days=1)
    page = (await client.get(f"/availability/rooms/hall?month={tomorrow.strftime('%Y-%m')}")).text
    assert "空き（窓口で受付）" in text_of(page)
    assert f"day={tomorrow.isoformat()}&amp;slots=" not in page
    assert "窓口でお申し込みください" in text_of(page)  # the key explains the symbol

    await make_user("desk1", roles=("front_desk",))
    assert (await login(client, "desk1")).status_code in (200, 302, 303)
    page = (await client.get(f"/availability/rooms/hall?month={tomorrow.strftime('%Y-%m')}")).text
    assert f"/manage/bookings/new?room=hall&amp;day={tomorrow.isoformat()}&amp;slots=" in page
