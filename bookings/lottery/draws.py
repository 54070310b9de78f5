"""The draw and its notices, and the scheduled draw (forfeits after it are in forfeits, checking a
drawn round against its seed in verification).

The draw per slot: the applicants' entry ids in ascending order, shuffled by
random.Random(f"{seed}:{room_id}:{day:%Y-%m-%d}:{slot_code}"); the first applicant in that order
whose booking can be made wins. An applicant passed over (the slot already held, the group no
longer approved, the day closed) is recorded with the reason in the draw's audit line."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from bookings import service
from bookings.deadlines import decision_deadline
from bookings.lottery.applications import _as_request
from bookings.lottery.common import SYSTEM
from bookings.lottery.rounds import get_round
from bookings.lottery.windows import lapse_instant
from bookings.request_numbers import request_number
from bookings.rules import check_request
from bookings.tables import Booking, LotteryEntry, LotteryRound
from center.accounts import audit
from center.accounts.actors import Actor
from center.accounts.tables import Group
from center.ledger.service import HoldConflict, find_conflicts, lock_rooms, take_hold
from center.lib.dates import TOKYO, today
from center.lib.db import get_engine, write_transaction
from center.lib.errors import Conflict, ValidationFailed
from center.lib.i18n import N_, both, translations
from center.notices.service import notify
from center.places.tables import Room

SLOT_TAKEN = N_("The slot was already taken.")


# --- the draw ----------------------------------------------------------------------------------------

NOTICES = {
    "won": (
        N_("Lottery won: %(room)s on %(date)s"),
        N_(
            "Your group won the lottery for %(room)s on %(date)s, %(time)s. The slot is held for you: "
            "confirm it on the lottery page by %(confirm_by)s, or the win is forfeited. Confirming "
            "approves the booking at once and issues the permit."
        ),
    ),
    "lost": (
        N_("Lottery result: %(room)s on %(date)s"),
        N_(
            "Your application for %(room)s on %(date)s, %(time)s was not drawn this time. Slots left "
            "after the draw can now be requested first-come."
        ),
    ),
    "skipped": (
        N_("Lottery result: %(room)s on %(date)s"),
        N_(
            "Your application for %(room)s on %(date)s, %(time)s could not be allocated: %(reason)s "
            "Slots left after the draw can now be requested first-come."
        ),
    ),
    "forfeit": (
        N_("Lottery win forfeited: %(room)s on %(date)s"),
        N_(
            "Your group did not confirm the lottery win for %(room)s on %(date)s, %(time)s by "
            "%(confirm_by)s, so it was forfeited and the slot released for first-come booking."
        ),
    ),
}


def draw_order(seed: str, room_id: int, day: date, slot_code: str, entry_ids: list[int]) -> list[int]:
    """The applicants of one slot in the order the seed gives them; the first that can be booked
    wins. Anyone with the seed and the entry numbers can recompute it."""
    order = sorted(entry_ids)
    random.Random(f"{seed}:{room_id}:{day.isoformat()}:{slot_code}").shuffle(order)
    return order


def _both(msgid: str) -> dict[str, str]:
    return {"ja": translations("ja").ugettext(msgid), "en": msgid}


async def notify_entry(entry: dict, kind: str, room: dict, round_: dict, reason: str = "") -> None:
    slot = await _slot_period(entry)
    subject, body = NOTICES[kind]
    await notify(
        kind=f"lottery.{kind}",
        subject=subject,
        body=body,
        params={
            "room": both(room),
            "date": entry["day"],
            "time": slot,
            "confirm_by": round_["confirm_by"],
            "reason": _both(reason) if reason else "",
        },
        group_id=entry["group"],
        link="/lottery",
        entity="lottery_entry",
        entity_id=entry["id"],
    )


async def _slot_period(entry: dict) -> str:
    from center.places.tables import Slot

    slot = await Slot.select(Slot.starts, Slot.ends).where(Slot.code == entry["slot_code"]).first()
    if slot is None:
        return entry["slot_code"]
    return f"{slot['starts']:%H:%M}–{slot['ends']:%H:%M}"


async def _try_win(
    entry: dict, round_: dict, room: dict, group: dict, actor: Actor
) -> tuple[int | None, str, list[str]]:
    """Make the entry's booking if its slot can be booked: (booking id, "", []) or
    (None, reason msgid, labels of the holds in the way)."""
    request = _as_request(entry, group)
    try:
        period = await check_request(request, room, group, override=True, lottery_win=True)
    except ValidationFailed as invalid:
        return None, next(iter(invalid.errors.values())), []
    await lock_rooms(room["id"])
    conflicts = await find_conflicts(room["id"], period.starts_at, period.ends_at)
    if conflicts:
        return None, SLOT_TAKEN, [f"{hold.kind} #{hold.ref or hold.id}: {hold.label}" for hold in conflicts]
    fee = await service.price(request, group, room, period)
    now = datetime.now(UTC)
    savepoint = await get_engine().current_transaction.get().savepoint()
    try:
        rows = await Booking.insert(
            Booking(
                group=group["id"],
                room=room["id"],
                starts_at=period.starts_at,
                ends_at=period.ends_at,
                slot_codes=",".join(period.slot_codes),
                purpose=request.purpose,
                public=request.public,
                public_title=request.public_title if request.public else "",
                expected_head_count=request.expected_head_count,
                contact_name=request.contact_name,
                contact_phone=request.contact_phone,
                commercial=group["commercial"],
                outside_city=not group["in_city"],
                status="requested",
                room_fee=fee.room_fee,
                heating_fee=fee.heating_fee,
                equipment_fee=fee.equipment_fee,
                surcharge_fee=fee.surcharge_fee,
                reduction_fee=fee.reduction_fee,
                reduction_category=fee.reduction_category,
                fee_total=fee.total,
                requested_by=entry["applied_by"],
                # the group confirms by the end of the confirm-by day (before the month of use);
                # the manager's decision cutoff does not apply, the use's start still does
                lapses_at=decision_deadline(now, period.starts_at, lapse_instant(round_["confirm_by"]), None),
                lottery_entry=entry["id"],
                created_at=now,
                updated_at=now,
            )
        ).returning(Booking.id)
        booking_id = rows[0]["id"]
        hold = await take_hold(
            room["id"],
            period.starts_at,
            period.ends_at,
            "booking",
            ref=booking_id,
            label=request.purpose[:200],
            actor_id=actor.id,
        )
    except HoldConflict as conflict:
        await savepoint.rollback_to()
        return (
            None,
            SLOT_TAKEN,
            [f"{hold.kind} #{hold.ref or hold.id}: {hold.label}" for hold in conflict.conflicts],
        )
    await savepoint.release()
    await Booking.update(
        {Booking.hold: hold.id, Booking.request_number: request_number(booking_id, now)}
    ).where(Booking.id == booking_id)
    booking = await Booking.select().where(Booking.id == booking_id).first()
    await audit.record("lottery_win", "booking", booking_id, actor=actor, after=booking)
    return booking_id, "", []


@dataclass
class DrawResult:
    round_id: int
    seed: str
    slots: list[dict] = field(default_factory=list)  # as recorded in the draw's audit line

    @property
    def winners(self) -> int:
        return sum(1 for slot in self.slots if slot["winner"] is not None)


async def draw(round_id: int, actor: Actor, *, seed: str | None = None, on: date | None = None) -> DrawResult:
    """Draw every slot of the round in one transaction: record the seed, pick each slot's winner,
    make the winners' tentative bookings, mark the others lost and tell every group."""
    seed = seed or secrets.token_hex(16)
    now = datetime.now(UTC)
    result = DrawResult(round_id, seed)
    async with write_transaction():
        before = await get_round(round_id)
        claimed = (
            await LotteryRound.update(
                {
                    LotteryRound.status: "drawn",
                    LotteryRound.seed: seed,
                    LotteryRound.drawn_at: now,
                    LotteryRound.drawn_by: actor.id,
                }
            )
            .where((LotteryRound.id == round_id) & (LotteryRound.status == "open"))
            .returning(*LotteryRound.all_columns())
        )
        if not claimed:
            raise Conflict(N_("This round has already been drawn."))
        if claimed[0]["draw_on"] > (on or today()):
            raise Conflict(N_("The draw for this round is not due yet."))
        round_ = claimed[0]
        entries = await LotteryEntry.select().where(
            (LotteryEntry.round == round_id) & (LotteryEntry.status == "applied")
        )
        by_id = {entry["id"]: entry for entry in entries}
        slots: dict[tuple[int, date, str], list[int]] = {}
        for entry in entries:
            slots.setdefault((entry["room"], entry["day"], entry["slot_code"]), []).append(entry["id"])
        rooms = {
            row["id"]: row for row in await Room.select().where(Room.id.is_in([k[0] for k in slots] or [-1]))
        }
        groups = {
            row["id"]: row
            for row in await Group.select().where(Group.id.is_in([e["group"] for e in entries] or [-1]))
        }
        for (room_id, day, slot_code), ids in sorted(slots.items()):
            order = draw_order(seed, room_id, day, slot_code, ids)
            winner, skipped = None, []
            for entry_id in order:
                entry = by_id[entry_id]
                booking_id, reason, holds = await _try_win(
                    entry, round_, rooms[room_id], groups[entry["group"]], actor
                )
                if booking_id is not None:
                    winner = entry_id
                    await LotteryEntry.update(
                        {
                            LotteryEntry.status: "won",
                            LotteryEntry.booking: booking_id,
                            LotteryEntry.decided_at: now,
                        }
                    ).where(LotteryEntry.id == entry_id)
                    await notify_entry(entry, "won", rooms[room_id], round_)
                    break
                skipped.append({"entry": entry_id, "reason": reason, "holds": holds})
            reasons = {item["entry"]: item["reason"] for item in skipped}
            for entry_id in order:
                if entry_id == winner:
                    continue
                await LotteryEntry.update({LotteryEntry.status: "lost", LotteryEntry.decided_at: now}).where(
                    LotteryEntry.id == entry_id
                )
                if entry_id in reasons:
                    await notify_entry(by_id[entry_id], "skipped", rooms[room_id], round_, reasons[entry_id])
                else:
                    await notify_entry(by_id[entry_id], "lost", rooms[room_id], round_)
            result.slots.append(
                {
                    "room": room_id,
                    "day": day.isoformat(),
                    "slot": slot_code,
                    "order": order,
                    "winner": winner,
                    "skipped": skipped,
                }
            )
        await audit.record(
            "lottery_draw",
            "lottery_round",
            round_id,
            actor=actor,
            before=before,
            after={**round_, "slots": result.slots},
            note=f"seed {seed}",
        )
    return result


async def draw_due(now: datetime | None = None) -> list[str]:
    """Scheduled: draw every open round whose draw day has come and whose window has closed, if
    the manager has not. Idempotent; returns the months drawn."""
    day = (now or datetime.now(UTC)).astimezone(TOKYO).date()
    due = await LotteryRound.select(LotteryRound.id, LotteryRound.month).where(
        (LotteryRound.status == "open") & (LotteryRound.draw_on <= day) & (LotteryRound.closes_on < day)
    )
    drawn = []
    for row in due:
        try:
            await draw(row["id"], SYSTEM, on=day)
        except Conflict:
            continue  # the manager drew it a moment ago
        drawn.append(row["month"])
    return drawn
