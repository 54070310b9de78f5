"""The programmes domain as the owner of "screening" holds (center.ledger.owners): how another
domain (maintenance closing a room) sees a screening (by its video's title), moves it to another
room or a later free time, or cancels it (shown as cancelled on the public calendar)."""

from __future__ import annotations

from datetime import datetime

from center.accounts.actors import Actor
from center.ledger.owners import Held, MoveTaken
from center.ledger.service import HoldConflict
from center.programmes import public


def _held(row: dict) -> Held:
    return Held(
        kind="screening",
        ref=row["id"],
        room_id=row["room"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        title=row["title"],
        active=row["status"] == "scheduled",
    )


class ScreeningHolds:
    """Owner of the "screening" holds. Nobody is told of a change: screenings are public events
    and the public calendar shows them as moved or cancelled."""

    kind = "screening"
    moves_in_time = True

    async def describe(self, refs: list[int]) -> dict[int, Held]:
        return {ref: _held(row) for ref, row in (await public.screenings_by_id(refs)).items()}

    async def cancel(self, ref: int, actor: Actor, reason: str) -> None:
        await public.cancel_screening(ref, actor, reason)

    async def move(self, ref: int, actor: Actor, room_id: int, starts_at: datetime, reason: str) -> None:
        del reason  # a screening keeps no reason for a move
        try:
            await public.move_screening(ref, room_id, starts_at, actor)
        except HoldConflict as conflict:
            raise MoveTaken(conflict.conflicts) from conflict

    async def later_time(self, ref: int, not_before: datetime) -> datetime | None:
        found = await public.screenings_by_id([ref])
        if ref not in found:
            return None
        return await public.later_time_for_screening(found[ref], not_before)
