"""Closing a room for work. A closure takes a ledger hold (kind "closure") so nothing else can
book the room. When bookings or screenings already hold that time the closure is not silently
refused: staff see each one by name (the group, the screening's title) with its date, with free
rooms of similar capacity and features (and, for a screening, a later free time), decide to move
or cancel each one, and the decisions, the closure and the record of what it moved or cancelled
are written in one transaction (groups are told by the domain that owns the booking). Bookings and
screenings are reached only through their owners in center.ledger.owners."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from center.accounts import audit
from center.accounts.actors import Actor
from center.ledger import owners
from center.ledger.service import (
    HoldConflict,
    HoldInfo,
    find_conflicts,
    release_hold,
    take_hold,
)
from center.lib import dates
from center.lib.db import write_transaction
from center.lib.errors import Conflict, NotFound, ValidationFailed
from center.lib.i18n import N_
from center.places.tables import Room
from maintenance import closure_clashes
from maintenance.closure_clashes import choice_field, choice_missing, refuse_unresolvable
from maintenance.tables import Closure, Ticket
from maintenance.tickets import _event
from maintenance.workflow import OPEN_STATUSES


@dataclass(frozen=True)
class Period:
    room_id: int
    starts_at: datetime
    ends_at: datetime


def parse_period(data: dict[str, Any]) -> Period:
    """Room, day and times (or start and end days) from the closure form."""
    from center.places import forms

    errors = forms.FieldErrors()
    room_id = forms.whole(data, "room", errors, N_("Choose a room."), low=1)
    first = forms.day(data, "start_day", errors, N_("Enter a date as YYYY-MM-DD."))
    last_raw = forms.text(data, "end_day")
    last = forms.day(data, "end_day", errors, N_("Enter a date as YYYY-MM-DD.")) if last_raw else first
    start = (
        forms.clock(data, "start_time", errors, N_("Enter a time such as 09:00."))
        if forms.text(data, "start_time")
        else time(0, 0)
    )
    end = (
        forms.clock(data, "end_time", errors, N_("Enter a time such as 21:00."))
        if forms.text(data, "end_time")
        else None
    )
    if errors:
        raise ValidationFailed(dict(errors))
    assert first is not None and last is not None and start is not None
    starts_at = dates.local_instant(first, start)
    ends_at = dates.local_instant(last, end) if end else dates.local_day_bounds(last)[1]
    if ends_at <= starts_at:
        raise ValidationFailed({"end_time": N_("The end must be after the start.")})
    if ends_at < datetime.now(UTC):
        raise ValidationFailed({"start_day": N_("That period has already passed.")})
    return Period(room_id, starts_at, ends_at)


async def _room(room_id: int) -> dict:
    room = await Room.select().where(Room.id == room_id).first()
    if room is None:
        raise ValidationFailed({"room": N_("Choose a room.")})
    return room


async def open_ticket(ticket_id: int) -> dict:
    ticket = await Ticket.select().where(Ticket.id == ticket_id).first()
    if ticket is None:
        raise NotFound(N_("That ticket does not exist."))
    if ticket["status"] not in OPEN_STATUSES:
        raise Conflict(N_("Only an open ticket can close a room."))
    return ticket


async def clashes(period: Period) -> list[dict]:
    """What holds the room during the period, in time order: each booking (kind "booking") and
    each screening (kind "screening") as its owner describes it, with the choices for it.
    Raises closure_clashes.ClosureBlocked, naming them, if anything else holds it."""
    room = await _room(period.room_id)
    found = await find_conflicts(period.room_id, period.starts_at, period.ends_at)
    refuse_unresolvable(found)
    return await closure_clashes.clash_rows(found, room, period.ends_at)


async def close_room(
    ticket_id: int,
    period: Period,
    actor: Actor,
    *,
    reason: str,
    decisions: dict[int, str] | None = None,
    screening_decisions: dict[int, str] | None = None,
) -> int:
    """Close the room for the period. `decisions` maps each clashing booking id to "cancel" or
    "move:<room id>"; `screening_decisions` maps each clashing screening id to "cancel",
    "move:<room id>" (same time) or "at:<ISO start>" (same room, later). Every clash needs one.
    All moves, cancellations, the hold, the closure and its record of effects are one
    transaction: any refusal leaves everything as it was."""
    from center.lib.i18n import gettext

    decisions = decisions or {}
    screening_decisions = screening_decisions or {}
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": N_("Enter the reason (told to the groups whose bookings change).")})
    if len(reason) > 300:
        raise ValidationFailed({"reason": N_("Use at most 300 characters.")})
    ticket = await open_ticket(ticket_id)
    await _room(period.room_id)
    try:
        async with write_transaction():
            found = await find_conflicts(period.room_id, period.starts_at, period.ends_at)
            refuse_unresolvable(found)
            chosen = {"booking": decisions, "screening": screening_decisions}
            missing = {
                choice_field(hold): choice_missing(hold)
                for hold in found
                if hold.ref not in chosen.get(hold.kind, {})
            }
            if missing:
                raise ValidationFailed(
                    missing,
                    message=N_(
                        "Bookings or screenings hold this room at that time: move or cancel each one."
                    ),
                )
            notice = gettext(N_("The room is closed for maintenance: %(reason)s"), reason=reason)
            effects = []
            for hold in found:
                effects.append(await _resolve(hold, chosen[hold.kind][hold.ref], actor, notice))
            held = await take_hold(
                period.room_id,
                period.starts_at,
                period.ends_at,
                "closure",
                ref=ticket_id,
                label=ticket["title"][:200],
                actor_id=actor.id,
            )
            rows = await Closure.insert(
                Closure(
                    ticket=ticket_id,
                    room=period.room_id,
                    starts_at=period.starts_at,
                    ends_at=period.ends_at,
                    hold=held.id,
                    reason=reason,
                    created_by=actor.id,
                    created_at=datetime.now(UTC),
                )
            ).returning(Closure.id)
            closure_id = rows[0]["id"]
            await closure_clashes.record(closure_id, effects)
            summary = {
                "closure": closure_id,
                "room": period.room_id,
                "starts_at": period.starts_at,
                "ends_at": period.ends_at,
                "bookings": {str(hold.ref): decisions[hold.ref] for hold in found if hold.kind == "booking"},
                "screenings": {
                    str(hold.ref): screening_decisions[hold.ref] for hold in found if hold.kind == "screening"
                },
            }
            await _event(ticket_id, actor, "closure", note=reason, changes=summary)
            await audit.record(
                "close_room", "maintenance_closure", closure_id, actor=actor, after=summary, note=reason
            )
    except owners.MoveTaken as taken:
        raise Conflict(N_("A room chosen for a move was just taken. Please choose again.")) from taken
    except HoldConflict as conflict:
        raise Conflict(
            N_("Someone booked the room a moment ago. Please review the bookings again.")
        ) from conflict
    return closure_id


async def _resolve(hold: HoldInfo, choice: str, actor: Actor, notice: str) -> dict:
    """Cancel or move one clashing hold through its owner; the line recording what was done."""
    owner = owners.owner_of(hold.kind)
    held = (await owner.describe([hold.ref])).get(hold.ref) if owner and hold.ref is not None else None
    if owner is None or held is None:
        raise ValidationFailed({choice_field(hold): choice_missing(hold)})
    action, room_id, starts_at = closure_clashes.parse_choice(choice, held, owner.moves_in_time)
    if action == "cancel":
        await owner.cancel(held.ref, actor, notice)
        return closure_clashes.effect(
            held.kind, held.ref, "cancelled", held.title, held.starts_at, held.ends_at
        )
    if action == "move" and room_id is not None and starts_at is not None:
        await owner.move(held.ref, actor, room_id, starts_at, notice)
        return closure_clashes.effect(
            held.kind,
            held.ref,
            "moved",
            held.title,
            held.starts_at,
            held.ends_at,
            moved_room=room_id,
            moved_starts_at=starts_at,
        )
    raise ValidationFailed({choice_field(hold): choice_missing(hold)})


async def end_closure(closure_id: int, actor: Actor) -> None:
    """Reopen the room: release the closure's hold at once (kept as history)."""
    async with write_transaction():
        closure = await Closure.select().where(Closure.id == closure_id).first()
        if closure is None:
            raise NotFound(N_("That closure does not exist."))
        if not closure["active"]:
            raise Conflict(N_("That closure has already ended."))
        if closure["hold"]:
            await release_hold(closure["hold"], reason=f"closure {closure_id} ended")
        await Closure.update({Closure.active: False, Closure.ended_at: datetime.now(UTC)}).where(
            Closure.id == closure_id
        )
        await _event(closure["ticket"], actor, "closure_end", changes={"closure": closure_id})
        await audit.record("end_closure", "maintenance_closure", closure_id, actor=actor, before=closure)


async def closures_of(ticket_id: int) -> list[dict]:
    """The ticket's closures, each with `effects`: what it moved or cancelled."""
    rows = (
        await Closure.select(
            *Closure.all_columns(),
            Closure.room.name_ja.as_alias("room_name_ja"),
            Closure.room.name_en.as_alias("room_name_en"),
        )
        .where(Closure.ticket == ticket_id)
        .order_by(Closure.starts_at)
    )
    effects = await closure_clashes.effects_of([row["id"] for row in rows])
    return [{**row, "effects": effects.get(row["id"], [])} for row in rows]


async def room_choices() -> list[dict]:
    """Every room a closure can close (id, names, floor, capacity), in the center's order."""
    return await Room.select(Room.id, Room.name_ja, Room.name_en, Room.floor, Room.capacity).order_by(
        Room.sort_order, Room.id
    )


async def ticket_of_closure(closure_id: int) -> int:
    """The ticket a closure belongs to; NotFound if there is no such closure."""
    row = await Closure.select(Closure.ticket).where(Closure.id == closure_id).first()
    if row is None:
        raise NotFound(N_("That closure does not exist."))
    return row["ticket"]
