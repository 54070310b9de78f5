"""Feed events from the bookings domain: public bookings, a group's bookings and its lottery
results."""

from __future__ import annotations

from datetime import datetime

from bookings import feed_events as booking_reads
from center.lib.dates import local_instant
from center.lib.i18n import N_
from center.lib.i18n import gettext as _
from center.places.tables import Slot
from center.shell.feeds.calendars import FeedEvent
from center.shell.feeds.windows import Place, UrlFor, Window, latest

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


async def public_bookings(window: Window, where: Place, url_for: UrlFor) -> tuple[list[FeedEvent], datetime]:
    """Approved public bookings, and public ones cancelled after approval (kept as CANCELLED).
    Only the public title, room and time: no group contacts, head counts or fees."""
    start, end = window.bounds
    rows = await booking_reads.public_booking_rows(start, end)
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
    return events, latest(await booking_reads.bookings_changed())


async def group_bookings(
    group_id: int, window: Window, where: Place, url_for: UrlFor
) -> tuple[list[FeedEvent], datetime]:
    """All of a group's bookings in the window with their state: requested (TENTATIVE), confirmed,
    and cancelled, declined or lapsed (CANCELLED, so clients remove them)."""
    start, end = window.bounds
    rows = await booking_reads.group_booking_rows(group_id, start, end)
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
    return events, latest(await booking_reads.bookings_changed(group_id=group_id))


_LOTTERY_ORDER = {"applied": 0, "won": 1, "lost": 1, "withdrawn": 1, "confirmed": 2, "forfeited": 2}


async def lottery_results(group_id: int, window: Window, where: Place) -> tuple[list[FeedEvent], datetime]:
    """A group's lottery entries that have no booking of their own: applications (TENTATIVE) and
    entries that were not drawn, withdrawn or forfeited (CANCELLED). A won entry is its booking."""
    rows = await booking_reads.lottery_entry_rows(group_id, window.start, window.end)
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
    stamp = latest(*await booking_reads.lottery_changed(group_id))
    return events, stamp
