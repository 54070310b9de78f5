"""Feed events from the ledger (what holds each room, for the desk and a room's busy feed) and the
facilities team's feed."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bookings import feed_events as booking_reads
from center.ledger import reading as ledger_reads
from center.lib.dates import TOKYO
from center.lib.i18n import gettext as _
from center.lib.i18n import pick
from center.places.tables import Room
from center.shell.feeds.booking_sources import _booking_state
from center.shell.feeds.calendars import FeedEvent
from center.shell.feeds.windows import Place, UrlFor, Window, latest


async def _hold_owners(holds: list[dict]) -> dict[int, dict]:
    """The booking behind each booking hold (its sequence, update time, state, group)."""
    return await booking_reads.bookings_of_holds([h["id"] for h in holds if h["kind"] == "booking"])


def _hold_sequence(hold: dict, owner: dict | None) -> int:
    base = owner["ical_sequence"] if owner else 0
    return base + (0 if hold["active"] else 1)


async def _ledger_stamp(room_id: int | None) -> datetime:
    return latest(
        *await ledger_reads.holds_changed(room_id),
        # a moved booking keeps its hold and bumps only its own update time
        await booking_reads.bookings_changed(room_id=room_id),
    )


async def room_busy(room_id: int, window: Window, where: Place) -> tuple[list[FeedEvent], datetime]:
    """When one room is held, with nothing about who holds it or why. Released holds stay, as
    CANCELLED, so clients remove them."""
    holds = await ledger_reads.hold_rows(*window.bounds, room_id)
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
    holds = await ledger_reads.hold_rows(*window.bounds)
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
    from maintenance import feed_events as facilities_reads
    from maintenance import inspections as inspection_service
    from maintenance.workflow import STATUSES

    tickets = await facilities_reads.due_ticket_rows(window.start, window.end)
    changes = await facilities_reads.change_counts([t["id"] for t in tickets])
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
    closures = await facilities_reads.closure_rows(start, end)
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
    stamp = latest(*await facilities_reads.facilities_changed())
    return events, stamp
