"""The public feeds: every event, screenings, flower-bed days and each room's busy times, read by
icalendar and by ical.js; caching; and nothing private in them."""

import asyncio
from datetime import UTC, datetime, time, timedelta

import pytest

from bookings.service import cancel
from center.accounts.actors import ActorRef
from center.lib.dates import today
from center.programmes import flowerbeds
from center.programmes import screenings as screening_service
from tests.feeds_support import STAFF, booking, events_by_uid, icaljs, parse, screening, small_center
from tests.programmes_support import person, planned_day

pytestmark = pytest.mark.anyio

HOST = "127.0.0.1"


async def test_public_feed_holds_public_bookings_screenings_and_flowerbed_days_for_both_parsers(db, client):
    center = await small_center()
    public_id = await booking(center, public=True, public_title="健康体操のつどい")
    private_id = await booking(center, days_ahead=15, purpose="役員会（非公開）")
    screening_id = await screening(center)
    day_id = await planned_day()

    response = await client.get("/feeds/public.ics")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    uids = set(events_by_uid(response.content))
    assert {
        f"booking-{public_id}@{HOST}",
        f"screening-{screening_id}@{HOST}",
        f"flowerbed-{day_id}@{HOST}",
    } <= uids
    assert f"booking-{private_id}@{HOST}" not in uids
    parsed = icaljs(response.content)
    assert {event["uid"] for event in parsed["events"]} == uids
    assert parsed["method"] is None
    assert parsed["name"] == parsed["x_wr_calname"] == "苫小牧市市民活動センター: 催し"
    assert parsed["timezones"] == ["Asia/Tokyo"]
    assert parsed["refresh_interval"] == "PT1H" and parsed["refresh_value_type"] == "duration"
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in response.content
    assert parsed["published_ttl"] == "PT1H"


async def test_an_event_at_ten_in_tokyo_is_one_o_clock_utc_in_both_parsers(db, client):
    center = await small_center()
    screening_id = await screening(center, at=time(10))

    body = (await client.get("/feeds/screenings.ics")).content

    event = events_by_uid(body)[f"screening-{screening_id}@{HOST}"]
    start = event.decoded("DTSTART")
    assert (start.hour, str(start.tzinfo)) == (10, "Asia/Tokyo")
    assert start.astimezone(UTC).hour == 1
    js = next(e for e in icaljs(body)["events"] if e["uid"] == f"screening-{screening_id}@{HOST}")
    assert js["tzid"] == "Asia/Tokyo"
    assert datetime.fromtimestamp(js["start_utc"], UTC).hour == 1


async def test_public_feeds_show_no_group_contacts_purposes_or_fees(db, client):
    center = await small_center()
    await booking(center, public=True, public_title="公開講座", purpose="秘密の打ち合わせ")
    for path in ("/feeds/public.ics", "/feeds/rooms/meeting1.ics"):
        text = (await client.get(path)).content.decode()
        for secret in ("連絡 花子", "090-1111-2222", "秘密の打ち合わせ", "いきいきサロン", "¥"):
            assert secret not in text, (path, secret)


async def test_room_feed_shows_busy_times_without_titles(db, client):
    center = await small_center()
    booking_id = await booking(center, public=False, purpose="非公開の会議")

    response = await client.get("/feeds/rooms/meeting1.ics")

    events = list(parse(response.content).walk("VEVENT"))
    assert [str(e["SUMMARY"]) for e in events] == ["使用中"]
    assert "非公開の会議" not in response.text
    assert "会議室1" in str(events[0]["LOCATION"]) and "北海道苫小牧市本町1-2-3" in str(events[0]["LOCATION"])
    icaljs(response.content)
    assert booking_id
    assert (await client.get("/feeds/rooms/nosuchroom.ics")).status_code == 404


async def test_a_cancelled_public_booking_stays_in_the_feed_as_cancelled_with_a_higher_sequence(db, client):
    center = await small_center()
    booking_id = await booking(center, public=True, public_title="公開講座")
    uid = f"booking-{booking_id}@{HOST}"
    before = events_by_uid((await client.get("/feeds/public.ics")).content)[uid]

    await cancel(booking_id, STAFF, "講師の都合")

    body = (await client.get("/feeds/public.ics")).content
    after = events_by_uid(body)[uid]
    assert str(after["STATUS"]) == "CANCELLED"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    js = next(e for e in icaljs(body)["events"] if e["uid"] == uid)
    assert js["status"] == "CANCELLED" and js["sequence"] == int(after["SEQUENCE"])


async def test_a_moved_screening_keeps_its_uid_and_raises_its_sequence(db, client):
    center = await small_center()
    screening_id = await screening(center, at=time(10))
    uid = f"screening-{screening_id}@{HOST}"
    first = events_by_uid((await client.get("/feeds/screenings.ics")).content)[uid]

    await screening_service.move(
        screening_id, center["hall"], today() + timedelta(days=6), time(14), actor=ActorRef()
    )

    moved = events_by_uid((await client.get("/feeds/screenings.ics")).content)[uid]
    assert int(moved["SEQUENCE"]) > int(first["SEQUENCE"])
    assert moved.decoded("DTSTART").hour == 14


async def test_a_postponed_flowerbed_day_moves_under_the_same_uid(db, client):
    await small_center()
    day_id = await planned_day(days_ahead=7)
    await flowerbeds.sign_up(day_id, person(1))
    uid = f"flowerbed-{day_id}@{HOST}"
    before = events_by_uid((await client.get("/feeds/flowerbeds.ics")).content)[uid]

    await flowerbeds.postpone_day(day_id, today() + timedelta(days=14), "雨天のため", actor=ActorRef())

    body = (await client.get("/feeds/flowerbeds.ics")).content
    after = events_by_uid(body)[uid]
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after.decoded("DTSTART").date() == today() + timedelta(days=14)
    assert [e["uid"] for e in icaljs(body)["events"]] == [uid]


async def test_an_unchanged_feed_is_byte_identical_and_answers_304(db, client):
    center = await small_center()
    await booking(center, public=True, public_title="公開講座")
    first = await client.get("/feeds/public.ics")
    second = await client.get("/feeds/public.ics")
    assert first.content == second.content
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"') and not etag.startswith("W/")

    by_tag = await client.get("/feeds/public.ics", headers={"If-None-Match": etag})
    by_date = await client.get("/feeds/public.ics", headers={"If-Modified-Since": last_modified})

    assert by_tag.status_code == 304 and by_tag.content == b"" and by_tag.headers["etag"] == etag
    assert by_date.status_code == 304


async def test_if_none_match_wins_over_if_modified_since(db, client):
    center = await small_center()
    await booking(center, public=True, public_title="公開講座")
    first = await client.get("/feeds/public.ics")

    response = await client.get(
        "/feeds/public.ics",
        headers={"If-None-Match": '"stale"', "If-Modified-Since": first.headers["last-modified"]},
    )

    assert response.status_code == 200


async def test_a_change_gives_a_new_etag_and_a_later_last_modified(db, client):
    center = await small_center()
    booking_id = await booking(center, public=True, public_title="公開講座")
    first = await client.get("/feeds/public.ics")
    await cancel(booking_id, STAFF, "中止")

    second = await client.get("/feeds/public.ics", headers={"If-None-Match": first.headers["etag"]})

    assert second.status_code == 200
    assert second.headers["etag"] != first.headers["etag"]
    from email.utils import parsedate_to_datetime

    assert parsedate_to_datetime(second.headers["last-modified"]) >= parsedate_to_datetime(
        first.headers["last-modified"]
    )


async def test_a_booking_leaving_the_public_feed_moves_last_modified_forward(db, client):
    center = await small_center()
    from bookings.tables import Booking

    booking_id = await booking(center, public=True, public_title="公開講座")
    first = await client.get("/feeds/public.ics")
    await asyncio.sleep(1.1)  # HTTP dates count whole seconds
    await Booking.update({Booking.public: False, Booking.updated_at: datetime.now(UTC)}).where(
        Booking.id == booking_id
    )

    second = await client.get(
        "/feeds/public.ics", headers={"If-Modified-Since": first.headers["last-modified"]}
    )

    assert second.status_code == 200
    assert f"booking-{booking_id}@" not in second.text


async def test_the_window_can_be_narrowed_but_not_widened(db, client):
    center = await small_center()
    near = await booking(center, days_ahead=5, public=True, public_title="近い講座")
    far = await booking(center, days_ahead=40, public=True, public_title="遠い講座")
    until = (today() + timedelta(days=10)).isoformat()

    narrow = events_by_uid((await client.get(f"/feeds/public.ics?to={until}")).content)
    wide = await client.get("/feeds/public.ics?from=2000-01-01&to=2100-12-31")

    assert f"booking-{near}@{HOST}" in narrow and f"booking-{far}@{HOST}" not in narrow
    assert wide.status_code == 200 and f"booking-{far}@{HOST}" in events_by_uid(wide.content)
    assert (await client.get("/feeds/public.ics?from=yesterday")).status_code == 400
    # Dates beyond what the calendar can hold are refused, not clamped (center.web.input_bounds).
    assert (await client.get("/feeds/public.ics?from=1990-01-01&to=2999-01-01")).status_code == 400


async def test_english_feeds_use_english_names(db, client):
    center = await small_center()
    await booking(center, public=True, public_title="公開講座")
    body = (await client.get("/feeds/rooms/meeting1.ics?lang=en")).content
    calendar = parse(body)
    assert str(calendar["X-WR-CALNAME"]) == str(calendar["NAME"]) == "Meeting1: busy times"
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Busy"]
    assert (await client.get("/feeds/public.ics?lang=fr")).status_code == 400


async def test_feeds_answer_head_like_get_without_a_body(db, client):
    """Some calendar clients check a subscription with HEAD before fetching it."""
    center = await small_center()
    await booking(center, public=True, public_title="健康体操のつどい")
    got = await client.get("/feeds/public.ics")
    head = await client.head("/feeds/public.ics")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == str(len(got.content))
    conditional = await client.head("/feeds/public.ics", headers={"If-None-Match": got.headers["etag"]})
    assert conditional.status_code == 304
    assert (await client.head("/feeds/rooms/nope.ics")).status_code == 404
    assert (await client.head("/feeds/t/not-a-token.ics")).status_code == 404
