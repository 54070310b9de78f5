"""Check-in and check-out at the front desk, keys, head counts, and no-shows. Each change is one
transaction with its audit line; a refused change writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bookings.desk import no_show_from
from bookings.rules import load_policy
from bookings.service import get_booking
from bookings.tables import Booking
from center.accounts import audit
from center.accounts.actors import SYSTEM, Actor
from center.lib.dates import format_date, format_time, to_local, today
from center.lib.db import write_transaction
from center.lib.errors import Conflict, ValidationFailed
from center.lib.i18n import N_, gettext
from center.places import repairs

MAX_HEAD_COUNT = 9999
MAX_KEY = 20
MAX_NOTE = 1000
NO_SHOW_HISTORY_DAYS = 365


class DeskRefused(Conflict):
    """The booking is not in a state for this desk action."""

    message = N_("This cannot be done for this booking now.")


def _check_head_count(head_count: int | None, errors: dict[str, str]) -> None:
    if head_count is not None and not 0 <= head_count <= MAX_HEAD_COUNT:
        errors["head_count"] = N_("Enter the number of people as a whole number, 0 or more.")


def _usable_today(booking: dict, now: datetime) -> None:
    if booking["status"] == "cancelled":
        raise DeskRefused(N_("This booking was cancelled; it cannot be checked in."))
    if booking["status"] != "approved":
        raise DeskRefused(N_("This booking is not approved; it cannot be checked in."))
    used_on = to_local(booking["starts_at"]).date()
    if used_on != to_local(now).date():
        raise DeskRefused(
            N_("This booking is for %(date)s; only today's bookings can be checked in."),
            date=format_date(used_on),
        )


async def check_in(
    booking_id: int,
    actor: Actor,
    *,
    head_count: int | None = None,
    key_number: str = "",
    now: datetime | None = None,
) -> dict:
    """Check a booking in: the time, who did it, the people who came and the key handed out.
    A booking marked no-show by mistake (they came late) can still be checked in; the mark is
    cleared."""
    now = now or datetime.now(UTC)
    errors: dict[str, str] = {}
    _check_head_count(head_count, errors)
    key_number = key_number.strip()
    if len(key_number) > MAX_KEY:
        errors["key_number"] = N_("Use at most 20 characters.")
    if errors:
        raise ValidationFailed(errors)
    async with write_transaction():
        before = await get_booking(booking_id)
        _usable_today(before, now)
        if before["checked_in_at"]:
            raise DeskRefused(
                N_("Already checked in at %(time)s."), time=format_time(before["checked_in_at"])
            )
        values = {
            Booking.checked_in_at: now,
            Booking.checked_in_by: actor.id,
            Booking.no_show_at: None,
            Booking.updated_at: now,
        }
        if head_count is not None:
            values[Booking.actual_head_count] = head_count
        if key_number:
            values[Booking.key_number] = key_number
            values[Booking.key_out_at] = now
        await Booking.update(values).where((Booking.id == booking_id) & Booking.checked_in_at.is_null())
        after = await get_booking(booking_id)
        await audit.record("check_in", "booking", booking_id, actor=actor, before=before, after=after)
        return after


async def check_out(
    booking_id: int,
    actor: Actor,
    *,
    head_count: int | None = None,
    key_returned: bool = True,
    note: str = "",
    now: datetime | None = None,
) -> dict:
    """Check a booking out: the time, the key back (or not), the final head count and a note
    (damage, things left behind)."""
    now = now or datetime.now(UTC)
    errors: dict[str, str] = {}
    _check_head_count(head_count, errors)
    note = note.strip()
    if len(note) > MAX_NOTE:
        errors["note"] = N_("Use at most 1000 characters.")
    if errors:
        raise ValidationFailed(errors)
    async with write_transaction():
        before = await get_booking(booking_id)
        if not before["checked_in_at"]:
            raise DeskRefused(N_("This booking has not been checked in, so it cannot be checked out."))
        if before["checked_out_at"]:
            raise DeskRefused(
                N_("Already checked out at %(time)s."), time=format_time(before["checked_out_at"])
            )
        values = {Booking.checked_out_at: now, Booking.updated_at: now}
        if head_count is not None:
            values[Booking.actual_head_count] = head_count
        if before["key_out_at"] and key_returned:
            values[Booking.key_returned_at] = now
        if note:
            values[Booking.desk_note] = (before["desk_note"] + "\n" + note).strip()
        await Booking.update(values).where((Booking.id == booking_id) & Booking.checked_out_at.is_null())
        after = await get_booking(booking_id)
        await audit.record(
            "check_out", "booking", booking_id, actor=actor, before=before, after=after, note=note
        )
        return after


REPAIR_SOURCE = N_("From the front desk: booking No. %(booking)s, permit No. %(permit)s, %(date)s.")


async def open_repair_ticket(booking_id: int, note: str, actor: Actor) -> int:
    """A damage note becomes a repair ticket for the booking's room, through the repair desk port
    (center.places.repairs; one transaction, joining the caller's). Returns the ticket number."""
    async with write_transaction():
        booking = await get_booking(booking_id)
        source = gettext(
            REPAIR_SOURCE,
            booking=booking_id,
            permit=booking["permit_number"] or "–",
            date=format_date(to_local(booking["starts_at"]).date()),
        )
        ticket_id = await repairs.open_repair_ticket(booking["room"], note, source, actor)
        await audit.record(
            "repair_ticket",
            "booking",
            booking_id,
            actor=actor,
            after={"ticket": ticket_id},
            note=note.strip(),
        )
        return ticket_id


async def check_out_with_repair_ticket(
    booking_id: int, actor: Actor, *, head_count: int | None = None, key_returned: bool = True, note: str = ""
) -> tuple[dict, int]:
    """Check out and open a repair ticket from the damage note, all or nothing."""
    if not note.strip():
        raise ValidationFailed({"note": N_("Write what is damaged to open a repair ticket.")})
    async with write_transaction():
        after = await check_out(
            booking_id, actor, head_count=head_count, key_returned=key_returned, note=note
        )
        return after, await open_repair_ticket(booking_id, note, actor)


async def return_key(booking_id: int, actor: Actor, *, now: datetime | None = None) -> dict:
    """The key came back after check-out (someone forgot to return it at the time)."""
    now = now or datetime.now(UTC)
    async with write_transaction():
        before = await get_booking(booking_id)
        if not before["key_out_at"] or before["key_returned_at"]:
            raise DeskRefused(N_("No key is out for this booking."))
        await Booking.update({Booking.key_returned_at: now, Booking.updated_at: now}).where(
            Booking.id == booking_id
        )
        after = await get_booking(booking_id)
        await audit.record("return_key", "booking", booking_id, actor=actor, before=before, after=after)
        return after


async def hand_out_key(
    booking_id: int, actor: Actor, key_number: str, *, now: datetime | None = None
) -> dict:
    """Record the key handed out to a booking already checked in (a scanned permit checks in at
    once, before the desk hands the key over)."""
    now = now or datetime.now(UTC)
    key_number = key_number.strip()
    if not key_number:
        raise ValidationFailed({"key_number": N_("Enter the number of the key handed out.")})
    if len(key_number) > MAX_KEY:
        raise ValidationFailed({"key_number": N_("Use at most 20 characters.")})
    async with write_transaction():
        before = await get_booking(booking_id)
        if not before["checked_in_at"] or before["checked_out_at"]:
            raise DeskRefused(N_("A key can be recorded only while the booking is checked in."))
        if before["key_out_at"] and not before["key_returned_at"]:
            raise DeskRefused(
                N_("Key No. %(number)s is already out for this booking."), number=before["key_number"]
            )
        await Booking.update(
            {
                Booking.key_number: key_number,
                Booking.key_out_at: now,
                Booking.key_returned_at: None,
                Booking.updated_at: now,
            }
        ).where(Booking.id == booking_id)
        after = await get_booking(booking_id)
        await audit.record("hand_out_key", "booking", booking_id, actor=actor, before=before, after=after)
        return after


async def mark_no_show(booking_id: int, actor: Actor, *, now: datetime | None = None) -> dict:
    """Mark a booking nobody checked in as a no-show, once the grace period has passed."""
    now = now or datetime.now(UTC)
    async with write_transaction():
        before = await get_booking(booking_id)
        if before["status"] != "approved":
            raise DeskRefused(N_("Only an approved booking can be marked as a no-show."))
        if before["checked_in_at"]:
            raise DeskRefused(N_("This booking was checked in; it is not a no-show."))
        if before["no_show_at"]:
            raise DeskRefused(N_("This booking is already marked as a no-show."))
        allowed_from = await no_show_from(before)
        if now < allowed_from:
            raise DeskRefused(
                N_("A no-show can be marked from %(time)s (the grace period after the start)."),
                time=format_time(allowed_from),
            )
        await Booking.update({Booking.no_show_at: now, Booking.updated_at: now}).where(
            (Booking.id == booking_id) & Booking.no_show_at.is_null() & Booking.checked_in_at.is_null()
        )
        after = await get_booking(booking_id)
        await audit.record("no_show", "booking", booking_id, actor=actor, before=before, after=after)
        return after


async def mark_no_shows_due(now: datetime | None = None) -> list[int]:
    """The scheduled job: approved bookings that ended with nobody checked in (and their grace
    period over) are marked no-show. Idempotent; returns the ids marked."""
    now = now or datetime.now(UTC)
    grace = timedelta(minutes=(await load_policy())["no_show_grace_minutes"])
    due = await Booking.select(Booking.id).where(
        (Booking.status == "approved")
        & Booking.checked_in_at.is_null()
        & Booking.no_show_at.is_null()
        & (Booking.ends_at <= now)
        & (Booking.ends_at > now - timedelta(days=7))  # older ones predate the desk's records
    )
    marked = []
    for row in due:
        booking = await get_booking(row["id"])
        if booking["starts_at"] + grace > now:
            continue
        try:
            await mark_no_show(row["id"], SYSTEM, now=now)
        except DeskRefused:
            continue  # checked in or marked meanwhile
        marked.append(row["id"])
    return marked


async def group_no_shows(group_id: int, *, days: int = NO_SHOW_HISTORY_DAYS) -> list[dict]:
    """A group's no-shows over the last year, newest first (the manager's group page shows them)."""
    since = datetime.now(UTC) - timedelta(days=days)
    return (
        await Booking.select(Booking.id, Booking.starts_at, Booking.room.name_ja, Booking.room.name_en)
        .where((Booking.group == group_id) & Booking.no_show_at.is_not_null() & (Booking.starts_at >= since))
        .order_by(Booking.starts_at, ascending=False)
    )


def is_today(booking: dict) -> bool:
    return to_local(booking["starts_at"]).date() == today()
