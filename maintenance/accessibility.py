"""Barrier-free features out of order. While a ticket marks the elevator, an accessible toilet, the
ramp or the automatic door out of order, the rooms it affects carry a warning on their booking
pages and permits (through center.places.warnings), and staff see the bookings already made for
those rooms so they can call the groups."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from center.ledger import owners
from center.ledger.service import holds_between
from center.lib.dates import format_date
from center.lib.i18n import N_, gettext, pick
from center.lib.prepared import Prepared
from center.places.tables import Room
from center.places.warnings import Outage
from maintenance.tables import Ticket
from maintenance.workflow import OPEN_STATUSES

WARNINGS = {
    "elevator": N_("The elevator is out of service: there is no step-free route to floors %(floors)s."),
    "accessible_toilet": N_(
        "The accessible toilet (%(place)s) is out of order. Please ask the front desk for the nearest one."
    ),
    "ramp": N_("The ramp (%(place)s) is out of use: please ask the front desk for step-free access."),
    "automatic_door": N_(
        "The automatic door (%(place)s) is out of order: staff at the front desk will open it."
    ),
}
# Out of order, these take away the step-free route to the rooms they affect.
BLOCKS_STEP_FREE = frozenset({"elevator", "ramp"})
UNTIL = N_("Expected back in service by %(date)s.")
LOOKAHEAD = timedelta(days=366)


def feature_tickets():
    """A query of tickets with what the warnings need: the feature, the due date, the place."""
    return Ticket.select(
        Ticket.id,
        Ticket.title,
        Ticket.accessibility_feature,
        Ticket.due_on,
        Ticket.location.floor.as_alias("floor"),
        Ticket.location.room.as_alias("room"),
        Ticket.location.name_ja.as_alias("name_ja"),
        Ticket.location.name_en.as_alias("name_en"),
    )


# Read by every booking request and room page: compiled once (center.lib.prepared).
_OPEN_FEATURE_TICKETS = Prepared(
    lambda: feature_tickets().where(
        (Ticket.accessibility_feature != "") & Ticket.status.is_in(list(OPEN_STATUSES))
    )
)


async def open_feature_tickets() -> list[dict]:
    return await _OPEN_FEATURE_TICKETS.run()


def _floors(floors: list[int]) -> str:
    upper = sorted({floor for floor in floors if floor and floor >= 2})
    if not upper:
        return "-"
    return f"{upper[0]}F" if len(upper) == 1 else f"{upper[0]}F–{upper[-1]}F"


async def affected(tickets: list[dict] | None = None) -> dict[int, list[tuple[dict, str]]]:
    """room id -> [(ticket, warning text in the current language)] for every open feature ticket.
    The elevator affects the upper floors; a toilet its own floor (or every room when the place has
    no floor); the ramp and the automatic door every room."""
    tickets = await open_feature_tickets() if tickets is None else tickets
    if not tickets:
        return {}
    rooms = await Room.select(Room.id, Room.floor)
    found: dict[int, list[tuple[dict, str]]] = {}
    for ticket in tickets:
        feature = ticket["accessibility_feature"]
        place = pick(ticket["name_ja"], ticket["name_en"])
        if feature == "elevator":
            hit = [room for room in rooms if room["floor"] and room["floor"] >= 2]
            text = gettext(WARNINGS[feature], floors=_floors([room["floor"] for room in hit]))
        elif feature == "accessible_toilet" and ticket["floor"]:
            hit = [room for room in rooms if room["floor"] == ticket["floor"]]
            text = gettext(WARNINGS[feature], place=place)
        elif feature in WARNINGS:
            hit = rooms
            text = gettext(WARNINGS[feature], place=place)
        else:
            continue
        for room in hit:
            found.setdefault(room["id"], []).append((ticket, text))
    return found


def outage_of(ticket: dict, text: str) -> Outage:
    if ticket["due_on"] is not None:
        text = f"{text} {gettext(UNTIL, date=format_date(ticket['due_on']))}"
    return Outage(
        text=text,
        blocks_step_free=ticket["accessibility_feature"] in BLOCKS_STEP_FREE,
        until=ticket["due_on"],
        source_id=ticket["id"],
    )


async def outages_for_rooms(room_ids: list[int], on: date | None = None) -> dict[int, list[Outage]]:
    """The provider registered with center.places.warnings: the open feature tickets' outages of
    these rooms. An open ticket affects every day of use until it is finished, whatever its due
    date: a fix date is a hope, not a promise, and someone who cannot use stairs must not be told
    the route works on a day it may not (the warning says when it is expected back)."""
    del on  # every day alike, see above
    wanted = set(room_ids)
    tickets = await open_feature_tickets()
    return {
        room_id: [outage_of(ticket, text) for ticket, text in items]
        for room_id, items in (await affected(tickets)).items()
        if room_id in wanted
    }


async def affected_bookings(ticket: dict | None = None) -> list[dict]:
    """Active bookings from now on in the rooms that open feature tickets affect (one ticket's, or
    all), soonest first, each as its owner describes it (`held`, with whom to call) with the room
    and the warnings, for staff to call the groups."""
    tickets = await open_feature_tickets()
    if ticket is not None:
        tickets = [row for row in tickets if row["id"] == ticket["id"]]
    by_room = await affected(tickets)
    if not by_room:
        return []
    now = datetime.now(UTC)
    holds = [
        hold for hold in await holds_between(now, now + LOOKAHEAD, list(by_room)) if hold.kind == "booking"
    ]
    described = await owners.describe("booking", [hold.ref for hold in holds if hold.ref is not None])
    rooms = {row["id"]: row for row in await Room.select(Room.id, Room.name_ja, Room.name_en)}
    rows = [
        {
            "held": described[hold.ref],
            "room": rooms.get(hold.room_id, {}),
            "warnings": [text for _ticket, text in by_room.get(hold.room_id, [])],
        }
        for hold in holds
        if hold.ref in described
    ]
    rows.sort(key=lambda row: row["held"].starts_at)
    return rows
