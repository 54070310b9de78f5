"""Feed events from the bookings domain: public bookings, a group's bookings and its lottery
results."""

from __future__ import annotations

from datetime import datetime

from bookings.tables import Booking, LotteryEntry
from center.lib.dates import local_instant
from center.lib.i18n import N_
from center.lib.i18n import gettext as _
from center.places.tables import Slot
from center.shell.feeds.calendars import FeedEvent
from center.shell.feeds.windows import Place, UrlFor, Window, _max, latest

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
