"""What follows the draw: wins not confirmed by the round's confirm-by date are forfeited, their
slots released and the groups told (the scheduled job)."""

from __future__ import annotations

from datetime import UTC, datetime

from bookings.lottery.common import SYSTEM
from bookings.lottery.draws import notify_entry
from bookings.lottery.rounds import get_round
from bookings.tables import Booking, LotteryEntry
from center.accounts import audit
from center.ledger.service import release_hold
from center.lib.dates import TOKYO
from center.lib.db import write_transaction
from center.places.tables import Room


async def forfeit_due(now: datetime | None = None) -> dict[str, int]:
    """Scheduled: wins not confirmed by the end of the confirm-by day are forfeited (the booking
    lapses and its hold is released). A win whose booking staff approved counts as confirmed.
    Idempotent."""
    now = now or datetime.now(UTC)
    day = now.astimezone(TOKYO).date()
    due = await LotteryEntry.select(LotteryEntry.id).where(
        (LotteryEntry.status == "won") & (LotteryEntry.round.confirm_by < day)
    )
    counts = {"forfeited": 0, "confirmed": 0}
    for row in due:
        async with write_transaction():
            entry = (
                await LotteryEntry.select()
                .where((LotteryEntry.id == row["id"]) & (LotteryEntry.status == "won"))
                .first()
            )
            if entry is None:
                continue
            booking = await Booking.select().where(Booking.id == entry["booking"]).first()
            status = "confirmed" if booking and booking["status"] == "approved" else "forfeited"
            if booking and booking["status"] == "requested":
                await Booking.update(
                    {
                        Booking.status: "lapsed",
                        Booking.updated_at: now,
                        Booking.ical_sequence: Booking.ical_sequence + 1,
                    }
                ).where((Booking.id == booking["id"]) & (Booking.status == "requested"))
                if booking["hold"]:
                    await release_hold(booking["hold"], reason="lottery win not confirmed")
                after_booking = await Booking.select().where(Booking.id == booking["id"]).first()
                await audit.record(
                    "lottery_forfeit",
                    "booking",
                    booking["id"],
                    actor=SYSTEM,
                    before=booking,
                    after=after_booking,
                )
            await LotteryEntry.update({LotteryEntry.status: status, LotteryEntry.decided_at: now}).where(
                LotteryEntry.id == entry["id"]
            )
            after = await LotteryEntry.select().where(LotteryEntry.id == entry["id"]).first()
            await audit.record(
                f"lottery_{status}", "lottery_entry", entry["id"], actor=SYSTEM, before=entry, after=after
            )
            if status == "forfeited":
                room = await Room.select().where(Room.id == entry["room"]).first()
                await notify_entry(entry, "forfeit", room, await get_round(entry["round"]))
            counts[status] += 1
    return counts
