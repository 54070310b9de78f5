"""The lobby signage: the exercise videos showing now and next, and today's rooms, each with the
public events and programmes still to come or under way in it (public bookings' titles,
exercise-video screenings, flower-bed days). It reads several domains, each through its public
functions, so it lives in the shell; its pages are served by SignageController below."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from litestar import Controller, Request, get
from litestar.response import Template

from bookings.public import public_events_on
from center.accounts.guards import PUBLIC
from center.lib.dates import today
from center.lib.i18n import N_, gettext, pick
from center.places.rooms import list_rooms
from center.programmes import screenings
from center.programmes.public import public_programme_events_between

KIND_LABELS = {
    "screening": N_("Exercise video screening"),
    "flowerbed": N_("Flower-bed day"),
}


@dataclass(frozen=True)
class SignageItem:
    starts_at: datetime
    ends_at: datetime
    title: str
    kind: str = ""  # "", "screening" or "flowerbed"
    cancelled: bool = False
    under_way: bool = False

    @property
    def kind_label(self) -> str:
        return gettext(KIND_LABELS[self.kind]) if self.kind in KIND_LABELS else ""


@dataclass
class SignageRoom:
    name: str
    items: list[SignageItem] = field(default_factory=list)
    step_free_out: bool = False  # the building's step-free route to it is out of order today


async def access_today() -> tuple[list[str], set[str]]:
    """Today's accessibility notices (each text once) and the names of the rooms that cannot be
    reached without steps today, from center.places.access (step-free now, not by design)."""
    rooms = await list_rooms(bookable_only=False)
    notices = list(dict.fromkeys(text for room in rooms for text in room["access_warnings"]))
    out = {
        name
        for room in rooms
        if room["access"].by_design and not room["access"].now
        for name in (room["name_ja"], room["name_en"] or room["name_ja"])
    }
    return notices, out


def _item(event: dict, now: datetime) -> SignageItem:
    kind = event.get("kind", "")
    if kind:
        title = pick(event["public_title"], event.get("public_title_en") or event["public_title"])
    else:
        title = event["public_title"] or event["purpose"]
    return SignageItem(
        starts_at=event["starts_at"],
        ends_at=event["ends_at"],
        title=title,
        kind=kind,
        cancelled=event.get("status") == "cancelled",
        under_way=event["starts_at"] <= now < event["ends_at"],
    )


def group_by_room(events: Iterable[dict], now: datetime) -> list[SignageRoom]:
    """Events not yet over, grouped by room (or meeting point) in the order of each room's first
    event, each room's events in time order; a flower-bed day's original date after it was
    postponed is left out (it is shown on its new date)."""
    rooms: dict[str, SignageRoom] = {}
    for event in sorted(events, key=lambda e: (e["starts_at"], e.get("kind", ""))):
        if event["ends_at"] <= now or event.get("status") == "moved":
            continue
        name = pick(event["room_name_ja"], event["room_name_en"] or event["room_name_ja"])
        rooms.setdefault(name, SignageRoom(name)).items.append(_item(event, now))
    return list(rooms.values())


async def todays_rooms(day: date, now: datetime | None = None) -> list[SignageRoom]:
    """Today's rooms with their public events and programmes, for the signage."""
    now = now or datetime.now(UTC)
    events = [*await public_events_on(day), *await public_programme_events_between(day, day)]
    rooms = group_by_room(events, now)
    _notices, out = await access_today()
    for room in rooms:
        room.step_free_out = room.name in out
    return rooms


PAGE_SECONDS = 8  # how long the signage shows each page of a list that does not fit (static/signage.js)
VARY = {"Vary": "HX-Request"}


async def signage_context(now: datetime | None = None) -> dict:
    """Everything the signage page and its panel show, at `now` (the present when None)."""
    now = now or datetime.now(UTC)
    showing, upcoming = await screenings.now_and_next(now)
    levels = dict(screenings.LEVELS)
    return {
        "showing": showing,
        "upcoming": upcoming,
        "rooms": await todays_rooms(today(), now),
        "access_notices": (await access_today())[0],
        "today": today(),
        "now": now,
        "page_seconds": PAGE_SECONDS,
        "level_label": lambda code: gettext(levels.get(code, code)),
    }


class SignageController(Controller):
    """The lobby TV: public, large, high contrast, refreshing itself; needs no mouse or keyboard."""

    path = "/signage"
    opt = PUBLIC

    @get("/", name="programmes:signage")
    async def signage(self, request: Request) -> Template:
        """The whole signage page."""
        return Template("center/signage.html", context=await signage_context())

    @get("/panel", name="programmes:signage_panel")
    async def signage_panel(self, request: Request) -> Template:
        """The part of the signage that htmx swaps in every 30 seconds."""
        return Template("center/_signage_panel.html", context=await signage_context(), headers=VARY)


ROUTES = [SignageController]
