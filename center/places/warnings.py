"""What other parts of the system know about a room's access (e.g. maintenance knows the elevator
is out of service). The core cannot import the domains, so each domain registers a provider here
from the app shell; room pages, request forms, booking pages and permits ask through
center.places.access (step-free now) or for_rooms (the warning texts)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Outage:
    """A barrier-free feature out of order, as it affects one room.

    `text` is the warning in the current language; `blocks_step_free` says whether a person who
    cannot use stairs can no longer reach the room (the elevator or the ramp, not a toilet);
    `until` is the expected fix date when the ticket has one."""

    text: str
    blocks_step_free: bool
    until: date | None = None
    source_id: int | None = None


Provider = Callable[[list[int], date | None], Awaitable[dict[int, list[Outage]]]]
_PROVIDERS: list[Provider] = []


def register_provider(provider: Provider) -> None:
    """Add a provider: an async function (room ids, day or None for today) ->
    {room id: [Outage]} (once each)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


async def outages(room_ids: list[int], on: date | None = None) -> dict[int, list[Outage]]:
    """Every provider's outages for these rooms on a day (today when None), merged; rooms without
    any are left out."""
    merged: dict[int, list[Outage]] = {}
    for provider in _PROVIDERS:
        for room_id, found in (await provider(list(room_ids), on)).items():
            if found:
                merged.setdefault(room_id, []).extend(found)
    return merged


async def for_rooms(room_ids: list[int], on: date | None = None) -> dict[int, list[str]]:
    """The warning texts for these rooms (today, or on a day of use)."""
    return {
        room_id: [outage.text for outage in found] for room_id, found in (await outages(room_ids, on)).items()
    }
