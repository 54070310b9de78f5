"""Exercise-video screenings: recurring rules that skip closed days and holidays, ledger holds
without double-holding, clashes shown before saving, single screenings, attendance, signage."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from center.accounts.actors import ActorRef
from center.ledger.service import HoldConflict, take_hold
from center.ledger.tables import Hold
from center.lib.dates import is_holiday, local_instant, today
from center.lib.errors import ValidationFailed
from center.places.tables import ClosedDay
from center.programmes import screenings
from center.programmes.tables import Screening, Video
from tests.helpers import login, make_calendar, make_room, make_user, post_form

pytestmark = pytest.mark.anyio


async def _setup() -> tuple[dict, dict]:
    await make_calendar()
    room_id = await make_room("hall", "多目的ホール")
    video_id = await screenings.add_video(
        {
            "title": "いすに座って簡単体操",
            "minutes": 20,
            "level": "seated",
            "trains": "肩・腰",
            "staff_notes": "",
        },
        actor=ActorRef(),
    )
    video = await Video.select().where(Video.id == video_id).first()
    room = {"id": room_id}
    return video, room


def _next(weekday: int, after: date) -> date:
    """The first such weekday on or after `after` that is no public holiday, nor a week later (the
    tests' series run for a week or two, whenever the suite runs)."""
    day = after + timedelta(days=(weekday - after.weekday()) % 7)
    while is_holiday(day) or is_holiday(day + timedelta(days=7)):
        day += timedelta(days=7)
    return day


async def test_a_series_skips_the_year_end_closure_and_a_holiday(db):
    video, room = await _setup()
    await ClosedDay.insert(
        ClosedDay(
            starts_on=date(2026, 12, 29),
            ends_on=date(2027, 1, 3),
            yearly=True,
            reason_ja="年末年始",
            reason_en="Year end",
        )
    )
    rule = {
        "video": video,
        "room": room,
        "weekdays": [0, 2, 4],
        "times": [time(10), time(14)],
        "starts_on": date(2026, 12, 28),
        "ends_on": date(2027, 1, 15),
    }
    occurrences = await screenings.expand(rule)
    status = {(o.day, o.at): o.status for o in occurrences}
    assert status[(date(2026, 12, 28), time(10))] == "free"
    assert status[(date(2026, 12, 30), time(10))] == "closed"  # 年末年始
    assert status[(date(2027, 1, 11), time(14))] == "holiday"  # 成人の日
    _, created, skipped = await screenings.create_rule(rule, actor=ActorRef())
    assert created == sum(1 for o in occurrences if o.status == "free")
    held = await Hold.select().where((Hold.kind == "screening") & (Hold.active == True))
    assert len(held) == created == await Screening.count()
    assert {o.status for o in skipped} == {"closed", "holiday"}


async def test_a_booked_time_is_shown_as_a_clash_and_is_not_double_held(db):
    video, room = await _setup()
    day = _next(0, today() + timedelta(days=7))
    await take_hold(
        room["id"], local_instant(day, time(9, 30)), local_instant(day, time(12)), "booking", label="体操教室"
    )
    rule = {
        "video": video,
        "room": room,
        "weekdays": [0],
        "times": [time(10)],
        "starts_on": day,
        "ends_on": day + timedelta(days=7),
    }
    occurrences = await screenings.expand(rule)
    assert [o.status for o in occurrences] == ["clash", "free"]
    assert occurrences[0].conflicts[0].label == "体操教室"
    _, created, _ = await screenings.create_rule(rule, actor=ActorRef())
    assert created == 1 and await Screening.count() == 1


async def test_a_screening_outside_opening_hours_is_refused_and_changes_nothing(db):
    video, room = await _setup()
    day = today() + timedelta(days=3)
    rule = {
        "video": video,
        "room": room,
        "weekdays": [day.weekday()],
        "times": [time(20, 50)],
        "starts_on": day,
        "ends_on": day,
    }
    with pytest.raises(ValidationFailed) as invalid:
        await screenings.expand(rule)
    assert "outside opening hours" in invalid.value.errors["times"]
    with pytest.raises(ValidationFailed):
        await screenings.add_single(video, room, day, time(7), actor=ActorRef())
    assert await Screening.count() == 0 and await Hold.count() == 0


async def test_single_screenings_are_added_moved_and_cancelled_through_the_ledger(db):
    video, room = await _setup()
    day = today() + timedelta(days=3)
    screening_id = await screenings.add_single(video, room, day, time(10), actor=ActorRef())
    with pytest.raises(HoldConflict):
        await screenings.add_single(video, room, day, time(10, 10), actor=ActorRef())
    await screenings.move(screening_id, room["id"], day, time(15), actor=ActorRef())
    hold = await Hold.select().where(Hold.ref == screening_id).first()
    assert hold["starts_at"] == local_instant(day, time(15))
    await screenings.cancel(screening_id, actor=ActorRef())
    assert not (await Hold.select().where(Hold.ref == screening_id).first())["active"]
    assert await Screening.count() == 1  # cancelled, kept as history


async def test_attendance_feeds_the_monthly_figure(db):
    video, room = await _setup()
    now = datetime.now(UTC)
    rows = await Screening.insert(
        Screening(
            video=video["id"],
            room=room["id"],
            starts_at=now - timedelta(hours=2),
            ends_at=now - timedelta(hours=1),
            status="scheduled",
            created_at=now,
            updated_at=now,
        )
    ).returning(Screening.id)
    await screenings.record_attendance(rows[0]["id"], 12, actor=ActorRef())
    figures = await screenings.monthly_figures()
    local = (now - timedelta(hours=2)).astimezone(__import__("center.lib.dates", fromlist=["TOKYO"]).TOKYO)
    this_month = next(m for m in figures if (m["year"], m["month"]) == (local.year, local.month))
    assert (this_month["held"], this_month["people"]) == (1, 12)


async def test_the_signage_is_public_and_refreshes_itself(client):
    _video, _room = await _setup()
    response = await client.get("/signage")
    assert response.status_code == 200
    assert 'hx-trigger="every 30s"' in response.text and 'http-equiv="refresh"' in response.text
    assert (await client.get("/signage/panel")).status_code == 200


async def test_staff_preview_shows_clashes_before_saving(client):
    video, room = await _setup()
    day = _next(2, today() + timedelta(days=7))
    await take_hold(
        room["id"], local_instant(day, time(13)), local_instant(day, time(16)), "booking", label="水彩画教室"
    )
    await make_user("desk1", ("front_desk",))
    await login(client, "desk1")
    query = f"preview=1&video={video['id']}&room={room['id']}&weekdays=2&times=14:00"
    query += f"&starts_on={day}&ends_on={day}"
    page = await client.get(f"/manage/screenings/rule?{query}")
    assert page.status_code == 200 and "水彩画教室" in page.text
    assert await Screening.count() == 0
    form = {
        "video": str(video["id"]),
        "room": str(room["id"]),
        "weekdays": "2",
        "times": "14:00",
        "starts_on": str(day),
        "ends_on": str(day),
    }
    response = await post_form(client, "/manage/screenings/rule", form)
    assert response.status_code == 303 and await Screening.count() == 0


async def test_staff_edit_a_video_and_retire_it_from_new_screenings(client, db):
    video, _room = await _setup()
    await make_user("desk1", ("front_desk",))
    await login(client, "desk1")
    page = await client.get(f"/manage/videos/{video['id']}")
    assert page.status_code == 200 and "いすに座って簡単体操" in page.text
    bad = await post_form(
        client, f"/manage/videos/{video['id']}", {"title": "", "minutes": "999", "level": "x"}
    )
    assert bad.status_code == 400
    assert (await Video.select(Video.title).where(Video.id == video["id"]).first())[
        "title"
    ] == "いすに座って簡単体操"
    ok = await post_form(
        client,
        f"/manage/videos/{video['id']}",
        {
            "title": "いすに座って肩の体操",
            "minutes": "15",
            "level": "seated",
            "trains": "肩",
            "staff_notes": "音量は大きめに",
        },
    )
    assert ok.status_code == 303
    edited = await Video.select().where(Video.id == video["id"]).first()
    assert (edited["title"], edited["minutes"], edited["staff_notes"]) == (
        "いすに座って肩の体操",
        15,
        "音量は大きめに",
    )
    retired = await post_form(client, f"/manage/videos/{video['id']}/active", {})
    assert retired.status_code == 303
    assert [v["id"] for v in await screenings.videos()] == []
    listing = await client.get("/manage/screenings")
    assert "使用終了" in listing.text
    await post_form(client, f"/manage/videos/{video['id']}/active", {"active": "on"})
    assert [v["id"] for v in await screenings.videos()] == [video["id"]]
    assert (await client.get("/manage/videos/999")).status_code == 404
