"""The public month calendar: holidays from the holidays library, closed days (including the
yearly 12/29–1/3 across the new year), weekly closing, public events, and an accessible table."""

from datetime import UTC, date, datetime, time

import pytest

from bookings.tables import Booking
from center.accounts.actors import ActorRef
from center.lib.dates import local_instant
from center.places.tables import OpeningHours
from tests.center.places_support import make_closed, make_profile, make_room, open_every_day
from tests.helpers import make_group, post_form, text_of

pytestmark = pytest.mark.anyio


async def _cell(client, month: str, day: str) -> str:
    """The visible text of one day's cell, found by its screen-reader date."""
    html = (await client.get("/calendar", params={"month": month})).text
    start = html.index(f'<span class="visually-hidden">{day}</span>')
    return text_of(html[start : html.index("</td>", start)])


async def test_month_heading_is_in_the_japanese_era_with_prev_and_next_links(client):
    await open_every_day()
    response = await client.get("/calendar", params={"month": "2026-11"})
    assert response.status_code == 200
    assert "開館カレンダー　令和8年11月" in response.text
    assert response.text.count("<h1") == 1
    assert 'href="/calendar?month=2026-10"' in response.text and "前の月（令和8年10月）" in response.text
    assert 'href="/calendar?month=2026-12"' in response.text


async def test_calendar_table_has_caption_weekday_headers_and_full_dates(client):
    await open_every_day()
    html = (await client.get("/calendar", params={"month": "2026-11"})).text
    assert "<caption>令和8年11月の開館日と公開行事</caption>" in html
    assert '<th scope="col" class="month__weekday month__weekday--6">日曜日</th>' in html
    assert html.count('<th scope="col" class="month__weekday') == 7
    assert '<span class="visually-hidden">令和8年11月26日(木)</span>' in html


async def test_public_holidays_are_named_including_substitute_holidays(client):
    await open_every_day()
    assert "文化の日" in await _cell(client, "2026-11", "令和8年11月3日(火)")
    may_6 = await _cell(client, "2026-05", "令和8年5月6日(水)")
    assert "振替休日" in may_6
    assert "開館 9:00–21:00" in may_6  # the center opens on holidays unless the profile says so


async def test_holidays_close_the_center_when_the_profile_says_so(client):
    await open_every_day()
    await make_profile(holidays_closed=True)
    cell = await _cell(client, "2026-11", "令和8年11月3日(火)")
    assert "休館: 祝日休館" in cell and "文化の日" in cell


async def test_yearly_closed_days_wrap_across_the_new_year(client):
    await open_every_day()
    await make_closed(
        date(2025, 12, 29), date(2026, 1, 3), "年末年始", yearly=True, reason_en="New Year holidays"
    )
    assert "休館: 年末年始" in await _cell(client, "2026-12", "令和8年12月29日(火)")
    assert "休館: 年末年始" in await _cell(client, "2027-01", "令和9年1月3日(日)")
    new_year = await _cell(client, "2027-01", "令和9年1月1日(金)")
    assert "元日" in new_year and "休館" in new_year
    assert "開館 9:00–21:00" in await _cell(client, "2027-01", "令和9年1月4日(月)")
    assert "開館" in await _cell(client, "2026-12", "令和8年12月28日(月)")


async def test_weekly_closing_day_and_one_off_closure_are_written_out(client):
    await open_every_day()
    await OpeningHours.update({OpeningHours.closed: True}).where(OpeningHours.weekday == 0)
    await make_closed(date(2026, 11, 18), date(2026, 11, 18), "設備点検")
    assert "休館: 定休日" in await _cell(client, "2026-11", "令和8年11月16日(月)")
    assert "休館: 設備点検" in await _cell(client, "2026-11", "令和8年11月18日(水)")


async def test_approved_public_events_appear_on_their_day_and_private_ones_do_not(client):
    await open_every_day()
    room = await make_room()
    group = await make_group("苫小牧健康体操の会")
    now = datetime.now(UTC)
    day = date(2026, 11, 26)
    for title, public, status, start in [
        ("みんなの体操教室", True, "approved", time(10)),
        ("内部打合せ", False, "approved", time(13)),
        ("申請中の講演会", True, "requested", time(18)),
    ]:
        await Booking.insert(
            Booking(
                group=group,
                room=room,
                starts_at=local_instant(day, start),
                ends_at=local_instant(day, time(start.hour + 2)),
                purpose=title,
                public=public,
                public_title=title,
                status=status,
                created_at=now,
                updated_at=now,
            )
        )
    cell = await _cell(client, "2026-11", "令和8年11月26日(木)")
    assert "10:00–12:00 みんなの体操教室 (第1会議室)" in cell
    assert "内部打合せ" not in cell and "申請中の講演会" not in cell


async def test_calendar_in_english(client):
    await open_every_day()
    await post_form(client, "/lang", {"lang": "en", "next": "/"})
    html = (await client.get("/calendar", params={"month": "2026-11"})).text
    assert "calendar: November 2026" in html and "Sun" in html
    assert "Culture Day" in html


async def test_a_bad_month_is_a_400_page_in_japanese(client):
    response = await client.get("/calendar", params={"month": "2026-13"})
    assert response.status_code == 400
    assert "月は「2026-11」のように年-月で指定してください" in response.text


async def test_screenings_and_flower_bed_days_appear_with_their_cancellations_and_postponements(client):
    from datetime import timedelta

    from center.lib.dates import format_date, today
    from center.programmes import flowerbeds, screenings
    from center.programmes.tables import Video

    await open_every_day()
    room = await make_room()
    video_id = await screenings.add_video(
        {"title": "いすに座って簡単体操", "minutes": 20, "level": "seated", "trains": "", "staff_notes": ""},
        actor=ActorRef(),
    )
    video = await Video.select().where(Video.id == video_id).first()
    day = today() + timedelta(days=3)
    await screenings.add_single(video, {"id": room}, day, time(10), ActorRef())
    dropped = await screenings.add_single(video, {"id": room}, day, time(14), ActorRef())
    await screenings.cancel(dropped, ActorRef(), "機器の故障")
    plan = {
        "title_ja": "花壇の雪囲い",
        "title_en": "Snow fences",
        "starts": time(9, 30),
        "ends": time(11, 30),
        "capacity": 10,
        "rain_plan": "cancel",
        "rain_date": None,
        "beds": "",
        "meeting_point": "正面玄関前",
        "bring": "",
        "description": "",
    }
    planted = today() + timedelta(days=4)
    await flowerbeds.plan_day({**plan, "day": planted})
    rained = await flowerbeds.plan_day(
        {**plan, "title_ja": "チューリップ植え", "day": today() + timedelta(days=5)}
    )
    moved_to = today() + timedelta(days=6)
    await flowerbeds.postpone_day(rained, moved_to, "雨のため", actor=ActorRef())

    async def cell(on) -> str:
        return await _cell(client, f"{on.year:04d}-{on.month:02d}", format_date(on))

    screening_day = await cell(day)
    assert "10:00–10:20 簡単体操の上映 いすに座って簡単体操 (第1会議室)" in screening_day
    assert "14:00–14:20 簡単体操の上映 いすに座って簡単体操 (第1会議室) ✕ 中止" in screening_day
    assert "9:30–11:30 花壇づくり 花壇の雪囲い (正面玄関前)" in await cell(planted)
    old_day = await cell(moved_to - timedelta(days=1))
    assert f"チューリップ植え (正面玄関前) ↻ {format_date(moved_to)}に順延" in old_day
    assert "チューリップ植え (正面玄関前) ↻" in await cell(moved_to)
    html = (await client.get("/calendar", params={"month": f"{planted.year:04d}-{planted.month:02d}"})).text
    assert f'href="/flowerbeds/{rained}"' in html or planted.month != moved_to.month
