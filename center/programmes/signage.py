"""What the lobby signage shows besides the screenings: today's rooms, each with the public events
and programmes still to come or under way in it (public bookings' titles, exercise-video
screenings, flower-bed days), read through each domain's public functions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from center.lib.i18n import N_, gettext, pick
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
    from center.places.rooms import list_rooms

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
    from bookings.public import public_events_on  # the public face of the bookings domain

    now = now or datetime.now(UTC)
    events = [*await public_events_on(day), *await public_programme_events_between(day, day)]
    rooms = group_by_room(events, now)
    _notices, out = await access_today()
    for room in rooms:
        room.step_free_out = room.name in out
    return rooms
