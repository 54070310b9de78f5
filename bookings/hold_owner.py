"""The bookings domain as the owner of "booking" holds (center.ledger.owners): how another domain
(maintenance closing a room) sees a booking, and moves or cancels it as staff with the group told."""

from __future__ import annotations

from datetime import datetime

from bookings import service, staff_moves
from bookings.rules import BookingRequest, details_of
from bookings.tables import Booking
from center.accounts.actors import Actor, as_staff
from center.accounts.tables import Group
from center.ledger.owners import Contact, Held, MoveTaken
from center.lib import dates

ACTIVE = ("requested", "approved")


def _slot_codes(booking: dict) -> list[str]:
    return [code for code in booking["slot_codes"].split(",") if code]


def _held(booking: dict, group: dict) -> Held:
    return Held(
        kind="booking",
        ref=booking["id"],
        room_id=booking["room"],
        starts_at=booking["starts_at"],
        ends_at=booking["ends_at"],
        title=group.get("name") or booking["purpose"],
        purpose=booking["purpose"],
        head_count=booking["expected_head_count"],
        slot_codes=frozenset(_slot_codes(booking)),
        contact=Contact(
            name=booking["contact_name"],
            phone=booking["contact_phone"] or group.get("contact_phone") or "",
            email=group.get("contact_email") or "",
        ),
        group_id=booking["group"],
        link=f"/bookings/{booking['id']}",
        active=booking["status"] in ACTIVE,
    )


def moved_request(booking: dict, room_id: int, starts_at: datetime) -> BookingRequest:
    """The booking's own request, in another room and (keeping its length) from another start."""
    shift = starts_at - booking["starts_at"]
    starts, ends = dates.to_local(starts_at), dates.to_local(booking["ends_at"] + shift)
    return BookingRequest(
        room_id=room_id,
        day=starts.date(),
        slot_codes=_slot_codes(booking),
        start=starts.time(),
        end=ends.time(),
        **details_of(booking),
    )


class BookingHolds:
    """Owner of the "booking" holds. A booking moves only to another room at the same time."""

    kind = "booking"
    moves_in_time = False

    async def describe(self, refs: list[int]) -> dict[int, Held]:
        rows = await Booking.select().where(Booking.id.is_in(refs))
        group_ids = sorted({row["group"] for row in rows})
        groups = {
            group["id"]: group
            for group in await Group.select(
                Group.id, Group.name, Group.contact_phone, Group.contact_email
            ).where(Group.id.is_in(group_ids or [-1]))
        }
        return {row["id"]: _held(row, groups.get(row["group"], {})) for row in rows}

    async def cancel(self, ref: int, actor: Actor, reason: str) -> None:
        await service.cancel(ref, as_staff(actor), reason)

    async def move(self, ref: int, actor: Actor, room_id: int, starts_at: datetime, reason: str) -> None:
        request = moved_request(await service.get_booking(ref), room_id, starts_at)
        try:
            await staff_moves.move(ref, as_staff(actor), room_id, request, reason)
        except service.BookingTaken as taken:
            raise MoveTaken(taken.conflicts) from taken

    async def later_time(self, ref: int, not_before: datetime) -> datetime | None:
        del ref, not_before  # bookings move to another room, not to another time
        return None
