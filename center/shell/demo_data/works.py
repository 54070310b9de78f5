"""A room closed for works last month, as maintenance.closures.close_room records it (a closure
hold in the ledger, the closure and what it moved), for a day that has passed, which close_room
itself refuses; the ticket is then finished. The two bookings that held the room move to another
room at the same time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bookings.tables import Booking
from center.ledger.service import move_hold, take_hold
from center.lib.dates import to_local
from maintenance import closure_clashes
from maintenance.tables import Closure, Location
from maintenance.tickets import create_ticket, transition


@dataclass
class _Staff:
    id: int | None
    display_name: str = "施設管理"


async def close_for_works(
    *,
    room: int,
    target: int,
    starts_at: datetime,
    ends_at: datetime,
    moved: list[int],
    facilities: int | None,
) -> int:
    """Close `room` for [starts_at, ends_at), moving the bookings `moved` to `target`; returns the
    closure id."""
    location = await Location.select(Location.id).where(Location.room == room).first()
    staff = _Staff(facilities)
    ticket = await create_ticket(
        {
            "title": "研修室の床の張り替え", "description": "床材の浮き。1日閉室して張り替える。",
            "category": "repair", "priority": "normal", "location": location["id"] if location else None,
            "due_on": to_local(starts_at).date(), "assignee": facilities, "accessibility_feature": "",
            "project": None,
            "estimated_cost": 180_000, "actual_cost": None, "contractor": "苫小牧内装工業",
            "contractor_contact": "0144-00-2345", "access_times": "9:00～21:00",
        },
        staff,
        status="scheduled",
    )  # fmt: skip
    effects = []
    for booking_id in moved:
        booking = await Booking.select().where(Booking.id == booking_id).first()
        await move_hold(booking["hold"], target, booking["starts_at"], booking["ends_at"])
        await Booking.update({Booking.room: target, Booking.ical_sequence: Booking.ical_sequence + 1}).where(
            Booking.id == booking_id
        )
        effects.append(
            closure_clashes.effect(
                "booking", booking_id, "moved", booking["purpose"], booking["starts_at"], booking["ends_at"],
                moved_room=target, moved_starts_at=booking["starts_at"],
            )
        )  # fmt: skip
    held = await take_hold(room, starts_at, ends_at, "closure", ref=ticket, label="床の張り替え")
    rows = await Closure.insert(
        Closure(
            ticket=ticket, room=room, starts_at=starts_at, ends_at=ends_at, hold=held.id,
            reason="床の張り替え工事", created_by=facilities, created_at=starts_at - timedelta(days=14),
        )
    ).returning(Closure.id)  # fmt: skip
    await closure_clashes.record(rows[0]["id"], effects)
    for state in ("in_progress", "done"):
        await transition(ticket, state, staff)
    return rows[0]["id"]
