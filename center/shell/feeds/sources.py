"""What each feed holds: the records of a window turned into FeedEvents, and the feed's
last-modified instant.

The last-modified instant is the latest change among *all* the records the feed draws from (not
only the ones it shows), so a record leaving the feed (made private, moved out of the room) moves
it forward too; for the default window, which slides each day, the start of today counts as a
change as well. Records are marked, never deleted, so it never goes backwards.

Each domain's records are read through that domain's own read functions (bookings.feed_events,
center.programmes.feed_events, center.ledger.reading, maintenance.feed_events), which return plain
rows with their ids, update times and sequence counters; the shell never reads a domain's tables.
This module is the index; the sources are in windows.py, booking_sources.py, programme_sources.py
and ledger_sources.py."""

from __future__ import annotations

from center.shell.feeds.booking_sources import (
    BOOKING_STATES,
    LOTTERY_STATES,
    group_bookings,
    lottery_results,
    public_bookings,
)
from center.shell.feeds.ledger_sources import (
    desk_holds,
    facilities_events,
    room_busy,
    rooms,
    tokyo_midnight,
)
from center.shell.feeds.programme_sources import (
    flowerbed_events,
    screening_events,
    volunteer_signups,
)
from center.shell.feeds.windows import (
    EPOCH,
    Collector,
    Place,
    UrlFor,
    Window,
    default_window,
    latest,
    narrowed,
    place,
    window_stamp,
)

__all__ = [
    "BOOKING_STATES",
    "EPOCH",
    "LOTTERY_STATES",
    "Collector",
    "Place",
    "UrlFor",
    "Window",
    "default_window",
    "desk_holds",
    "facilities_events",
    "flowerbed_events",
    "group_bookings",
    "latest",
    "lottery_results",
    "narrowed",
    "place",
    "public_bookings",
    "room_busy",
    "rooms",
    "screening_events",
    "tokyo_midnight",
    "volunteer_signups",
    "window_stamp",
]
