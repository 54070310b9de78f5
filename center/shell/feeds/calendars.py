"""Assemble one VCALENDAR from event records, the same way for every feed.

Every field comes from the records (never from the clock), so an unchanged feed is byte-identical
and its ETag stable: DTSTAMP and LAST-MODIFIED are the record's update time, SEQUENCE is the
record's own counter, UIDs are "<kind>-<id>@<host>". A subscription feed carries no METHOD."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

from icalendar import Calendar, Event, vDuration, vText

from center.lib.dates import TOKYO

PRODID = "-//Tomakomai Civic Activity Center//Calendar feeds//JA"
REFRESH = timedelta(hours=1)
STATUSES = ("TENTATIVE", "CONFIRMED", "CANCELLED")


@dataclass(frozen=True)
class FeedEvent:
    """One VEVENT. `starts`/`ends` are aware datetimes (shown in Asia/Tokyo) or dates (all day)."""

    kind: str
    ref: str
    summary: str
    starts: datetime | date
    ends: datetime | date
    updated_at: datetime
    sequence: int = 0
    status: str = "CONFIRMED"
    location: str = ""
    description: str = ""
    url: str = ""
    created_at: datetime | None = None
    categories: tuple[str, ...] = ()


def uid_for(kind: str, ref: str | int, host: str) -> str:
    """The UID of a record's event: stable for the life of the record."""
    return f"{kind}-{ref}@{host}"


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(microsecond=0)


def _moment(value: datetime | date) -> datetime | date:
    if isinstance(value, datetime):
        return value.astimezone(TOKYO).replace(microsecond=0)
    return value


def _event(record: FeedEvent, host: str) -> Event:
    event = Event()
    event.add("uid", uid_for(record.kind, record.ref, host))
    stamp = _utc(record.updated_at)
    event.add("dtstamp", stamp)
    if record.created_at is not None:
        event.add("created", min(_utc(record.created_at), stamp))
    event.add("last-modified", stamp)
    event.add("sequence", max(0, int(record.sequence)))
    event.add("dtstart", _moment(record.starts))
    event.add("dtend", _moment(record.ends))
    event.add("summary", record.summary)
    if record.status in STATUSES:
        event.add("status", record.status)
    if record.status == "CANCELLED" or record.status == "TENTATIVE":
        event.add("transp", "TRANSPARENT")
    if record.location:
        event.add("location", record.location)
    if record.description:
        event.add("description", record.description)
    if record.url:
        event.add("url", record.url)
    if record.categories:
        event.add("categories", list(record.categories))
    return event


def build_calendar(
    name: str,
    events: Iterable[FeedEvent],
    *,
    host: str,
    language: str = "ja",
    description: str = "",
    source: str = "",
) -> bytes:
    """The iCalendar text (CRLF, folded) of a feed: RFC 7986 NAME, REFRESH-INTERVAL and SOURCE,
    the de-facto X-WR-CALNAME / X-WR-TIMEZONE / X-PUBLISHED-TTL, a VTIMEZONE for each TZID used,
    and one VEVENT per record in a stable order."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", vText(name), parameters={"LANGUAGE": language})
    calendar.add("x-wr-calname", vText(name))
    if description:
        calendar.add("description", vText(description), parameters={"LANGUAGE": language})
        calendar.add("x-wr-caldesc", vText(description))
    calendar.add("x-wr-timezone", "Asia/Tokyo")
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    if source:
        calendar.add("source", source, parameters={"VALUE": "URI"})
    ordered = sorted(events, key=lambda e: (_sort_key(e.starts), e.kind, e.ref))
    for record in ordered:
        calendar.add_component(_event(record, host))
    calendar.add_missing_timezones()
    return calendar.to_ical()


class _Rendered:
    """Feeds already serialised, by a digest of everything that goes into them. The text is a
    pure function of its inputs, so every process may keep its own: a miss only costs the work,
    and no two processes can disagree. Bounded by total size."""

    def __init__(self, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
            return body

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0

    def put(self, key: str, body: bytes) -> None:
        if len(body) > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = body
            self._size += len(body)
            while self._size > self.max_bytes:
                _old, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)


RENDERED = _Rendered()


def render_calendar(name: str, events: list[FeedEvent], **options: str) -> bytes:
    """build_calendar, remembered by a digest of its inputs (an unchanged feed is not serialised
    again; the ETag still comes from the body)."""
    digest = hashlib.sha256(repr((PRODID, name, sorted(options.items()), events)).encode()).hexdigest()
    body = RENDERED.get(digest)
    if body is None:
        body = build_calendar(name, events, **options)
        RENDERED.put(digest, body)
    return body


def _sort_key(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime(value.year, value.month, value.day, tzinfo=TOKYO).astimezone(UTC)


# --- HTTP caching -------------------------------------------------------------------------------


def etag_of(body: bytes) -> str:
    """A strong ETag from the body's bytes."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def http_date(value: datetime) -> str:
    return format_datetime(_utc(value), usegmt=True)


def _tags(header: str) -> list[str]:
    return [part.strip().removeprefix("W/") for part in header.split(",") if part.strip()]


def not_modified(
    etag: str, last_modified: datetime, if_none_match: str | None, if_modified_since: str | None
) -> bool:
    """Whether a conditional GET may be answered 304. If-None-Match wins over If-Modified-Since
    (RFC 9110 §13.2.2); its comparison is weak, as the RFC asks for GET."""
    if if_none_match:
        tags = _tags(if_none_match)
        return "*" in tags or etag in tags
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError, IndexError):
            return False
        if since is None or since.tzinfo is None:
            return False
        return _utc(last_modified) <= since
    return False
