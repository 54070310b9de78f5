"""The window a feed covers (Tokyo days), its last-change stamps, and the place every event is at."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from center.lib.dates import local_day_bounds, today
from center.lib.i18n import gettext as _
from center.lib.i18n import pick
from center.lib.months import add_months
from center.places.tables import CenterProfile
from center.shell.feeds.calendars import FeedEvent

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
UrlFor = Callable[..., str]
# What a feed reads its events from: (window, place, url_for) -> (events, last change).
Collector = Callable[["Window", "Place", UrlFor], Awaitable[tuple[list["FeedEvent"], datetime]]]


@dataclass(frozen=True)
class Window:
    """Tokyo days [start, end], and whether it is the default sliding window."""

    start: date
    end: date
    sliding: bool = True

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return local_day_bounds(self.start)[0], local_day_bounds(self.end)[1]


def default_window(on: date | None = None) -> Window:
    """Three months back to twelve months ahead (Tokyo days)."""
    on = on or today()
    return Window(add_months(on, -3), add_months(on, 12))


def narrowed(start: date | None, end: date | None, on: date | None = None) -> Window:
    """The default window narrowed by ?from and ?to (never widened)."""
    base = default_window(on)
    if start is None and end is None:
        return base
    return Window(max(start or base.start, base.start), min(end or base.end, base.end), sliding=False)


def latest(*stamps: datetime | None) -> datetime:
    found = [s for s in stamps if s is not None]
    return max(found) if found else EPOCH


def window_stamp(window: Window) -> datetime:
    """The sliding window changes each Tokyo midnight: a change in its own right."""
    return local_day_bounds(window.start)[0] if window.sliding else EPOCH


@dataclass(frozen=True)
class Place:
    """Names for LOCATION: the room and the center with its address."""

    center_ja: str
    center_en: str
    address: str

    def location(self, room_ja: str, room_en: str) -> str:
        room = pick(room_ja, room_en)
        center = pick(self.center_ja, self.center_en)
        parts = [room, center, self.address]
        return ", ".join(part for part in parts if part)

    def center_name(self) -> str:
        """The center's name in the current language, for a feed's title."""
        return pick(self.center_ja, self.center_en) or _("Civic Activity Center")


async def place() -> tuple[Place, datetime | None]:
    row = await CenterProfile.select().first()
    if row is None:
        return Place("", "", ""), None
    return Place(row["name_ja"], row["name_en"], row["address_ja"]), row["updated_at"]
