"""What each feed holds: the records of a window turned into FeedEvents, and the feed's
last-modified instant.

The last-modified instant is the latest change among *all* the records the feed draws from (not
only the ones it shows), so a record leaving the feed (made private, moved out of the room) moves
it forward too; for the default window, which slides each day, the start of today counts as a
change as well. Records are marked, never deleted, so it never goes backwards.

The bookings, programme and ledger tables are read here directly where their public functions do
not return what a feed needs (ids, update times, sequence counters): this module only reads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bookings.tables import Booking, LotteryEntry
from center.ledger.tables import Hold
from center.lib.dates import TOKYO, local_day_bounds, local_instant, today
from center.lib.i18n import N_, pick
from center.lib.i18n import gettext as _
from center.lib.months import add_months
from center.places.tables import CenterProfile, Room, Slot
from center.programmes import screenings as screening_service
from center.programmes.tables import FlowerbedDay, FlowerbedSignup
from center.shell.feeds.calendars import FeedEvent

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
UrlFor = Callable[..., str]
# What a feed reads its events from: (window, place, url_for) -> (events, last change).
Collector = Callable[["Window", "Place", UrlFor], Awaitable[tuple[list["FeedEvent"], datetime]]]


@dataclass(frozen=True)
class Window:
    """Tokyo days [start, end], and whether it is the default sliding window."""

    start: date
    end: date
    sliding: bool = True

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return local_day_bounds(self.start)[0], local_day_bounds(self.end)[1]


def default_window(on: date | None = None) -> Window:
    """Three months back to twelve months ahead (Tokyo days)."""
    on = on or today()
    return Window(add_months(on, -3), add_months(on, 12))


def narrowed(start: date | None, end: date | None, on: date | None = None) -> Window:
    """The default window narrowed by ?from and ?to (never widened)."""
    base = default_window(on)
    if start is None and end is None:
        return base
    return Window(max(start or base.start, base.start), min(end or base.end, base.end), sliding=False)


def latest(*stamps: datetime | None) -> datetime:
    found = [s for s in stamps if s is not None]
    return max(found) if found else EPOCH


def window_stamp(window: Window) -> datetime:
    """The sliding window changes each Tokyo midnight: a change in its own right."""
    return local_day_bounds(window.start)[0] if window.sliding else EPOCH


async def _max(column, *where) -> datetime | None:
    query = column._meta.table.select(column.as_alias("stamp")).order_by(column, ascending=False).limit(1)
    for condition in where:
        query = query.where(condition)
    query = query.where(column.is_not_null())
    row = await query.first()
    return row["stamp"] if row else None


@dataclass(frozen=True)
class Place:
    """Names for LOCATION: the room and the center with its address."""

    center_ja: str
    center_en: str
    address: str

    def location(self, room_ja: str, room_en: str) -> str:
        room = pick(room_ja, room_en)
        center = pick(self.center_ja, self.center_en)
        parts = [room, center, self.address]
        return ", ".join(part for part in parts if part)


async def place() -> tuple[Place, datetime | None]:
    row = await CenterProfile.select().first()
    if row is None:
        return Place("", "", ""), None
    return Place(row["name_ja"], row["name_en"], row["address_ja"]), row["updated_at"]


# --- bookings -----------------------------------------------------------------------------------

_BOOKING_STATUS = {"requested": "TENTATIVE", "approved": "CONFIRMED"}


# The bookings pages' own words for the states (the same msgids, so the same translations).
BOOKING_STATES = {
    "requested": N_("Requested (awaiting approval)"),
    "approved": N_("Confirmed (approved)"),
    "declined": N_("Request declined"),
    "cancelled": N_("Booking cancelled"),
    "lapsed": N_("Lapsed (not approved in time)"),
}
LOTTERY_STATES = {
    "applied": N_("Applied: waiting for the draw"),
    "won": N_("Won: please confirm"),
    "lost": N_("Not drawn"),
    "confirmed": N_("Won and confirmed"),
    "forfeited": N_("Forfeited: not confirmed in time"),
    "withdrawn": N_("Withdrawn"),
}


def _booking_state(status: str) -> str:
    return _(BOOKING_STATES[status]) if status in BOOKING_STATES else status


def _booking_columns():
    return (
        Booking.id,
        Booking.status,
        Booking.starts_at,
        Booking.ends_at,
        Booking.purpose,
        Booking.public,
        Booking.public_title,
        Booking.ical_sequence,
        Booking.created_at,
        Booking.updated_at,
        Booking.decided_at,
        Booking.permit_number,
        Booking.cancel_reason,
        Booking.lottery_entry,
        Booking.room.name_ja.as_alias("room_name_ja"),
        Booking.room.name_en.as_alias("room_name_en"),
        Booking.group.name.as_alias("group_name"),
    )


async def public_bookings(window: Window, where: Place, url_for: UrlFor) -> tuple[list[FeedEvent], datetime]:
    """Approved public bookings, and public ones cancelled after approval (kept as CANCELLED).
    Only the public title, room and time: no group contacts, head counts or fees."""
    start, end = window.bounds
    rows = await Booking.select(*_booking_columns()).where(
        (Booking.public == True)
        & (Booking.starts_at < end)
        & (Booking.ends_at > start)
        & (
            (Booking.status == "approved")
            | ((Booking.status == "cancelled") & Booking.decided_at.is_not_null())
        )
    )
    events = [
        FeedEvent(
            kind="booking",
            ref=str(row["id"]),
            summary=row["public_title"] or row["purpose"],
            starts=row["starts_at"],
            ends=row["ends_at"],
            updated_at=row["updated_at"],
            created_at=row["created_at"],
            sequence=row["ical_sequence"],
            status="CANCELLED" if row["status"] == "cancelled" else "CONFIRMED",
            location=where.location(row["room_name_ja"], row["room_name_en"]),
            url=url_for("places:calendar"),
        )
        for row in rows
    ]
    return events, latest(await _max(Booking.updated_at))


async def group_bookings(
    group_id: int, window: Window, where: Place, url_for: UrlFor
) -> tuple[list[FeedEvent], datetime]:
    """All of a group's bookings in the window with their state: requested (TENTATIVE), confirmed,
    and cancelled, declined or lapsed (CANCELLED, so clients remove them)."""
    start, end = window.bounds
    rows = await Booking.select(*_booking_columns()).where(
        (Booking.group == group_id) & (Booking.starts_at < end) & (Booking.ends_at > start)
    )
    events = []
    for row in rows:
        state = _booking_state(row["status"])
        lines = [_("State: %(state)s", state=state), _("Purpose: %(purpose)s", purpose=row["purpose"])]
        if row["permit_number"]:
            lines.append(_("Permit number: %(number)s", number=row["permit_number"]))
        if row["lottery_entry"]:
            lines.append(_("Won in the lottery."))
        if row["cancel_reason"] and row["status"] == "cancelled":
            lines.append(_("Reason: %(reason)s", reason=row["cancel_reason"]))
        events.append(
            FeedEvent(
                kind="booking",
                ref=str(row["id"]),
                summary=f"[{state}] {row['purpose']}",
                starts=row["starts_at"],
                ends=row["ends_at"],
                updated_at=row["updated_at"],
                created_at=row["created_at"],
                sequence=row["ical_sequence"],
                status=_BOOKING_STATUS.get(row["status"], "CANCELLED"),
                location=where.location(row["room_name_ja"], row["room_name_en"]),
                description="\n".join(lines),
                url=url_for("bookings:detail", booking_id=row["id"]),
            )
        )
    stamp = await _max(Booking.updated_at, Booking.group == group_id)
    return events, latest(stamp)


_LOTTERY_ORDER = {"applied": 0, "won": 1, "lost": 1, "withdrawn": 1, "confirmed": 2, "forfeited": 2}


async def lottery_results(group_id: int, window: Window, where: Place) -> tuple[list[FeedEvent], datetime]:
    """A group's lottery entries that have no booking of their own: applications (TENTATIVE) and
    entries that were not drawn, withdrawn or forfeited (CANCELLED). A won entry is its booking."""
    rows = await LotteryEntry.select(
        LotteryEntry.id,
        LotteryEntry.day,
        LotteryEntry.slot_code,
        LotteryEntry.purpose,
        LotteryEntry.status,
        LotteryEntry.booking,
        LotteryEntry.created_at,
        LotteryEntry.decided_at,
        LotteryEntry.room.name_ja.as_alias("room_name_ja"),
        LotteryEntry.room.name_en.as_alias("room_name_en"),
    ).where(
        (LotteryEntry.group == group_id)
        & (LotteryEntry.day >= window.start)
        & (LotteryEntry.day <= window.end)
    )
    slots = {row["code"]: row for row in await Slot.select(Slot.code, Slot.starts, Slot.ends)}
    events = []
    for row in rows:
        slot = slots.get(row["slot_code"])
        if slot is None or row["booking"] is not None:
            continue
        events.append(
            FeedEvent(
                kind="lottery",
                ref=str(row["id"]),
                summary=_("Lottery: %(state)s", state=_(LOTTERY_STATES.get(row["status"], row["status"])))
                + f" {row['purpose']}",
                starts=local_instant(row["day"], slot["starts"]),
                ends=local_instant(row["day"], slot["ends"]),
                updated_at=latest(row["created_at"], row["decided_at"]),
                created_at=row["created_at"],
                sequence=_LOTTERY_ORDER.get(row["status"], 0),
                status="TENTATIVE" if row["status"] in ("applied", "won") else "CANCELLED",
                location=where.location(row["room_name_ja"], row["room_name_en"]),
            )
        )
    stamp = latest(
        await _max(LotteryEntry.created_at, LotteryEntry.group == group_id),
        await _max(LotteryEntry.decided_at, LotteryEntry.group == group_id),
    )
    return events, stamp


# --- programmes ---------------------------------------------------------------------------------


async def screening_events(window: Window, where: Place, url_for: UrlFor) -> tuple[list[FeedEvent], datetime]:
    """Exercise-video screenings, cancelled ones kept as CANCELLED."""
    rows = await screening_service.screenings_between(window.start, window.end)
    events = [
        FeedEvent(
            kind="screening",
            ref=str(row["id"]),
            summary=_("Exercise video: %(title)s", title=row["title"]),
            starts=row["starts_at"],
            ends=row["ends_at"],
            updated_at=row["updated_at"],
            created_at=row["created_at"],
            sequence=row["sequence"],
            status="CANCELLED" if row["status"] == "cancelled" else "CONFIRMED",
            location=where.location(row["room_name_ja"], row["room_name_en"]),
            url=url_for("programmes:screenings"),
        )
        for row in rows
    ]
    from center.programmes.tables import Screening

    return events, latest(await _max(Screening.updated_at))


def _day_event(day: dict, where: Place, url_for: UrlFor, **overrides) -> FeedEvent:
    fields = {
        "kind": "flowerbed",
        "ref": str(day["id"]),
        "summary": pick(day["title_ja"], day["title_en"]),
        "starts": day["starts_at"],
        "ends": day["ends_at"],
        "updated_at": day["updated_at"],
        "created_at": day["created_at"],
        "sequence": day["sequence"],
        "status": "CANCELLED" if day["status"] == "cancelled" else "CONFIRMED",
        "location": ", ".join(
            p for p in (day["meeting_point"], pick(where.center_ja, where.center_en), where.address) if p
        ),
        "description": day["change_note"] or "",
        "url": url_for("programmes:flowerbed_day", day_id=day["id"]),
    }
    fields.update(overrides)
    return FeedEvent(**fields)


async def flowerbed_events(window: Window, where: Place, url_for: UrlFor) -> tuple[list[FeedEvent], datetime]:
    """Flower-bed days on their current date (a postponed day moves: same UID, higher SEQUENCE)."""
    rows = await FlowerbedDay.select().where(
        (FlowerbedDay.day >= window.start) & (FlowerbedDay.day <= window.end)
    )
    events = [_day_event(day, where, url_for) for day in rows]
    return events, latest(await _max(FlowerbedDay.updated_at))


_SIGNUP_STATE = {"confirmed": "CONFIRMED", "waitlisted": "TENTATIVE"}


async def volunteer_signups(
    signup_id: int, window: Window, where: Place, url_for: UrlFor
) -> tuple[list[FeedEvent], datetime]:
    """The one signup a volunteer's feed token was made from, on its day. Never the other signups
    with the same name and contact: those are typed in by whoever signs up, so anyone who knows a
    volunteer's name and phone could sign up with them and read that volunteer's days."""
    signups = await FlowerbedSignup.select().where(FlowerbedSignup.id == signup_id)
    day_ids = sorted({s["day"] for s in signups})
    days = {d["id"]: d for d in await FlowerbedDay.select().where(FlowerbedDay.id.is_in(day_ids or [-1]))}
    waiting = _("Waiting list")
    events = []
    stamps: list[datetime | None] = []
    for signup in signups:
        day = days[signup["day"]]
        changed = latest(
            day["updated_at"], signup["created_at"], signup["promoted_at"], signup["cancelled_at"]
        )
        stamps.append(changed)
        if not window.start <= day["day"] <= window.end:
            continue
        status = _SIGNUP_STATE.get(signup["status"], "CANCELLED")
        if day["status"] == "cancelled":
            status = "CANCELLED"
        title = pick(day["title_ja"], day["title_en"])
        events.append(
            _day_event(
                day,
                where,
                url_for,
                kind="signup",
                ref=str(signup["id"]),
                summary=f"[{waiting}] {title}" if signup["status"] == "waitlisted" else title,
                updated_at=changed,
                created_at=signup["created_at"],
                sequence=day["sequence"]
                + (1 if signup["promoted_at"] else 0)
                + (1 if signup["cancelled_at"] else 0),
                status=status,
            )
        )
    return events, latest(*stamps)


# --- the ledger ---------------------------------------------------------------------------------


async def _holds(window: Window, room_id: int | None) -> list[dict]:
    start, end = window.bounds
    query = Hold.select(
        Hold.id,
        Hold.room,
        Hold.kind,
        Hold.ref,
        Hold.label,
        Hold.active,
        Hold.starts_at,
        Hold.ends_at,
        Hold.created_at,
        Hold.released_at,
        Hold.room.name_ja.as_alias("room_name_ja"),
        Hold.room.name_en.as_alias("room_name_en"),
    ).where((Hold.starts_at < end) & (Hold.ends_at > start))
    if room_id is not None:
        query = query.where(Hold.room == room_id)
    return await query


async def _hold_owners(holds: list[dict]) -> dict[int, dict]:
    """The booking behind each booking hold (its sequence, update time, state, group)."""
    ids = [h["id"] for h in holds if h["kind"] == "booking"]
    if not ids:
        return {}
    rows = await Booking.select(
        Booking.id,
        Booking.hold,
        Booking.status,
        Booking.ical_sequence,
        Booking.updated_at,
        Booking.purpose,
        Booking.group.name.as_alias("group_name"),
    ).where(Booking.hold.is_in(ids))
    return {row["hold"]: row for row in rows}


def _hold_sequence(hold: dict, owner: dict | None) -> int:
    base = owner["ical_sequence"] if owner else 0
    return base + (0 if hold["active"] else 1)


async def _ledger_stamp(room_id: int | None) -> datetime:
    where = [] if room_id is None else [Hold.room == room_id]
    booking_where = [] if room_id is None else [Booking.room == room_id]
    return latest(
        await _max(Hold.created_at, *where),
        await _max(Hold.released_at, *where),
        # a moved booking keeps its hold and bumps only its own update time
        await _max(Booking.updated_at, *booking_where),
    )


async def room_busy(room_id: int, window: Window, where: Place) -> tuple[list[FeedEvent], datetime]:
    """When one room is held, with nothing about who holds it or why. Released holds stay, as
    CANCELLED, so clients remove them."""
    holds = await _holds(window, room_id)
    owners = await _hold_owners(holds)
    busy = _("Busy")
    events = [
        FeedEvent(
            kind="hold",
            ref=str(hold["id"]),
            summary=busy,
            starts=hold["starts_at"],
            ends=hold["ends_at"],
            updated_at=latest(
                hold["created_at"], hold["released_at"], (owners.get(hold["id"]) or {}).get("updated_at")
            ),
            created_at=hold["created_at"],
            sequence=_hold_sequence(hold, owners.get(hold["id"])),
            status="CONFIRMED" if hold["active"] else "CANCELLED",
            location=where.location(hold["room_name_ja"], hold["room_name_en"]),
        )
        for hold in holds
    ]
    return events, await _ledger_stamp(room_id)


async def desk_holds(window: Window, where: Place, url_for: UrlFor) -> tuple[list[FeedEvent], datetime]:
    """The front desk's view: every hold on every room, with what holds it."""
    holds = await _holds(window, None)
    owners = await _hold_owners(holds)
    kinds = {
        "booking": _("Booking"),
        "screening": _("Screening"),
        "closure": _("Closure"),
        "programme": _("Programme"),
    }
    events = []
    for hold in holds:
        owner = owners.get(hold["id"])
        room = pick(hold["room_name_ja"], hold["room_name_en"])
        what = hold["label"] or kinds.get(hold["kind"], hold["kind"])
        lines = [kinds.get(hold["kind"], hold["kind"])]
        url = url_for("desk:board")
        if owner:
            what = f"{owner['group_name']}: {owner['purpose']}"
            lines.append(_("State: %(state)s", state=_booking_state(owner["status"])))
            url = url_for("bookings:staff_detail", booking_id=owner["id"])
        events.append(
            FeedEvent(
                kind="hold",
                ref=str(hold["id"]),
                summary=f"{room}: {what}",
                starts=hold["starts_at"],
                ends=hold["ends_at"],
                updated_at=latest(hold["created_at"], hold["released_at"], (owner or {}).get("updated_at")),
                created_at=hold["created_at"],
                sequence=_hold_sequence(hold, owner),
                status="CONFIRMED" if hold["active"] else "CANCELLED",
                location=where.location(hold["room_name_ja"], hold["room_name_en"]),
                description="\n".join(lines),
                url=url,
            )
        )
    return events, await _ledger_stamp(None)


async def rooms() -> list[dict]:
    return (
        await Room.select(Room.id, Room.code, Room.name_ja, Room.name_en)
        .order_by(Room.floor)
        .order_by(Room.id)
    )


def tokyo_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=TOKYO)


# --- facilities ---------------------------------------------------------------------------------


async def facilities_events(
    window: Window, where: Place, url_for: UrlFor
) -> tuple[list[FeedEvent], datetime]:
    """Facilities' calendar: tickets on their due dates and inspections on theirs (all-day), and
    room closures at their times. Rejected tickets and ended closures stay, marked."""
    from maintenance import inspections as inspection_service
    from maintenance.tables import Closure, Ticket, TicketEvent
    from maintenance.workflow import STATUSES

    tickets = await Ticket.select(
        Ticket.id,
        Ticket.title,
        Ticket.status,
        Ticket.priority,
        Ticket.due_on,
        Ticket.created_at,
        Ticket.updated_at,
        Ticket.location.name_ja.as_alias("location_ja"),
        Ticket.location.name_en.as_alias("location_en"),
    ).where(Ticket.due_on.is_not_null() & (Ticket.due_on >= window.start) & (Ticket.due_on <= window.end))
    changes: dict[int, int] = {}
    if tickets:
        for row in await TicketEvent.select(TicketEvent.ticket).where(
            TicketEvent.ticket.is_in([t["id"] for t in tickets]) & TicketEvent.kind.is_in(["status", "edit"])
        ):
            changes[row["ticket"]] = changes.get(row["ticket"], 0) + 1
    address = ", ".join(p for p in (pick(where.center_ja, where.center_en), where.address) if p)
    events = []
    for ticket in tickets:
        state = _(STATUSES.get(ticket["status"], ticket["status"]))
        events.append(
            FeedEvent(
                kind="ticket",
                ref=str(ticket["id"]),
                summary=_("Due: %(title)s [%(state)s]", title=ticket["title"], state=state),
                starts=ticket["due_on"],
                ends=ticket["due_on"] + timedelta(days=1),
                updated_at=ticket["updated_at"],
                created_at=ticket["created_at"],
                sequence=changes.get(ticket["id"], 0),
                status="CANCELLED" if ticket["status"] == "rejected" else "CONFIRMED",
                location=", ".join(
                    p for p in (pick(ticket["location_ja"], ticket["location_en"]), address) if p
                ),
                url=url_for("maintenance:ticket", ticket_id=ticket["id"]),
            )
        )
    for row in await inspection_service.list_inspections(window.start):
        due = row["next_due"]
        if not row["active"] or not window.start <= due <= window.end:
            continue
        done = tokyo_midnight(row["last_done"]) if row["last_done"] else None
        events.append(
            FeedEvent(
                kind="inspection",
                # one event per due date: doing it moves the next one to a new date, a new event
                ref=f"{row['id']}-{due:%Y%m%d}",
                summary=_("Inspection: %(title)s", title=pick(row["title_ja"], row["title_en"])),
                starts=due,
                ends=due + timedelta(days=1),
                updated_at=latest(row["updated_at"], done),
                created_at=row["created_at"],
                location=", ".join(
                    p for p in (pick(row["location_name_ja"], row["location_name_en"]), address) if p
                ),
                url=url_for("maintenance:inspections"),
            )
        )
    start, end = window.bounds
    closures = await Closure.select(
        Closure.id,
        Closure.ticket,
        Closure.starts_at,
        Closure.ends_at,
        Closure.active,
        Closure.reason,
        Closure.created_at,
        Closure.ended_at,
        Closure.room.name_ja.as_alias("room_name_ja"),
        Closure.room.name_en.as_alias("room_name_en"),
    ).where((Closure.starts_at < end) & (Closure.ends_at > start))
    for closure in closures:
        ended = closure["ended_at"]
        early = bool(ended and ended < closure["ends_at"])
        events.append(
            FeedEvent(
                kind="closure",
                ref=str(closure["id"]),
                summary=_("Closed: %(room)s", room=pick(closure["room_name_ja"], closure["room_name_en"])),
                starts=closure["starts_at"],
                ends=max(ended, closure["starts_at"] + timedelta(minutes=1)) if early else closure["ends_at"],
                updated_at=latest(closure["created_at"], ended),
                created_at=closure["created_at"],
                sequence=1 if early else 0,
                status="CANCELLED" if early and ended <= closure["starts_at"] else "CONFIRMED",
                location=where.location(closure["room_name_ja"], closure["room_name_en"]),
                description=closure["reason"],
                url=url_for("maintenance:ticket", ticket_id=closure["ticket"]),
            )
        )
    from maintenance.tables import Inspection

    stamp = latest(
        await _max(Ticket.updated_at),
        await _max(TicketEvent.at),
        await _max(Closure.created_at),
        await _max(Closure.ended_at),
        await _max(Inspection.updated_at),
    )
    return events, stamp
