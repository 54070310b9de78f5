"""The one helper that assembles a VCALENDAR, and the conditional-GET rule (no database)."""

from datetime import UTC, date, datetime

from center.shell.feeds.calendars import FeedEvent, build_calendar, etag_of, http_date, not_modified
from tests.feeds_support import icaljs, parse

STAMP = datetime(2026, 11, 20, 3, 4, 5, 123456, tzinfo=UTC)


def _events() -> list[FeedEvent]:
    return [
        FeedEvent(
            kind="booking",
            ref="7",
            summary="健康体操のつどい" * 6,  # long Japanese text: folded on UTF-8 boundaries
            starts=datetime(2026, 12, 1, 1, 0, tzinfo=UTC),
            ends=datetime(2026, 12, 1, 3, 0, tzinfo=UTC),
            updated_at=STAMP,
            sequence=2,
            location="会議室1, 苫小牧市市民活動センター",
        ),
        FeedEvent(
            kind="ticket",
            ref="3",
            summary="期限: 照明交換",
            starts=date(2026, 12, 5),
            ends=date(2026, 12, 6),
            updated_at=STAMP,
            status="CANCELLED",
        ),
    ]


def test_the_calendar_is_valid_folded_crlf_text_without_method():
    body = build_calendar("テスト", _events(), host="center.example")
    lines = body.split(b"\r\n")
    assert body.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert b"METHOD" not in body
    calendar = parse(body)
    event = next(e for e in calendar.walk("VEVENT") if str(e["UID"]) == "booking-7@center.example")
    assert str(event["SUMMARY"]) == "健康体操のつどい" * 6
    assert event.decoded("DTSTAMP") == STAMP.replace(microsecond=0)
    assert event.decoded("LAST-MODIFIED") == STAMP.replace(microsecond=0)
    assert str(event["DTSTART"].params["TZID"]) == "Asia/Tokyo" and event.decoded("DTSTART").hour == 10
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in body and b"\r\nX-WR-TIMEZONE:Asia/Tokyo\r\n" in body
    parsed = icaljs(body)
    assert parsed["version"] == "2.0" and parsed["name"] == "テスト"
    assert {e["uid"]: e["all_day"] for e in parsed["events"]} == {
        "booking-7@center.example": False,
        "ticket-3@center.example": True,
    }


def test_the_same_records_give_the_same_bytes_whatever_their_order():
    events = _events()
    assert build_calendar("x", events, host="h") == build_calendar("x", list(reversed(events)), host="h")


def test_if_none_match_decides_before_if_modified_since():
    body = build_calendar("x", _events(), host="h")
    etag, modified = etag_of(body), STAMP
    assert not_modified(etag, modified, etag, None)
    assert not_modified(etag, modified, f'"other", W/{etag}', None)
    assert not not_modified(etag, modified, '"other"', http_date(modified))
    assert not_modified(etag, modified, None, http_date(modified))
    assert not not_modified(etag, modified, None, "Thu, 01 Jan 2026 00:00:00 GMT")
    assert not not_modified(etag, modified, None, "garbage")


def test_a_remembered_feed_is_the_same_text_and_a_change_is_not_served_stale():
    from dataclasses import replace

    from center.shell.feeds.calendars import RENDERED, render_calendar

    RENDERED.clear()
    events = _events()
    first = render_calendar("x", events, host="h")
    assert render_calendar("x", list(events), host="h") == first == build_calendar("x", events, host="h")
    changed = [replace(events[0], sequence=3), events[1]]
    assert b"SEQUENCE:3" in render_calendar("x", changed, host="h")
