"""Step-free now, not step-free by design: can a person who cannot use stairs reach this room
today (or on a day of use), and if not, why and until when.

The room's facts say whether a step-free route exists when everything works (`Room.step_free`);
the outages other domains report through center.places.warnings say whether it works. Every page,
filter, API answer and document that speaks of step-free access asks here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from center.places import warnings
from center.places.warnings import Outage


@dataclass(frozen=True)
class StepFree:
    """The answer for one room on one day."""

    by_design: bool  # the building gives a step-free route when everything works
    outages: tuple[Outage, ...] = field(default=())  # those that take the route away

    @property
    def now(self) -> bool:
        return self.by_design and not self.outages

    @property
    def reasons(self) -> list[str]:
        return [outage.text for outage in self.outages]

    @property
    def until(self) -> date | None:
        """When the route is expected back: the latest fix date, unless one outage has none."""
        dates = [outage.until for outage in self.outages]
        if not dates or any(day is None for day in dates):
            return None
        return max(day for day in dates if day is not None)


def _answer(room: dict, room_outages: list[Outage]) -> StepFree:
    blocking = tuple(outage for outage in room_outages if outage.blocks_step_free)
    return StepFree(by_design=bool(room["step_free"]), outages=blocking)


async def step_free(rooms: list[dict], on: date | None = None) -> dict[int, StepFree]:
    """room id -> StepFree for these rooms (dicts with "id" and "step_free"), today or on a day."""
    found = await warnings.outages([room["id"] for room in rooms], on)
    return {room["id"]: _answer(room, found.get(room["id"], [])) for room in rooms}


async def annotate(rooms: list[dict], on: date | None = None) -> list[dict]:
    """Set room["access"] (StepFree) and room["access_warnings"] (every outage's text, blocking
    or not) on each room; returns the same list."""
    if not rooms:
        return rooms
    found = await warnings.outages([room["id"] for room in rooms], on)
    for room in rooms:
        room["access"] = _answer(room, found.get(room["id"], []))
        room["access_warnings"] = [outage.text for outage in found.get(room["id"], [])]
    return rooms
