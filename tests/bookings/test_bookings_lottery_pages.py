"""The lottery pages: members apply, withdraw, see results and confirm; the manager sets lottery rooms
and window days, opens rounds, draws and verifies; bad input changes nothing."""

from datetime import timedelta

import pytest

from bookings import lottery
from bookings.fees import ensure_default_rules
from bookings.rules import add_months
from bookings.service import ensure_default_refund_rules
from bookings.tables import Booking, BookingPolicy, LotteryEntry, LotteryRoom, LotteryRound
from center.accounts.actors import ActorRef
from center.lib.dates import today
from tests.helpers import login, make_calendar, make_group, make_room, make_user, post_form, text_of
from tests.snapshots import snapshot_fixture

pytestmark = pytest.mark.anyio

FEES = {"morning": (600, 200), "afternoon": (800, 250), "evening": (800, 250)}
MANAGER = ActorRef(None, "manager", staff=True)


@pytest.fixture
@snapshot_fixture
async def center(db):
    slots = await make_calendar(heating=(1, 12))
    await ensure_default_rules()
    await ensure_default_refund_rules()
    hall = await make_room(
        code="hall", name_ja="多目的ホール", capacity=100, floor=2, fees=FEES, slot_ids=slots
    )
    await make_room(fees=FEES, slot_ids=slots)
    await LotteryRoom.insert(LotteryRoom(room=hall, active=True))
    member = await make_user("member1")
    other = await make_user("member2")
    group = await make_group("いきいきシニアサロン若草", members=(member,))
    other_group = await make_group("子育てサークルひまわり", members=(other,))
    await make_user("manager1", ("manager",))
    await make_user("desk1", ("front_desk",))
    month = lottery.month_key(add_months(today().replace(day=1), 2))
    round_id = await lottery.open_round(
        month, lottery.Window(today(), today(), today(), today() + timedelta(days=3)), MANAGER
    )
    day = lottery.first_day(month) + timedelta(days=9)
    return {
        "hall": hall,
        "group": group,
        "other_group": other_group,
        "month": month,
        "round": round_id,
        "day": day,
    }


def form(center, **fields) -> dict:
    return {
        "round": str(center["round"]),
        "group": str(center["group"]),
        "room": "hall",
        "day": center["day"].isoformat(),
        "slot": "morning",
        "purpose": "ダンス発表会",
        "expected_head_count": "40",
        **fields,
    }


async def test_a_member_sees_the_open_round_and_applies(client, center):
    await login(client, "member1")
    page = await client.get("/lottery")
    assert page.status_code == 200
    assert "多目的ホール" in page.text and "受付中" in text_of(page.text)
    response = await post_form(client, "/lottery/apply", form(center))
    assert response.status_code == 303 and response.headers["location"] == "/lottery"
    entry = await LotteryEntry.select().first()
    assert entry["group"] == center["group"] and entry["status"] == "applied"
    page = await client.get("/lottery")
    assert "ダンス発表会" in page.text and f"/lottery/entries/{entry['id']}/withdraw" in page.text


async def test_a_duplicate_application_gets_a_clear_message(client, center):
    await login(client, "member1")
    await post_form(client, "/lottery/apply", form(center))
    response = await post_form(client, "/lottery/apply", form(center))
    assert response.status_code == 400
    assert "この区分にはすでに申し込んでいます" in response.text
    assert await LotteryEntry.count() == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"day": "2027-13-45"},
        {"day": ""},
        {"expected_head_count": "abc"},
        {"expected_head_count": "1000"},
        {"purpose": "x" * 5000},
        {"room": "nowhere"},
        {"slot": ""},
        {"round": "999999"},
        {"round": "x"},
        {"group": "999999"},
    ],
)
async def test_bad_applications_get_400_and_nothing_is_written(client, center, fields):
    await login(client, "member1")
    response = await post_form(client, "/lottery/apply", form(center, **fields))
    assert response.status_code == 400
    assert 'role="alert"' in response.text
    assert await LotteryEntry.count() == 0


async def test_an_empty_application_form_gets_400(client, center):
    await login(client, "member1")
    assert (await post_form(client, "/lottery/apply", {})).status_code == 400


async def test_a_member_cannot_apply_for_another_group(client, center):
    await login(client, "member1")
    response = await post_form(client, "/lottery/apply", form(center, group=str(center["other_group"])))
    assert response.status_code == 400
    assert await LotteryEntry.count() == 0


async def test_members_withdraw_only_their_own_applications(client, center):
    await login(client, "member1")
    await post_form(client, "/lottery/apply", form(center))
    entry = await LotteryEntry.select().first()
    await client.post("/logout")
    client.cookies.clear()
    await login(client, "member2")
    assert (await post_form(client, f"/lottery/entries/{entry['id']}/withdraw")).status_code == 404
    client.cookies.clear()
    await login(client, "member1")
    assert (await post_form(client, f"/lottery/entries/{entry['id']}/withdraw")).status_code == 303
    assert (await LotteryEntry.select().first())["status"] == "withdrawn"


async def test_the_manager_draws_and_the_member_sees_the_result_and_confirms(client, center):
    await login(client, "member1")
    await post_form(client, "/lottery/apply", form(center))
    client.cookies.clear()
    await login(client, "manager1")
    page = await client.get(f"/manage/lottery/rounds/{center['round']}")
    assert page.status_code == 200 and "いきいきシニアサロン若草" in page.text
    response = await post_form(client, f"/manage/lottery/rounds/{center['round']}/draw")
    assert response.status_code == 303
    assert (await LotteryRound.select().first())["status"] == "drawn"
    page = await client.get(f"/manage/lottery/rounds/{center['round']}")
    assert "当選" in page.text
    again = await post_form(client, f"/manage/lottery/rounds/{center['round']}/draw")
    assert again.status_code == 409
    verify = await client.get(f"/lottery/rounds/{center['round']}/verify")
    assert verify.status_code == 200 and "すべての当選がシードと一致します" in verify.text
    client.cookies.clear()
    await login(client, "member1")
    page = await client.get("/lottery")
    entry = await LotteryEntry.select().first()
    assert f"/lottery/entries/{entry['id']}/confirm" in page.text
    response = await post_form(client, f"/lottery/entries/{entry['id']}/confirm")
    assert response.status_code == 303
    booking = await Booking.select().first()
    assert booking["status"] == "approved" and response.headers["location"] == f"/bookings/{booking['id']}"


async def test_the_verify_page_is_public_and_shows_numbers_not_group_names(client, center):
    await lottery.apply(
        lottery.Application(center["round"], center["hall"], center["day"], "morning", "会合", 10),
        center["group"],
        MANAGER,
    )
    await lottery.draw(center["round"], MANAGER)
    page = await client.get(f"/lottery/rounds/{center['round']}/verify")
    assert page.status_code == 200
    assert "いきいきシニアサロン若草" not in page.text
    assert (await LotteryRound.select().first())["seed"] in page.text
    assert (await client.get("/lottery/rounds/999/verify")).status_code == 404


async def test_the_manager_saves_lottery_rooms_and_window_days(client, center):
    await login(client, "manager1")
    page = await client.get("/manage/lottery")
    assert page.status_code == 200 and 'value="hall" checked' in page.text
    response = await post_form(
        client,
        "/manage/lottery/settings",
        {
            "rooms": ["hall", "meeting1"],
            "lottery_months_ahead": "3",
            "lottery_open_day": "1",
            "lottery_close_day": "10",
            "lottery_draw_day": "11",
        },
    )
    assert response.status_code == 303
    policy = await BookingPolicy.select().first()
    assert (policy["lottery_months_ahead"], policy["lottery_draw_day"]) == (3, 11)
    assert await LotteryRoom.count().where(LotteryRoom.active == True) == 2


async def test_bad_settings_get_400_and_change_nothing(client, center):
    await login(client, "manager1")
    for data in (
        {},
        {
            "rooms": "nowhere",
            "lottery_months_ahead": "2",
            "lottery_open_day": "10",
            "lottery_close_day": "19",
            "lottery_draw_day": "20",
        },
        {
            "rooms": "hall",
            "lottery_months_ahead": "2",
            "lottery_open_day": "20",
            "lottery_close_day": "19",
            "lottery_draw_day": "20",
        },
    ):
        response = await post_form(client, "/manage/lottery/settings", data)
        assert response.status_code == 400, data
    assert await lottery.lottery_room_ids() == {center["hall"]}
    assert (await BookingPolicy.select().first() or {"lottery_open_day": 10})["lottery_open_day"] == 10


async def test_the_manager_opens_a_round_with_explicit_dates(client, center):
    await login(client, "manager1")
    month = lottery.month_key(add_months(today().replace(day=1), 3))
    page = await client.get(f"/manage/lottery/rounds/new?month={month}")
    assert page.status_code == 200
    dates = {name: today().isoformat() for name in ("opens_on", "closes_on", "draw_on")}
    response = await post_form(
        client,
        "/manage/lottery/rounds",
        {"month": month, **dates, "confirm_by": (today() + timedelta(days=5)).isoformat()},
    )
    assert response.status_code == 303
    assert await LotteryRound.count().where(LotteryRound.month == month) == 1
    duplicate = await post_form(
        client,
        "/manage/lottery/rounds",
        {"month": month, **dates, "confirm_by": (today() + timedelta(days=5)).isoformat()},
    )
    assert duplicate.status_code == 400
    bad = await post_form(client, "/manage/lottery/rounds", {"month": "2027-99", "opens_on": "x"})
    assert bad.status_code == 400
    assert await LotteryRound.count() == 2


async def test_the_manager_changes_an_open_rounds_dates(client, center):
    await login(client, "manager1")
    url = f"/manage/lottery/rounds/{center['round']}/dates"
    later = (today() + timedelta(days=2)).isoformat()
    data = {"opens_on": today().isoformat(), "closes_on": later, "draw_on": later, "confirm_by": later}
    assert (await post_form(client, url, data)).status_code == 303
    assert (await LotteryRound.select().first())["closes_on"] == today() + timedelta(days=2)
    assert (await post_form(client, url, {**data, "draw_on": today().isoformat()})).status_code == 400
    assert (await post_form(client, "/manage/lottery/rounds/999/dates", data)).status_code == 404


async def test_only_managers_reach_the_lottery_management(client, center):
    await login(client, "desk1")
    assert (await client.get("/manage/lottery")).status_code == 403
    assert (await post_form(client, f"/manage/lottery/rounds/{center['round']}/draw")).status_code == 403
    client.cookies.clear()
    await login(client, "member1")
    assert (await client.get(f"/manage/lottery/rounds/{center['round']}")).status_code == 403
    assert (await LotteryRound.select().first())["status"] == "open"


async def test_first_come_requests_for_the_lottery_month_are_refused_in_the_users_language(client, center):
    await login(client, "member1")
    response = await post_form(
        client,
        "/bookings/new",
        {
            "group": str(center["group"]),
            "room": "hall",
            "day": center["day"].isoformat(),
            "slots": "afternoon",
            "purpose": "会議",
            "expected_head_count": "10",
            "action": "request",
        },
    )
    assert response.status_code == 400
    assert "抽選" in text_of(response.text)
    assert await Booking.count() == 0
