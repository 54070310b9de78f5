"""Availability: the center's calendar minus the ledger, for all rooms over a week or one room
over a month, and a search for free room-slots. Two queries per view (holds and the public labels),
both by indexed time range, so the cost stays flat as history piles up."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from bookings.rules import request_window
from bookings.tables import Booking
from center.ledger.service import HoldInfo, holds_between
from center.lib.dates import local_day_bounds, today
from center.lib.db import read_transaction
from center.lib.i18n import N_, gettext, pick
from center.lib.versions import reference_cached
from center.places.calendar import DayInfo, days_info
from center.places.rooms import RoomFilters, list_rooms
from center.places.tables import RoomSlotFee

# Cell states; each shown with a word and a symbol, never colour alone.
FREE, HELD, CLOSED, PAST, NOT_OFFERED = "free", "held", "closed", "past", "not_offered"
LOTTERY = "lottery"  # free, but allocated by the month's lottery: apply in the lottery window
# Free, but outside the window in which one may request online (the booking policy's "from N days
# ahead" and "up to M months ahead"); staff, who may override the policy, see these as free.
DESK_ONLY, NOT_YET_OPEN = "desk_only", "not_yet_open"
STATE_LABELS = {
    FREE: N_("Free"),
    LOTTERY: N_("By lottery"),
    DESK_ONLY: N_("Free: ask at the front desk"),
    NOT_YET_OPEN: N_("Not yet open for requests"),
    HELD: N_("Taken"),
    CLOSED: N_("Closed"),
    PAST: N_("Past"),
    NOT_OFFERED: N_("Not available"),
}
STATE_SYMBOLS = {
    FREE: "○",
    LOTTERY: "抽",
    DESK_ONLY: "窓",
    NOT_YET_OPEN: "未",
    HELD: "×",
    CLOSED: "休",
    PAST: "－",
    NOT_OFFERED: "－",
}
KIND_LABELS = {
    "booking": N_("Booked"),
    "screening": N_("Exercise video screening"),
    "closure": N_("Closed for works"),
    "programme": N_("Center programme"),
}


@dataclass(frozen=True)
class Cell:
    room_id: int
    day: date
    slot_code: str
    slot_name: str
    starts_at: datetime
    ends_at: datetime
    state: str
    label: str = ""  # what holds it, for visitors: public titles only

    @property
    def state_label(self) -> str:
        return gettext(STATE_LABELS[self.state])

    @property
    def symbol(self) -> str:
        return STATE_SYMBOLS[self.state]


@dataclass
class Grid:
    days: list[DayInfo]
    rooms: list[dict]
    slot_names: list[tuple[str, str]]  # (code, name) of every slot shown
    cells: dict[tuple[int, date, str], Cell] = field(default_factory=dict)

    def cell(self, room_id: int, day: date, slot_code: str) -> Cell | None:
        return self.cells.get((room_id, day, slot_code))


async def _offered_slots() -> dict[int, set[str]]:
    """Room id -> the codes of the slots it has a fee for (every room; kept per process)."""
    offered: dict[int, set[str]] = {}
    for row in await RoomSlotFee.select(RoomSlotFee.room, RoomSlotFee.slot.code.as_alias("code")):
        offered.setdefault(row["room"], set()).add(row["code"])
    return offered


async def _labels(holds: list[HoldInfo]) -> dict[int, str]:
    """Public titles of approved public bookings among the holds, by hold id."""
    booking_ids = [hold.ref for hold in holds if hold.kind == "booking" and hold.ref]
    if not booking_ids:
        return {}
    rows = await Booking.select(Booking.id, Booking.hold, Booking.public_title).where(
        Booking.id.is_in(booking_ids) & (Booking.public == True) & (Booking.status == "approved")
    )
    return {row["hold"]: row["public_title"] for row in rows if row["hold"]}


def _hold_label(hold: HoldInfo, public_titles: dict[int, str]) -> str:
    if hold.kind == "booking":
        return public_titles.get(hold.id, "")
    kind_label = KIND_LABELS.get(hold.kind, KIND_LABELS["booking"])
    if hold.kind == "closure" or not hold.label:
        return gettext(kind_label)
    return hold.label


async def grid(
    start: date,
    end: date,
    filters: RoomFilters | None = None,
    *,
    rooms: list[dict] | None = None,
    online: bool = True,
) -> Grid:
    """Every bookable room (matching the filters, or the rooms given) × day × slot in [start, end]
    (inclusive) with its state. `online`: as seen by those who request online (visitors and
    members), for whom free slots outside the policy's request window are not free; staff, who may
    override the policy, pass False. Its reads share one read transaction (one connection)."""
    async with read_transaction():
        return await _grid(start, end, filters, rooms=rooms, online=online)


async def _grid(
    start: date, end: date, filters: RoomFilters | None, *, rooms: list[dict] | None, online: bool
) -> Grid:
    if rooms is None:
        rooms = await list_rooms(filters, on=max(start, today()))
    days = await days_info(start, end)
    room_ids = [room["id"] for room in rooms]
    offered = await reference_cached("offered_slots", _offered_slots)
    range_start, _ = local_day_bounds(start)
    _, range_end = local_day_bounds(end)
    holds = await holds_between(range_start, range_end, room_ids)
    titles = await _labels(holds)
    by_room: dict[int, list[HoldInfo]] = {}
    for hold in holds:
        by_room.setdefault(hold.room_id, []).append(hold)

    from bookings.lottery import first_come_refusal, lottery_room_ids

    lottery_rooms = await lottery_room_ids()
    by_lottery: dict[tuple[int, int, int], bool] = {}

    async def in_lottery(room_id: int, day: date) -> bool:
        key = (room_id, day.year, day.month)
        if key not in by_lottery:
            by_lottery[key] = room_id in lottery_rooms and await first_come_refusal(room_id, day) is not None
        return by_lottery[key]

    slot_names: dict[str, str] = {}
    result = Grid(days=days, rooms=rooms, slot_names=[])
    now = datetime.now(UTC)
    earliest, latest = await request_window() if online else (date.min, date.max)
    for info in days:
        for slot in info.slots:
            slot_names.setdefault(slot.code, slot.name)
    for room in rooms:
        room_holds = by_room.get(room["id"], [])
        for info in days:
            if not info.open:
                for code, name in slot_names.items():
                    result.cells[(room["id"], info.day, code)] = Cell(
                        room["id"],
                        info.day,
                        code,
                        name,
                        *local_day_bounds(info.day),
                        CLOSED,
                        info.closed_reason or "",
                    )
                continue
            for slot in info.slots:
                if room["booked_by"] == "slot" and slot.code not in offered.get(room["id"], set()):
                    state, label = NOT_OFFERED, ""
                else:
                    clash = next(
                        (h for h in room_holds if h.starts_at < slot.ends_at and slot.starts_at < h.ends_at),
                        None,
                    )
                    if clash:
                        state, label = HELD, _hold_label(clash, titles)
                    elif slot.starts_at <= now:
                        state, label = PAST, ""
                    elif info.day < earliest:
                        state, label = DESK_ONLY, ""
                    elif info.day > latest:
                        state, label = NOT_YET_OPEN, ""
                    elif await in_lottery(room["id"], info.day):
                        state, label = LOTTERY, ""
                    else:
                        state, label = FREE, ""
                result.cells[(room["id"], info.day, slot.code)] = Cell(
                    room["id"], info.day, slot.code, slot.name, slot.starts_at, slot.ends_at, state, label
                )
    result.slot_names = list(slot_names.items())
    return result


@dataclass(frozen=True)
class Search:
    """ "A room for 30 people with a projector on a Tuesday evening in March"."""

    start: date
    end: date
    min_capacity: int = 0
    equipment: tuple[str, ...] = ()
    weekdays: tuple[int, ...] = ()  # 0 = Monday
    slot_codes: tuple[str, ...] = ()
    step_free: bool = False
    limit: int = 100
    online: bool = True  # as seen by those who request online (see grid)


async def search(query: Search) -> list[tuple[dict, Cell]]:
    """Free room-slots matching the query, in time order, then smallest room first."""
    found_grid = await grid(
        query.start,
        query.end,
        RoomFilters(
            min_capacity=query.min_capacity or None,
            equipment=list(query.equipment),
            step_free=query.step_free,
        ),
        online=query.online,
    )
    rooms = {room["id"]: room for room in found_grid.rooms}
    found = [
        (rooms[cell.room_id], cell)
        for cell in found_grid.cells.values()
        if cell.state == FREE
        and (not query.weekdays or cell.day.weekday() in query.weekdays)
        and (not query.slot_codes or cell.slot_code in query.slot_codes)
    ]
    found.sort(key=lambda pair: (pair[1].starts_at, pair[0]["capacity"], pair[0]["id"]))
    return found[: query.limit]


def room_name(room: dict) -> str:
    return pick(room["name_ja"], room["name_en"])


def week_start(day: date) -> date:
    """Weeks start on Monday, as Japanese public calendars usually print them."""
    return day - timedelta(days=day.weekday())
