"""What else holds a room a closure wants, in words people use: a booking by its group, a screening
by its video's title (as their owners describe them through center.ledger.owners), another closure
by its ticket, with dates in the user's language (令和8年12月22日(火) 9:00–9:20); the choices for
each clash (another free room at the same time, the same room at a later free time where its owner
can move it in time, or cancelling it); and the record of what a closure moved or cancelled."""

from __future__ import annotations

from datetime import datetime

from center.ledger import owners
from center.ledger.owners import Held
from center.ledger.service import HoldInfo, holds_between
from center.lib import dates
from center.lib.errors import Conflict
from center.lib.i18n import N_, gettext
from center.places.tables import Room, RoomSlotFee
from maintenance.tables import ClosureEffect

# The form field of each kind's choice ("decision-12", "screening-7") and what it says when missing.
CHOICE_FIELDS = {"booking": "decision", "screening": "screening"}
CHOICE_MISSING = {
    "booking": N_("Choose what happens to this booking."),
    "screening": N_("Choose what happens to this screening."),
}

KIND_LABELS = {
    "booking": N_("a booking"),
    "screening": N_("a screening"),
    "closure": N_("another closure for work"),
    "programme": N_("a center programme"),
}


class ClosureBlocked(Conflict):
    """Something the closure cannot move or cancel holds the room (another closure, a programme)."""

    message = N_("The room is held at that time by %(what)s. Choose another time, or end that first.")


def when(starts_at: datetime, ends_at: datetime) -> str:
    """令和8年12月22日(火) 9:00–12:00 (or the English date), across days if need be."""
    if dates.to_local(starts_at).date() == dates.to_local(ends_at).date():
        return f"{dates.format_date(starts_at)} {dates.format_time(starts_at)}–{dates.format_time(ends_at)}"
    return f"{dates.format_datetime(starts_at)} – {dates.format_datetime(ends_at)}"


def describe(hold: HoldInfo) -> str:
    """One hold in the user's language: what it is, its name, and when."""
    kind = gettext(KIND_LABELS.get(hold.kind, N_("a center programme")))
    period = when(hold.starts_at, hold.ends_at)
    if not hold.label:
        return gettext(N_("%(kind)s (%(when)s)"), kind=kind, when=period)
    return gettext(N_("%(kind)s “%(name)s” (%(when)s)"), kind=kind, name=hold.label, when=period)


def choice_field(hold: HoldInfo) -> str:
    """The form field naming what happens to a clashing hold."""
    return f"{CHOICE_FIELDS.get(hold.kind, hold.kind)}-{hold.ref}"


def choice_missing(hold: HoldInfo) -> str:
    return CHOICE_MISSING.get(hold.kind, CHOICE_MISSING["booking"])


def refuse_unresolvable(found: list[HoldInfo]) -> None:
    """Refuse, naming them, the holds a closure cannot move or cancel: those without an owner
    (another closure, a programme)."""
    others = [hold for hold in found if owners.owner_of(hold.kind) is None or hold.ref is None]
    if others:
        raise ClosureBlocked(what="; ".join(describe(hold) for hold in others))


async def free_rooms(
    starts_at: datetime,
    ends_at: datetime,
    original: dict,
    *,
    head_count: int = 1,
    slot_codes: set[str] | None = None,
    limit: int = 3,
) -> list[dict]:
    """Bookable rooms free for the whole period and large enough; with `slot_codes` (a booking's
    slots) only rooms booked the same way as the original and offering those slots. Those sharing
    most of the original room's equipment and closest to it in size first."""
    query = Room.select().where(
        (Room.bookable == True) & (Room.capacity >= max(head_count, 1)) & (Room.id != original["id"])
    )
    if slot_codes is not None:
        query = query.where(Room.booked_by == original["booked_by"])
    rooms = await query
    busy = {hold.room_id for hold in await holds_between(starts_at, ends_at, [r["id"] for r in rooms])}
    offered: dict[int, set[str]] = {}
    by_slot = slot_codes is not None and original["booked_by"] == "slot"
    if by_slot:
        for row in await RoomSlotFee.select(RoomSlotFee.room, RoomSlotFee.slot.code.as_alias("code")):
            offered.setdefault(row["room"], set()).add(row["code"])
    equipment = set(original["equipment"] or [])
    free = [
        room
        for room in rooms
        if room["id"] not in busy and (not by_slot or (slot_codes or set()) <= offered.get(room["id"], set()))
    ]
    free.sort(
        key=lambda room: (
            -len(equipment & set(room["equipment"] or [])),
            abs(room["capacity"] - original["capacity"]),
            room["floor"] != original["floor"],
            room["sort_order"],
        )
    )
    return free[:limit]


async def clash_rows(holds: list[HoldInfo], room: dict, ends_at: datetime) -> list[dict]:
    """Each clashing hold (all with owners) as its owner describes it (`held`), with free rooms at
    its time and, where its owner moves it in time, a later free time in its own room after the
    closure (`ends_at`); in time order."""
    rows = []
    for kind in sorted({hold.kind for hold in holds}):
        owner = owners.owner_of(kind)
        if owner is None:
            continue
        of_kind = [hold for hold in holds if hold.kind == kind]
        found = await owner.describe([hold.ref for hold in of_kind if hold.ref is not None])
        for hold in of_kind:
            held = found.get(hold.ref)
            if held is None:
                continue
            slot_codes = None if held.slot_codes is None else set(held.slot_codes)
            rows.append(
                {
                    "kind": kind,
                    "hold": hold,
                    "held": held,
                    "field": choice_field(hold),
                    "when": when(held.starts_at, held.ends_at),
                    "alternatives": await free_rooms(
                        held.starts_at, held.ends_at, room, head_count=held.head_count, slot_codes=slot_codes
                    ),
                    "later": await owner.later_time(held.ref, ends_at) if owner.moves_in_time else None,
                }
            )
    return sorted(rows, key=lambda row: (row["hold"].starts_at, row["kind"]))


def parse_choice(choice: str, held: Held, moves_in_time: bool) -> tuple[str, int | None, datetime | None]:
    """("cancel", None, None), ("move", room id, start) or ("invalid", None, None) from a form value:
    "cancel", "move:<room id>" (same time) or, where the owner moves it in time, "at:<ISO start>"
    (same room, later)."""
    if choice == "cancel":
        return "cancel", None, None
    if choice.startswith("move:") and choice[5:].isdigit():
        return "move", int(choice[5:]), held.starts_at
    if moves_in_time and choice.startswith("at:"):
        try:
            starts_at = datetime.fromisoformat(choice[3:])
        except ValueError:
            return "invalid", None, None
        if starts_at.tzinfo is not None:
            return "move", held.room_id, starts_at
    return "invalid", None, None


async def record(closure_id: int, effects: list[dict]) -> None:
    """Write what the closure moved or cancelled (inside the closure's transaction)."""
    if effects:
        await ClosureEffect.insert(*[ClosureEffect(closure=closure_id, **effect) for effect in effects])


async def effects_of(closure_ids: list[int]) -> dict[int, list[dict]]:
    """closure id -> what it moved or cancelled, in time order, with the new room's names."""
    if not closure_ids:
        return {}
    rows = (
        await ClosureEffect.select(
            *ClosureEffect.all_columns(),
            ClosureEffect.moved_room.name_ja.as_alias("moved_room_ja"),
            ClosureEffect.moved_room.name_en.as_alias("moved_room_en"),
        )
        .where(ClosureEffect.closure.is_in(closure_ids))
        .order_by(ClosureEffect.starts_at)
        .order_by(ClosureEffect.id)
    )
    grouped: dict[int, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["closure"], []).append(row)
    return grouped


def effect(
    kind: str,
    ref: int,
    action: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    *,
    moved_room: int | None = None,
    moved_starts_at: datetime | None = None,
) -> dict:
    """One line of a closure's record: what was moved (where, when) or cancelled."""
    return {
        "kind": kind,
        "ref": ref,
        "action": action,
        "title": title[:200],
        "starts_at": starts_at,
        "ends_at": ends_at,
        "moved_room": moved_room,
        "moved_starts_at": moved_starts_at,
    }
