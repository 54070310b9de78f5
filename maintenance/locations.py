"""The list of places work happens in (rooms and common areas: the entrance, each floor's
toilets, the elevator, the flower beds ...), edited by the manager. A place that tickets, reports
or inspections name is never deleted, only deactivated: it leaves the ticket and report forms
but stays on the old tickets. Each change is one write transaction with its audit line; bad
input writes nothing."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from center.accounts import audit
from center.accounts.actors import Actor
from center.lib.db import write_transaction
from center.lib.errors import Conflict, NotFound, ValidationFailed
from center.lib.i18n import N_
from center.places import forms
from center.places.tables import Room
from maintenance.tables import Inspection, Location, Report, Ticket

CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
FIELDS = ("code", "name_ja", "name_en", "floor", "room", "sort_order")


class LocationInUse(Conflict):
    message = N_("This location is used by tickets, reports or inspections: deactivate it instead.")


async def get_location(location_id: int) -> dict:
    row = (
        await Location.select(
            *Location.all_columns(),
            Location.room.name_ja.as_alias("room_name_ja"),
            Location.room.name_en.as_alias("room_name_en"),
        )
        .where(Location.id == location_id)
        .first()
    )
    if row is None:
        raise NotFound(N_("That location does not exist."))
    return row


async def list_locations() -> list[dict]:
    """Every location, active first, in the manager's order, with how many tickets name it."""
    rows = (
        await Location.select(
            *Location.all_columns(),
            Location.room.name_ja.as_alias("room_name_ja"),
            Location.room.name_en.as_alias("room_name_en"),
        )
        .order_by(Location.sort_order)
        .order_by(Location.id)
    )
    counts: dict[int, int] = {}
    for ticket in await Ticket.select(Ticket.location):
        counts[ticket["location"]] = counts.get(ticket["location"], 0) + 1
    for row in rows:
        row["tickets"] = counts.get(row["id"], 0)
    rows.sort(key=lambda row: not row["active"])
    return rows


async def room_choices() -> list[dict]:
    return await Room.select(Room.id, Room.name_ja, Room.name_en, Room.floor).order_by(
        Room.sort_order, Room.id
    )


async def parse_location(data: Mapping[str, Any], *, location_id: int | None = None) -> dict[str, Any]:
    """The location's fields from a form, or ValidationFailed naming every bad field."""
    errors = forms.FieldErrors()
    code = forms.text(data, "code").lower()
    if not code:
        errors.add("code", N_("Enter a code."))
    elif not CODE.match(code):
        errors.add(
            "code",
            N_("Use up to 40 lower-case letters, digits and hyphens, starting with a letter or digit."),
        )
    else:
        taken = Location.exists().where(Location.code == code)
        if location_id is not None:
            taken = taken.where(Location.id != location_id)
        if await taken:
            errors.add("code", N_("Another location already has this code."))
    names = {}
    for name in ("name_ja", "name_en"):
        names[name] = forms.text(data, name)
        if len(names[name]) > 120:
            errors.add(name, N_("Use at most 120 characters."))
    if not names["name_ja"]:
        errors.add("name_ja", N_("Enter the name in Japanese."))
    floor = forms.whole(
        data,
        "floor",
        errors,
        N_("Enter a floor from -9 to 99, or leave it empty."),
        low=-9,
        high=99,
        required=False,
    )
    room = forms.whole(data, "room", errors, N_("Choose a room from the list."), low=1, required=False)
    if room is not None and not await Room.exists().where(Room.id == room):
        errors.add("room", N_("Choose a room from the list."))
    sort_order = forms.whole(
        data,
        "sort_order",
        errors,
        N_("Enter a whole number from 0 to 9999."),
        low=0,
        high=9999,
        required=False,
        default=0,
    )
    if errors:
        raise ValidationFailed(dict(errors))
    return {"code": code, **names, "floor": floor, "room": room, "sort_order": sort_order}


async def _code_free(code: str, location_id: int | None) -> None:
    """Checked again inside the write transaction, so two managers cannot take one code."""
    taken = Location.exists().where(Location.code == code)
    if location_id is not None:
        taken = taken.where(Location.id != location_id)
    if await taken:
        raise ValidationFailed({"code": N_("Another location already has this code.")})


async def create_location(fields: dict[str, Any], actor: Actor) -> int:
    async with write_transaction():
        await _code_free(fields["code"], None)
        rows = await Location.insert(Location(**fields, active=True)).returning(*Location.all_columns())
        await audit.record("create", "maintenance_location", rows[0]["id"], actor=actor, after=rows[0])
    return rows[0]["id"]


async def update_location(location_id: int, fields: dict[str, Any], actor: Actor) -> dict:
    async with write_transaction():
        before = await Location.select().where(Location.id == location_id).first()
        if before is None:
            raise NotFound(N_("That location does not exist."))
        await _code_free(fields["code"], location_id)
        changed = {name: fields[name] for name in FIELDS if before[name] != fields[name]}
        if not changed:
            return before
        await Location.update({getattr(Location, name): value for name, value in changed.items()}).where(
            Location.id == location_id
        )
        after = await Location.select().where(Location.id == location_id).first()
        await audit.record(
            "update", "maintenance_location", location_id, actor=actor, before=before, after=after
        )
        return after


async def set_active(location_id: int, active: bool, actor: Actor) -> dict:
    """Deactivate (the place leaves the forms, old tickets keep it) or reactivate a location."""
    async with write_transaction():
        before = await Location.select().where(Location.id == location_id).first()
        if before is None:
            raise NotFound(N_("That location does not exist."))
        if before["active"] == active:
            return before
        await Location.update({Location.active: active}).where(Location.id == location_id)
        after = await Location.select().where(Location.id == location_id).first()
        await audit.record(
            "reactivate" if active else "deactivate",
            "maintenance_location",
            location_id,
            actor=actor,
            before=before,
            after=after,
        )
        return after


async def in_use(location_id: int) -> bool:
    return (
        await Ticket.exists().where(Ticket.location == location_id)
        or await Report.exists().where(Report.location == location_id)
        or await Inspection.exists().where(Inspection.location == location_id)
    )


async def delete_location(location_id: int, actor: Actor) -> None:
    """Delete a location nothing names yet (a mistake); one in use is refused."""
    async with write_transaction():
        before = await Location.select().where(Location.id == location_id).first()
        if before is None:
            raise NotFound(N_("That location does not exist."))
        if await in_use(location_id):
            raise LocationInUse()
        await Location.delete().where(Location.id == location_id)
        await audit.record("delete", "maintenance_location", location_id, actor=actor, before=before)


async def location_for_room(room_id: int) -> dict | None:
    """The active location linked to a room (the first in the manager's order), if any."""
    return (
        await Location.select()
        .where((Location.room == room_id) & (Location.active == True))
        .order_by(Location.sort_order)
        .order_by(Location.id)
        .first()
    )
