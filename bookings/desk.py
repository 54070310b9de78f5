"""The front desk's day (受付): the board of every hold in every room for a day, and finding a
booking from a scanned permit QR code, a typed permit number or a group name (kana or kanji).
The changes the desk makes live in the desk_* modules beside this one."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from bookings.permits import CODE_PREFIX, parse_permit_code
from bookings.rules import load_policy
from bookings.tables import Booking, Payment
from center.accounts.tables import Group
from center.ledger.tables import Hold
from center.lib.dates import format_date, local_day_bounds, to_local, today
from center.lib.db import is_postgres
from center.lib.errors import NotFound, ValidationFailed
from center.lib.i18n import N_, gettext, pick
from center.lib.text import normalise, to_katakana
from center.places.tables import Room

# What the desk sees of a booking; each state is shown with a symbol and a word, never colour alone.
UPCOMING, CHECKED_IN, CHECKED_OUT, NO_SHOW, CANCELLED, REQUESTED = (
    "upcoming",
    "checked_in",
    "checked_out",
    "no_show",
    "cancelled",
    "requested",
)
STATE_LABELS = {
    UPCOMING: N_("Upcoming"),
    CHECKED_IN: N_("Checked in"),
    CHECKED_OUT: N_("Checked out"),
    NO_SHOW: N_("No-show"),
    CANCELLED: N_("Cancelled"),
    REQUESTED: N_("Awaiting approval"),
}
STATE_SYMBOLS = {
    UPCOMING: "◇",
    CHECKED_IN: "▶",
    CHECKED_OUT: "✓",
    NO_SHOW: "✕",
    CANCELLED: "－",
    REQUESTED: "？",
}
HOLD_KIND_LABELS = {
    "booking": N_("Booking"),
    "screening": N_("Exercise video screening"),
    "closure": N_("Closed for works"),
    "programme": N_("Center programme"),
}
SHOWN_STATUSES = ("requested", "approved", "cancelled")  # declined and lapsed never took the room


def booking_state(booking: dict) -> str:
    if booking["status"] == "cancelled":
        return CANCELLED
    if booking["status"] != "approved":
        return REQUESTED
    if booking["no_show_at"]:
        return NO_SHOW
    if booking["checked_out_at"]:
        return CHECKED_OUT
    if booking["checked_in_at"]:
        return CHECKED_IN
    return UPCOMING


def state_label(state: str) -> str:
    return gettext(STATE_LABELS[state])


@dataclass(frozen=True)
class Money:
    """What a booking owes and what the desk took or paid back (yen)."""

    fee: int
    paid: int
    refunded: int
    refund_due: int

    @property
    def net_paid(self) -> int:
        return self.paid - self.refunded

    @property
    def due(self) -> int:
        """Still to pay (an active booking); zero once paid or for a cancelled one."""
        return max(self.fee - self.net_paid, 0)

    @property
    def refund_outstanding(self) -> int:
        """A cancelled booking's refund not yet paid out (never more than was paid)."""
        return max(min(self.refund_due - self.refunded, self.net_paid), 0)


@dataclass
class BoardRow:
    """One hold on the board: a booking (with its group and desk record) or a screening,
    closure or programme."""

    kind: str
    room: dict
    starts_at: datetime
    ends_at: datetime
    title: str
    booking: dict | None = None
    group: dict | None = None
    state: str = ""
    money: Money | None = None
    no_show_allowed: bool = False

    @property
    def room_name(self) -> str:
        return pick(self.room["name_ja"], self.room["name_en"])

    @property
    def kind_label(self) -> str:
        return gettext(HOLD_KIND_LABELS.get(self.kind, HOLD_KIND_LABELS["booking"]))

    @property
    def state_label(self) -> str:
        return state_label(self.state) if self.state else self.kind_label

    @property
    def symbol(self) -> str:
        return STATE_SYMBOLS.get(self.state, "■")

    @property
    def key_state(self) -> str:
        """ "out", "returned" or "" (no key recorded)."""
        if not self.booking or not self.booking["key_out_at"]:
            return ""
        return "returned" if self.booking["key_returned_at"] else "out"


@dataclass
class Board:
    day: date
    rows: list[BoardRow] = field(default_factory=list)
    rooms: list[dict] = field(default_factory=list)
    floors: list[int] = field(default_factory=list)

    def by_floor(self) -> list[tuple[int, list[BoardRow]]]:
        floors: dict[int, list[BoardRow]] = {}
        for row in self.rows:
            floors.setdefault(row.room["floor"], []).append(row)
        return sorted(floors.items())


async def money_of(booking_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(paid, refunded) per booking."""
    totals: dict[int, list[int]] = {}
    if not booking_ids:
        return {}
    rows = await Payment.select(Payment.booking, Payment.kind, Payment.amount).where(
        Payment.booking.is_in(booking_ids)
    )
    for row in rows:
        pair = totals.setdefault(row["booking"], [0, 0])
        pair[0 if row["kind"] == "payment" else 1] += row["amount"]
    return {key: (value[0], value[1]) for key, value in totals.items()}


def money(booking: dict, paid: tuple[int, int]) -> Money:
    return Money(booking["fee_total"], paid[0], paid[1], booking["refund_due"])


def walk_in_label(booking: dict, group: dict | None) -> str:
    """The name the desk knows the booking by: the group, or the person for an individual walk-in."""
    if booking["walk_in_name"]:
        return booking["walk_in_name"]
    return group["name"] if group else ""


async def no_show_from(booking: dict, grace_minutes: int | None = None) -> datetime:
    """When a booking nobody checked in may be marked no-show."""
    if grace_minutes is None:
        grace_minutes = (await load_policy())["no_show_grace_minutes"]
    return booking["starts_at"] + timedelta(minutes=grace_minutes)


async def board(
    day: date, *, floor: int | None = None, state: str = "", now: datetime | None = None
) -> Board:
    """Every hold in every room on `day` in time order (bookings, screenings, closures,
    programmes) with the desk's record of each booking."""
    now = now or datetime.now(UTC)
    start, end = local_day_bounds(day)
    rooms = await Room.select().order_by(Room.sort_order, Room.floor, Room.code)
    room_by_id = {room["id"]: room for room in rooms}
    bookings = await Booking.select().where(
        (Booking.starts_at < end) & (Booking.ends_at > start) & Booking.status.is_in(list(SHOWN_STATUSES))
    )
    groups = {
        group["id"]: group
        for group in await Group.select().where(
            Group.id.is_in(sorted({b["group"] for b in bookings}) or [-1])
        )
    }
    paid = await money_of([b["id"] for b in bookings])
    grace = (await load_policy())["no_show_grace_minutes"]
    rows: list[BoardRow] = []
    for booking in bookings:
        row_state = booking_state(booking)
        group = groups.get(booking["group"])
        rows.append(
            BoardRow(
                kind="booking",
                room=room_by_id[booking["room"]],
                starts_at=booking["starts_at"],
                ends_at=booking["ends_at"],
                title=walk_in_label(booking, group),
                booking=booking,
                group=group,
                state=row_state,
                money=money(booking, paid.get(booking["id"], (0, 0))),
                no_show_allowed=row_state == UPCOMING and now >= await no_show_from(booking, grace),
            )
        )
    others = await Hold.select().where(
        (Hold.active == True) & (Hold.kind != "booking") & (Hold.starts_at < end) & (Hold.ends_at > start)
    )
    for hold in others:
        rows.append(
            BoardRow(
                kind=hold["kind"],
                room=room_by_id[hold["room"]],
                starts_at=hold["starts_at"],
                ends_at=hold["ends_at"],
                title=hold["label"] or gettext(HOLD_KIND_LABELS.get(hold["kind"], N_("Booking"))),
            )
        )
    if floor is not None:
        rows = [row for row in rows if row.room["floor"] == floor]
    if state:
        rows = [row for row in rows if row.state == state]
    rows.sort(key=lambda row: (row.starts_at, row.room["sort_order"], row.room["code"]))
    return Board(
        day=day,
        rows=rows,
        rooms=rooms,
        floors=sorted({room["floor"] for room in rooms}),
    )


# --- Finding a booking at the counter ---


PERMIT_NUMBER = re.compile(r"^(\d{4})-(\d{1,6})$")


def _contains(column, text: str):
    """Case-insensitive "contains" on both engines (SQLite's LIKE already ignores ASCII case)."""
    pattern = "%" + text.replace("%", "").replace("_", "") + "%"
    return column.ilike(pattern) if is_postgres() else column.like(pattern)


@dataclass(frozen=True)
class Found:
    """The booking a scan or a permit number names, or the day's bookings matching a name."""

    booking_id: int | None = None
    matches: tuple[int, ...] = ()


class LookupRefused(ValidationFailed):
    """The scanned or typed text names no booking the desk can act on today."""

    def __init__(self, msgid: str, **params: object) -> None:
        super().__init__({"q": msgid}, message=msgid, params=params)


async def find(text: str, day: date | None = None) -> Found:
    """What the desk typed or scanned: a permit QR code ("CAC1:<number>:<signature>"), a permit
    number, or part of a group's (or a walk-in person's) name in kanji, hiragana or katakana."""
    day = day or today()
    raw = normalise(text)
    if not raw:
        raise LookupRefused(N_("Scan a permit, or type its number or a group name."))
    if raw.upper().startswith(f"{CODE_PREFIX}:"):
        number = parse_permit_code(CODE_PREFIX + raw[len(CODE_PREFIX) :])
        if number is None:
            raise LookupRefused(
                N_("This QR code was not issued by the center or is damaged. Type the permit number instead.")
            )
        return Found(await _by_permit(number, day))
    if match := PERMIT_NUMBER.match(raw):
        number = f"{match.group(1)}-{int(match.group(2)):06d}"
        return Found(await _by_permit(number, day))
    return Found(matches=await _by_name(raw, day))


async def _by_permit(number: str, day: date) -> int:
    booking = await Booking.select().where(Booking.permit_number == number).first()
    if booking is None:
        raise LookupRefused(N_("No booking has the permit number %(number)s."), number=number)
    used_on = to_local(booking["starts_at"]).date()
    if used_on != day:
        raise LookupRefused(
            N_("Permit %(number)s is for %(date)s, not for this day."),
            number=number,
            date=format_date(used_on),
        )
    if booking["status"] == "cancelled":
        raise LookupRefused(N_("The booking with permit %(number)s was cancelled."), number=number)
    if booking["status"] != "approved":
        raise LookupRefused(N_("The booking with permit %(number)s is not approved."), number=number)
    return booking["id"]


async def _by_name(text: str, day: date) -> tuple[int, ...]:
    start, end = local_day_bounds(day)
    kana = to_katakana(text.replace(" ", "").replace("　", ""))
    groups = await Group.select(Group.id).where(
        _contains(Group.name, text) | _contains(Group.name_kana, kana)
    )
    group_ids = [row["id"] for row in groups]
    query = Booking.select(Booking.id).where(
        (Booking.starts_at < end) & (Booking.ends_at > start) & Booking.status.is_in(list(SHOWN_STATUSES))
    )
    query = query.where(Booking.group.is_in(group_ids or [-1]) | _contains(Booking.walk_in_name, text))
    rows = await query.order_by(Booking.starts_at)
    if not rows:
        raise LookupRefused(N_("No booking on this day matches “%(query)s”."), query=text)
    return tuple(row["id"] for row in rows)


async def desk_booking(booking_id: int) -> dict:
    """A booking with its group, room and money, for the desk's page of one booking."""
    booking = await Booking.select().where(Booking.id == booking_id).first()
    if booking is None:
        raise NotFound(N_("That booking does not exist."))
    group = await Group.select().where(Group.id == booking["group"]).first()
    room = await Room.select().where(Room.id == booking["room"]).first()
    paid = (await money_of([booking_id])).get(booking_id, (0, 0))
    payments = await Payment.select().where(Payment.booking == booking_id).order_by(Payment.paid_at)
    return {
        "booking": booking,
        "group": group,
        "room": room,
        "room_name": pick(room["name_ja"], room["name_en"]),
        "name": walk_in_label(booking, group),
        "state": booking_state(booking),
        "money": money(booking, paid),
        "payments": payments,
        "no_show_from": await no_show_from(booking),
    }
