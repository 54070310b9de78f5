"""Recurring series through the web: the form, the preview (a GET that writes nothing), booking the
free dates, the series page, cancelling, staff booking for a group, who may see what, and bad input."""

from datetime import timedelta

import pytest

from bookings.fees import ensure_default_rules
from bookings.rules import BookingRequest
from bookings.service import ensure_default_refund_rules, request_booking
from bookings.tables import Booking, BookingSeries
from center.accounts.actors import ActorRef
from center.accounts.tables import AuditEntry
from center.ledger.tables import Hold
from center.lib.dates import today
from center.notices.tables import Notice
from tests.helpers import login, make_calendar, make_group, make_room, make_user, post_form, text_of
from tests.snapshots import snapshot_fixture

pytestmark = pytest.mark.anyio

FEES = {"morning": (600, 200), "afternoon": (800, 250), "evening": (800, 250)}


@pytest.fixture
@snapshot_fixture
async def center(db):
    slots = await make_calendar(heating=(1, 12))
    await ensure_default_rules()
    await ensure_default_refund_rules()
    room = await make_room(code="hall", name_ja="多目的ホール", capacity=100, fees=FEES, slot_ids=slots)
    member = await make_user("member1")
    other_member = await make_user("member2")
    group = await make_group("子育てサークルひまわり", members=(member,))
    other = await make_group("水彩画同好会", members=(other_member,))
    await make_user("desk1", ("front_desk",))
    await make_user("fac1", ("facilities",))
    return {"room": room, "group": group, "other": other, "start": today() + timedelta(days=7)}


def params(center, **changes):
    start = center["start"]
    values = {
        "group": str(center["group"]),
        "room": "hall",
        "pattern": "weekly",
        "weekday": str(start.weekday()),
        "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(weeks=3)).isoformat(),
        "slots": ["morning"],
        "purpose": "子育て相談会",
        "expected_head_count": "12",
        "contact_name": "日向 葵",
        "contact_phone": "0144-11-2222",
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


async def book_other(center, day):
    request = BookingRequest(
        room_id=center["room"], day=day, slot_codes=["morning"], purpose="練習会", expected_head_count=10
    )
    return await request_booking(request, center["other"], ActorRef(None, "system", staff=True))


async def nothing_written() -> bool:
    return await BookingSeries.count() == 0 and await Booking.count().where(Booking.series.is_not_null()) == 0


async def test_the_form_opens_for_a_member_with_their_group(client, center):
    await login(client, "member1")
    response = await client.get("/bookings/series/new")
    assert response.status_code == 200
    page = text_of(response.text)
    assert "繰り返し予約をする" in page and "子育てサークルひまわり" in page and "毎週" in page
    assert 'action="/bookings/series/preview"' in response.text


async def test_the_preview_lists_every_date_with_its_status_and_writes_nothing(client, center):
    taken = center["start"] + timedelta(weeks=1)
    await book_other(center, taken)
    await login(client, "member1")
    response = await client.get("/bookings/series/preview", params=params(center))
    assert response.status_code == 200, text_of(response.text)[:800]
    page = text_of(response.text)
    assert "全4回のうち3回が空いています" in page
    assert "予約済み 他の団体の予約" in page  # the other group's private booking: no purpose, no group name
    assert "練習会" not in page and "水彩画同好会" not in page
    assert response.text.count('name="dates"') == 3
    assert f'value="{taken.isoformat()}"' not in response.text
    assert await nothing_written()
    assert await Hold.count() == 1


async def test_booking_the_free_dates_redirects_to_the_series_page(client, center):
    taken = center["start"] + timedelta(weeks=1)
    await book_other(center, taken)
    await login(client, "member1")
    free = [center["start"] + timedelta(weeks=n) for n in (0, 2, 3)]
    response = await post_form(
        client, "/bookings/series/new", {**params(center), "dates": [d.isoformat() for d in free]}
    )
    assert response.status_code == 303, text_of(response.text)[:800]
    series_row = await BookingSeries.select().first()
    assert response.headers["location"] == f"/bookings/series/{series_row['id']}"
    rows = await Booking.select().where(Booking.series == series_row["id"]).order_by(Booking.starts_at)
    assert [row["occurrence_on"] for row in rows] == free
    assert await Hold.count().where(Hold.active == True) == 4
    page = text_of((await client.get(response.headers["location"])).text)
    assert "毎週" in page and page.count("仮予約（承認待ち）") >= 3 and "予約なし" in page
    assert await Notice.count().where(Notice.kind == "series.request") == 1


async def test_a_member_may_book_only_some_of_the_free_dates(client, center):
    await login(client, "member1")
    chosen = [center["start"] + timedelta(weeks=1)]
    response = await post_form(
        client, "/bookings/series/new", {**params(center), "dates": [d.isoformat() for d in chosen]}
    )
    assert response.status_code == 303
    notice = await Notice.select().where(Notice.kind == "series.request").first()
    assert "選択されませんでした" in notice["body_ja"]
    assert await Booking.count() == 1


async def test_a_date_taken_after_the_preview_books_nothing_and_is_listed(client, center):
    await login(client, "member1")
    dates = [center["start"] + timedelta(weeks=n) for n in range(4)]
    await book_other(center, dates[2])
    response = await post_form(
        client, "/bookings/series/new", {**params(center), "dates": [d.isoformat() for d in dates]}
    )
    assert response.status_code == 409
    assert 'role="alert"' in response.text
    page = text_of(response.text)
    assert "予約はまだ行っていません" in page
    assert f'href="#date-{dates[2].isoformat()}"' in response.text
    # The member's other choices stay ticked for the next try.
    assert response.text.count("checked") == 3
    assert await nothing_written()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends_on": "2020-01-01"}, "ends_on", "最終日は開始日と同じか"),
        ({"starts_on": "2026-13-45"}, "starts_on", "2026-12-01"),
        ({"ends_on": "来週"}, "ends_on", "2026-12-01"),
        ({"pattern": "daily"}, "pattern", "繰り返し方を選んでください"),
        ({"weekday": "9"}, "weekday", "曜日を選んでください"),
        ({"pattern": "monthly", "nth": "6"}, "nth", "第何週かを選んでください"),
        ({"purpose": ""}, "purpose", "利用目的"),
        ({"expected_head_count": "500"}, "expected_head_count", "100人"),
        ({"slots": []}, "slots", "区分を1つ以上"),
        ({"group": "999"}, "group", "団体"),
        ({"room": "nowhere"}, "room", "部屋"),
    ],
)
async def test_bad_input_is_refused_in_japanese_and_writes_nothing(client, center, changes, field, message):
    await login(client, "member1")
    response = await client.get("/bookings/series/preview", params=params(center, **changes))
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.text
    assert message in text_of(response.text)
    response = await post_form(
        client, "/bookings/series/new", {**params(center, **changes), "dates": [center["start"].isoformat()]}
    )
    assert response.status_code == 400
    assert message in text_of(response.text)
    assert await nothing_written()


async def test_more_than_a_year_or_sixty_dates_is_refused(client, center):
    await login(client, "member1")
    start = center["start"]
    too_long = params(center, ends_on=(start + timedelta(days=400)).isoformat())
    response = await client.get("/bookings/series/preview", params=too_long)
    assert response.status_code == 400 and "最長1年" in text_of(response.text)
    assert await nothing_written()


async def test_unknown_or_malformed_chosen_dates_are_refused(client, center):
    await login(client, "member1")
    for dates in (["2026-02-30"], [(center["start"] + timedelta(days=1)).isoformat()], []):
        response = await post_form(client, "/bookings/series/new", {**params(center), "dates": dates})
        assert response.status_code == 400
        assert "日" in text_of(response.text)
    assert await nothing_written()


async def series_of(client, center, weeks=4):
    dates = [center["start"] + timedelta(weeks=n) for n in range(weeks)]
    response = await post_form(
        client,
        "/bookings/series/new",
        {
            **params(center, ends_on=dates[-1].isoformat()),
            "dates": [d.isoformat() for d in dates],
        },
    )
    assert response.status_code == 303, text_of(response.text)[:600]
    return int(response.headers["location"].rsplit("/", 1)[1]), dates


async def test_a_member_cancels_one_date_after_confirming(client, center):
    await login(client, "member1")
    series_id, dates = await series_of(client, center)
    booking = await Booking.select().where(Booking.occurrence_on == dates[1]).first()
    confirm = await client.get(f"/bookings/series/{series_id}/cancel", params={"booking": booking["id"]})
    assert confirm.status_code == 200 and "取り消す日" in text_of(confirm.text)
    response = await post_form(
        client, f"/bookings/series/{series_id}/cancel", {"booking": str(booking["id"])}
    )
    assert response.status_code == 303
    statuses = [row["status"] for row in await Booking.select().order_by(Booking.starts_at)]
    assert statuses == ["requested", "cancelled", "requested", "requested"]


async def test_a_member_cancels_every_date_from_a_day_on(client, center):
    await login(client, "member1")
    series_id, dates = await series_of(client, center)
    confirm = await client.get(f"/bookings/series/{series_id}/cancel", params={"from": dates[2].isoformat()})
    assert confirm.status_code == 200
    assert confirm.text.count('<tr><th scope="row">') == 2
    response = await post_form(client, f"/bookings/series/{series_id}/cancel", {"from": dates[2].isoformat()})
    assert response.status_code == 303
    statuses = [row["status"] for row in await Booking.select().order_by(Booking.starts_at)]
    assert statuses == ["requested", "requested", "cancelled", "cancelled"]
    assert await Hold.count().where(Hold.active == True) == 2


async def test_a_cancel_with_a_bad_date_is_refused_and_changes_nothing(client, center):
    await login(client, "member1")
    series_id, dates = await series_of(client, center, weeks=2)
    for value in ("", "not-a-date", (dates[-1] + timedelta(days=30)).isoformat()):
        response = await post_form(client, f"/bookings/series/{series_id}/cancel", {"from": value})
        assert response.status_code == 400
    response = await post_form(client, f"/bookings/series/{series_id}/cancel", {"booking": "999999"})
    assert response.status_code == 404
    assert await Booking.count().where(Booking.status == "cancelled") == 0


async def test_other_members_and_facilities_staff_do_not_see_a_series(client, center):
    await login(client, "member1")
    series_id, _dates = await series_of(client, center, weeks=2)
    await client.post("/logout", data={"_csrf_token": client.cookies.get("csrftoken")})
    for user in ("member2", "fac1"):
        client.cookies.clear()
        await login(client, user)
        assert (await client.get(f"/bookings/series/{series_id}")).status_code == 404
        assert (await client.get(f"/bookings/series/{series_id}/cancel")).status_code == 404
        response = await post_form(
            client, f"/bookings/series/{series_id}/cancel", {"from": today().isoformat()}
        )
        assert response.status_code == 404
    client.cookies.clear()
    await login(client, "member2")
    listing = text_of((await client.get("/bookings/series")).text)
    assert "子育て相談会" not in listing
    assert await Booking.count().where(Booking.status == "cancelled") == 0


async def test_a_member_cannot_book_for_another_group(client, center):
    await login(client, "member1")
    response = await client.get("/bookings/series/preview", params=params(center, group=str(center["other"])))
    assert response.status_code == 400
    assert await nothing_written()


async def test_the_front_desk_books_for_a_group_with_an_override_and_moves_a_date(client, center):
    await login(client, "desk1")
    form = await client.get("/manage/bookings/series/new")
    assert form.status_code == 200 and "水彩画同好会" in form.text and "override_reason" in form.text
    soon = today() + timedelta(days=1)
    values = params(
        center,
        group=str(center["other"]),
        starts_on=soon.isoformat(),
        ends_on=(soon + timedelta(weeks=1)).isoformat(),
        weekday=str(soon.weekday()),
    )
    without = await client.get("/manage/bookings/series/preview", params=values)
    assert without.status_code == 200 and without.text.count('name="dates"') == 1  # tomorrow: too soon
    values["override_reason"] = "電話で受付(所長了承)"
    preview = await client.get("/manage/bookings/series/preview", params=values)
    assert preview.text.count('name="dates"') == 2
    response = await post_form(
        client,
        "/manage/bookings/series/new",
        {**values, "dates": [soon.isoformat(), (soon + timedelta(weeks=1)).isoformat()]},
    )
    assert response.status_code == 303, text_of(response.text)[:600]
    rows = await Booking.select().order_by(Booking.starts_at)
    assert [row["group"] for row in rows] == [center["other"]] * 2
    assert all(row["override_reason"] == "電話で受付(所長了承)" for row in rows)
    audit = await AuditEntry.select().where(AuditEntry.entity == "booking_series").first()
    assert audit["note"] == "電話で受付(所長了承)"
    detail = await client.get(response.headers["location"])
    assert f"/manage/bookings/{rows[0]['id']}/move" in detail.text
    assert "/manage/bookings/series" in detail.text


async def test_staff_must_give_a_reason_to_cancel(client, center):
    await login(client, "member1")
    series_id, dates = await series_of(client, center, weeks=2)
    client.cookies.clear()
    await login(client, "desk1")
    response = await post_form(client, f"/bookings/series/{series_id}/cancel", {"from": dates[0].isoformat()})
    assert response.status_code == 400 and 'id="reason-error"' in response.text
    response = await post_form(
        client, f"/bookings/series/{series_id}/cancel", {"from": dates[0].isoformat(), "reason": "施設の都合"}
    )
    assert response.status_code == 303
    assert (await BookingSeries.select().first())["status"] == "cancelled"


async def test_visitors_are_asked_to_log_in(client, center):
    for path in (
        "/bookings/series/new",
        "/bookings/series/preview",
        "/bookings/series",
        "/bookings/series/1",
    ):
        response = await client.get(path)
        assert response.status_code in (302, 303, 401), path


async def test_the_lists_show_series_to_their_group_and_to_staff(client, center):
    await login(client, "member1")
    await series_of(client, center, weeks=2)
    listing = await client.get("/bookings/series")
    assert listing.status_code == 200 and "子育て相談会" in text_of(listing.text)
    client.cookies.clear()
    await login(client, "desk1")
    staff = await client.get("/manage/bookings/series")
    assert staff.status_code == 200 and "子育てサークルひまわり" in text_of(staff.text)


async def test_the_desk_preview_names_the_group_and_booking_in_the_way(client, center):
    taken = center["start"] + timedelta(weeks=1)
    other_booking = await book_other(center, taken)
    own = await request_booking(
        BookingRequest(
            room_id=center["room"],
            day=center["start"] + timedelta(weeks=2),
            slot_codes=["morning"],
            purpose="定例会",
            expected_head_count=10,
        ),
        center["group"],
        ActorRef(None, "system", staff=True),
    )
    await login(client, "desk1")
    response = await client.get("/manage/bookings/series/preview", params=params(center))
    assert response.status_code == 200, text_of(response.text)[:800]
    page = text_of(response.text)
    assert f"水彩画同好会（予約No.{other_booking}：練習会）" in page
    assert "この団体の予約：定例会" in page and own
    assert "あなたの団体" not in page


async def test_a_member_preview_names_a_public_event_by_its_title_and_their_own_booking_as_theirs(
    client, center
):
    from bookings.service import approve

    public = await request_booking(
        BookingRequest(
            room_id=center["room"],
            day=center["start"] + timedelta(weeks=1),
            slot_codes=["morning"],
            purpose="練習会",
            expected_head_count=10,
            public=True,
            public_title="水彩画展",
        ),
        center["other"],
        ActorRef(None, "system", staff=True),
    )
    await approve(public, ActorRef(None, "system", staff=True))
    await request_booking(
        BookingRequest(
            room_id=center["room"],
            day=center["start"] + timedelta(weeks=2),
            slot_codes=["morning"],
            purpose="定例会",
            expected_head_count=10,
        ),
        center["group"],
        ActorRef(None, "system", staff=True),
    )
    await login(client, "member1")
    page = text_of((await client.get("/bookings/series/preview", params=params(center))).text)
    assert "水彩画展" in page and "あなたの団体の予約：定例会" in page
    assert "水彩画同好会" not in page and "練習会" not in page


async def booked_series(client, center) -> list[int]:
    await login(client, "member1")
    days = [center["start"] + timedelta(weeks=n) for n in range(4)]
    response = await post_form(
        client, "/bookings/series/new", {**params(center), "dates": [d.isoformat() for d in days]}
    )
    assert response.status_code == 303, text_of(response.text)[:600]
    rows = await Booking.select(Booking.id).where(Booking.series.is_not_null()).order_by(Booking.starts_at)
    return [row["id"] for row in rows]


async def test_a_member_moves_one_date_and_sees_the_fee_difference_before_confirming(client, center):
    ids = await booked_series(client, center)
    target = ids[1]
    before = await Booking.select().where(Booking.id == target).first()
    new_day = center["start"] + timedelta(weeks=1, days=1)
    check = await client.get(
        f"/bookings/{target}/move", params={"check": "1", "day": new_day.isoformat(), "slots": ["afternoon"]}
    )
    assert check.status_code == 200, text_of(check.text)[:600]
    page = text_of(check.text)
    # morning (600 + heating 200) -> afternoon (800 + heating 250): ¥250 more
    assert "現在の料金 ¥800" in page and "変更後の料金 ¥1,050" in page and "¥250の追加のお支払い" in page
    unchanged = await Booking.select().where(Booking.id == target).first()
    assert unchanged["starts_at"] == before["starts_at"]  # checking wrote nothing
    moved = await post_form(
        client, f"/bookings/{target}/move", {"day": new_day.isoformat(), "slots": ["afternoon"]}
    )
    assert moved.status_code == 303
    after = await Booking.select().where(Booking.id == target).first()
    assert dates_local(after["starts_at"]) == (new_day, "13:00")
    assert after["fee_total"] == 1050 and after["status"] == "requested" and after["lapses_at"] is not None
    hold = await Hold.select().where(Hold.id == after["hold"]).first()
    assert hold["starts_at"] == after["starts_at"] and hold["active"]
    detail = text_of((await client.get(f"/bookings/{target}")).text)
    assert "日程を変更しました" in detail


def dates_local(instant):
    from center.lib.dates import to_local

    local = to_local(instant)
    return local.date(), f"{local:%H:%M}"


async def test_a_member_cannot_move_a_date_onto_a_taken_slot_and_nothing_changes(client, center):
    ids = await booked_series(client, center)
    taken = center["start"] + timedelta(weeks=1, days=2)
    await book_other(center, taken)
    before = await Booking.select().where(Booking.id == ids[0]).first()
    response = await post_form(
        client, f"/bookings/{ids[0]}/move", {"day": taken.isoformat(), "slots": ["morning"]}
    )
    assert response.status_code in (400, 409)
    after = await Booking.select().where(Booking.id == ids[0]).first()
    assert after["starts_at"] == before["starts_at"] and after["fee_total"] == before["fee_total"]


async def test_a_member_cannot_move_inside_the_online_request_window_or_another_groups_date(client, center):
    ids = await booked_series(client, center)
    too_soon = today() + timedelta(days=1)
    response = await client.get(
        f"/bookings/{ids[0]}/move", params={"check": "1", "day": too_soon.isoformat(), "slots": ["morning"]}
    )
    assert response.status_code == 400
    assert "日前" in text_of(response.text)
    await login(client, "member2")
    assert (await client.get(f"/bookings/{ids[0]}/move")).status_code in (400, 404)
