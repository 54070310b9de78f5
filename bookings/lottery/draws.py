"""The lottery (抽選) for popular rooms: months ahead, groups apply for a lottery room's slots in a
window (by default the 10th to the 19th of month M-2 for month M); the draw (by default on the 20th)
picks one applicant per slot at random from a seed recorded on the round, so anyone can recompute
it; winners get a tentative booking they confirm by the end of month M-2 or lose; after the draw,
first-come booking opens for what is left.

The draw per slot: the applicants' entry ids in ascending order, shuffled by
random.Random(f"{seed}:{room_id}:{day:%Y-%m-%d}:{slot_code}"); the first applicant in that order
whose booking can be made wins. An applicant passed over (the slot already held, the group no
longer approved, the day closed) is recorded with the reason in the draw's audit line."""

from __future__ import annotations

import calendar
import random
import secrets
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import asyncpg

from bookings import service
from bookings.rules import BookingRequest, add_months, check_request, load_policy
from bookings.tables import Booking, BookingPolicy, LotteryEntry, LotteryRoom, LotteryRound
from center.accounts import audit
from center.accounts.tables import AuditEntry, Group
from center.dates import TOKYO, local_instant, today
from center.db import get_engine, write_transaction
from center.errors import Conflict, NotFound, ValidationFailed
from center.i18n import N_, translations
from center.ledger.service import HoldConflict, find_conflicts, lock_rooms, release_hold, take_hold
from center.notices.service import notify
from center.places.tables import Room

SYSTEM = service.Actor(None, "system", staff=True)
ENTRY_STATUSES = ("applied", "won", "lost", "confirmed", "forfeited", "withdrawn")
WIN_STATUSES = ("won", "confirmed", "forfeited")  # the entry the draw picked for its slot
MAX_DAY = 28  # window days are 1..28 so that every month has them

FIRST_COME_REFUSAL = N_("This room is allocated by lottery for that month; apply in the lottery window.")
ALREADY_APPLIED = N_("Your group has already applied for this slot.")
SLOT_TAKEN = N_("The slot was already taken.")


# --- months and windows ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """When applications for one month of use open and close, the draw, and the confirm-by date."""

    opens_on: date
    closes_on: date
    draw_on: date
    confirm_by: date


def parse_month(text: str) -> tuple[int, int] | None:
    """(year, month) from "2027-02", or None."""
    try:
        year, month = (int(part) for part in text.strip().split("-"))
    except ValueError:
        return None
    if not (2000 <= year <= 2200 and 1 <= month <= 12):
        return None
    return year, month


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def first_day(month: str) -> date:
    parsed = parse_month(month)
    if parsed is None:
        raise ValueError(f"not a month: {month!r}")
    return date(parsed[0], parsed[1], 1)


def last_day(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def window_for(month: str, policy: dict) -> Window:
    """The default window for month M: its days fall in month M - lottery_months_ahead; winners
    confirm by the end of that month."""
    applying = add_months(first_day(month), -policy["lottery_months_ahead"])

    def on(day: int) -> date:
        return applying.replace(day=max(1, min(day, MAX_DAY)))

    return Window(
        opens_on=on(policy["lottery_open_day"]),
        closes_on=on(policy["lottery_close_day"]),
        draw_on=on(policy["lottery_draw_day"]),
        confirm_by=last_day(applying),
    )


def month_applying_in(day: date, policy: dict) -> str:
    """The month of use whose applications fall in the month of `day`."""
    return month_key(add_months(day.replace(day=1), policy["lottery_months_ahead"]))


def window_errors(month: str, window: Window) -> dict[str, str]:
    """What is wrong with a round's dates (field -> msgid)."""
    errors: dict[str, str] = {}
    if window.closes_on < window.opens_on:
        errors["closes_on"] = N_("Applications must close on or after the day they open.")
    if window.draw_on < window.closes_on:
        errors["draw_on"] = N_("The draw must be on or after the day applications close.")
    if window.confirm_by < window.draw_on:
        errors["confirm_by"] = N_("Winners must have until the draw day or later to confirm.")
    if window.confirm_by >= first_day(month):
        errors.setdefault("confirm_by", N_("Winners must confirm before the month of use begins."))
    return errors


def lapse_instant(confirm_by: date) -> datetime:
    """The end of the confirm-by day in Tokyo, as a UTC instant."""
    return local_instant(confirm_by + timedelta(days=1), time(0))


# --- lottery rooms and the first-come rule -----------------------------------------------------------


async def lottery_room_ids() -> set[int]:
    rows = await LotteryRoom.select(LotteryRoom.room).where(LotteryRoom.active == True)
    return {row["room"] for row in rows}


async def first_come_refusal(room_id: int, day: date) -> str | None:
    """Why a first-come request for a lottery room on that day is refused (a msgid), or None:
    the month's lottery is open, or still to come."""
    if room_id not in await lottery_room_ids():
        return None
    month = month_key(day)
    round_ = await LotteryRound.select(LotteryRound.status).where(LotteryRound.month == month).first()
    if round_ is not None:
        return FIRST_COME_REFUSAL if round_["status"] == "open" else None
    # No round yet: the lottery is still to come unless its draw day has passed (the room became a
    # lottery room too late for that month, so first-come it is).
    if today() <= window_for(month, await load_policy()).draw_on:
        return FIRST_COME_REFUSAL
    return None


# --- rounds ------------------------------------------------------------------------------------------


async def get_round(round_id: int) -> dict:
    row = await LotteryRound.select().where(LotteryRound.id == round_id).first()
    if row is None:
        raise NotFound(N_("That lottery round does not exist."))
    return row


async def round_for_month(month: str) -> dict | None:
    return await LotteryRound.select().where(LotteryRound.month == month).first()


async def open_round(month: str, window: Window, actor: service.Actor) -> int:
    """Open the lottery for a month of use with these dates (the manager may open it early or set
    other dates than the policy's). Refused if that month already has a round."""
    if parse_month(month) is None:
        raise ValidationFailed({"month": N_("Choose the month of use.")})
    errors = window_errors(month, window)
    if first_day(month) <= today():
        errors["month"] = N_("Choose a month that has not begun yet.")
    if errors:
        raise ValidationFailed(errors)
    try:
        async with write_transaction():
            if await round_for_month(month) is not None:
                raise ValidationFailed({"month": N_("That month already has a lottery round.")})
            rows = await LotteryRound.insert(
                LotteryRound(
                    month=month,
                    opens_on=window.opens_on,
                    closes_on=window.closes_on,
                    draw_on=window.draw_on,
                    confirm_by=window.confirm_by,
                    status="open",
                )
            ).returning(*LotteryRound.all_columns())
            await audit.record("lottery_open", "lottery_round", rows[0]["id"], actor=actor, after=rows[0])
    except Exception as exc:
        if _is_unique_violation(exc, "month"):
            raise ValidationFailed({"month": N_("That month already has a lottery round.")}) from exc
        raise
    return rows[0]["id"]


async def change_round_dates(round_id: int, window: Window, actor: service.Actor) -> dict:
    """Move an open round's dates."""
    async with write_transaction():
        before = await get_round(round_id)
        if before["status"] != "open":
            raise Conflict(N_("This round has been drawn; its dates can no longer change."))
        errors = window_errors(before["month"], window)
        if errors:
            raise ValidationFailed(errors)
        await LotteryRound.update(
            {
                LotteryRound.opens_on: window.opens_on,
                LotteryRound.closes_on: window.closes_on,
                LotteryRound.draw_on: window.draw_on,
                LotteryRound.confirm_by: window.confirm_by,
            }
        ).where(LotteryRound.id == round_id)
        after = await get_round(round_id)
        await audit.record(
            "lottery_dates", "lottery_round", round_id, actor=actor, before=before, after=after
        )
        return after


async def open_due(now: datetime | None = None) -> list[str]:
    """Scheduled: open the round whose window has begun (today within the policy's window for the
    month applying now), if any room is a lottery room. Idempotent; returns the months opened."""
    day = (now or datetime.now(UTC)).astimezone(TOKYO).date()
    if not await lottery_room_ids():
        return []
    policy = await load_policy()
    month = month_applying_in(day, policy)
    window = window_for(month, policy)
    if not (window.opens_on <= day <= window.closes_on):
        return []
    async with write_transaction():
        if await round_for_month(month) is not None:
            return []
        rows = await LotteryRound.insert(
            LotteryRound(
                month=month,
                opens_on=window.opens_on,
                closes_on=window.closes_on,
                draw_on=window.draw_on,
                confirm_by=window.confirm_by,
                status="open",
            )
        ).returning(*LotteryRound.all_columns())
        await audit.record("lottery_open", "lottery_round", rows[0]["id"], actor=SYSTEM, after=rows[0])
    return [month]


def accepting(round_: dict, on: date | None = None) -> bool:
    """Whether the round takes applications on that day."""
    on = on or today()
    return round_["status"] == "open" and round_["opens_on"] <= on <= round_["closes_on"]


# --- applications ----------------------------------------------------------------------------------


@dataclass
class Application:
    """What a group applies for: one slot of one lottery room on one day of the round's month."""

    round_id: int
    room_id: int
    day: date
    slot_code: str
    purpose: str = ""
    expected_head_count: int = 0
    public: bool = False
    public_title: str = ""


def _is_unique_violation(exc: BaseException, marker: str) -> bool:
    if isinstance(exc, asyncpg.exceptions.UniqueViolationError):
        return True
    return isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc) and marker in str(exc)


def _as_request(entry: dict, group: dict) -> BookingRequest:
    """The booking an entry (or an application in the same shape) would become."""
    return BookingRequest(
        room_id=entry["room"],
        day=entry["day"],
        slot_codes=[entry["slot_code"]],
        purpose=entry["purpose"],
        expected_head_count=entry["expected_head_count"],
        public=entry["public"],
        public_title=entry["public_title"],
        contact_name=group["representative"],
        contact_phone=group["contact_phone"],
    )


async def apply(application: Application, group_id: int, actor: service.Actor) -> int:
    """Apply for a slot in the lottery: checked with the booking rules that apply (open day, slot
    offered, capacity) but no hold is taken. One application per group per slot."""
    round_ = await get_round(application.round_id)
    if not accepting(round_):
        raise ValidationFailed(
            {"round": N_("Applications for this month are not open: the window is %(opens)s to %(closes)s.")},
            params={"opens": round_["opens_on"], "closes": round_["closes_on"]},
        )
    errors: dict[str, str] = {}
    if application.room_id not in await lottery_room_ids():
        errors["room"] = N_("Choose one of the lottery rooms.")
    if month_key(application.day) != round_["month"]:
        errors["day"] = N_("Choose a day in the month this lottery is for.")
    room = await Room.select().where(Room.id == application.room_id).first()
    group = await Group.select().where(Group.id == group_id).first()
    if room is None:
        raise ValidationFailed({"room": N_("Choose one of the lottery rooms.")})
    if group is None:
        raise ValidationFailed({"group": N_("Choose a group.")})
    request = _as_request(
        {
            "room": application.room_id,
            "day": application.day,
            "slot_code": application.slot_code,
            "purpose": application.purpose,
            "expected_head_count": application.expected_head_count,
            "public": application.public,
            "public_title": application.public_title,
        },
        group,
    )
    try:
        await check_request(request, room, group, override=True, lottery_win=True)
    except ValidationFailed as invalid:
        for name, msgid in invalid.errors.items():
            errors.setdefault("slot" if name == "slots" else name, msgid)
        raise ValidationFailed(errors, params=invalid.field_params) from invalid
    if errors:
        raise ValidationFailed(errors)
    now = datetime.now(UTC)
    values = {
        LotteryEntry.purpose: request.purpose.strip(),
        LotteryEntry.expected_head_count: request.expected_head_count,
        LotteryEntry.public: request.public,
        LotteryEntry.public_title: request.public_title.strip() if request.public else "",
        LotteryEntry.applied_by: actor.id,
        LotteryEntry.status: "applied",
        LotteryEntry.created_at: now,
        LotteryEntry.decided_at: None,
    }
    try:
        async with write_transaction():
            existing = (
                await LotteryEntry.select()
                .where(
                    (LotteryEntry.round == round_["id"])
                    & (LotteryEntry.group == group_id)
                    & (LotteryEntry.room == application.room_id)
                    & (LotteryEntry.day == application.day)
                    & (LotteryEntry.slot_code == application.slot_code)
                )
                .first()
            )
            if existing is not None and existing["status"] != "withdrawn":
                raise ValidationFailed({"slot": ALREADY_APPLIED})
            if existing is not None:  # applying again after withdrawing: the same row comes back
                entry_id = existing["id"]
                await LotteryEntry.update(values).where(LotteryEntry.id == entry_id)
            else:
                rows = await LotteryEntry.insert(
                    LotteryEntry(
                        round=round_["id"],
                        group=group_id,
                        room=application.room_id,
                        day=application.day,
                        slot_code=application.slot_code,
                        **{column._meta.name: value for column, value in values.items()},
                    )
                ).returning(LotteryEntry.id)
                entry_id = rows[0]["id"]
            after = await LotteryEntry.select().where(LotteryEntry.id == entry_id).first()
            await audit.record(
                "lottery_apply", "lottery_entry", entry_id, actor=actor, before=existing, after=after
            )
    except Exception as exc:
        # Two applications at once: the unique index lets one in and refuses the other.
        if _is_unique_violation(exc, "bookings_lottery_entry"):
            raise ValidationFailed({"slot": ALREADY_APPLIED}) from exc
        raise
    return entry_id


async def entry_of(entry_id: int, group_ids: tuple[int, ...] | None) -> dict:
    """An entry, if it exists and (for members) belongs to one of their groups."""
    entry = await LotteryEntry.select().where(LotteryEntry.id == entry_id).first()
    if entry is None or (group_ids is not None and entry["group"] not in group_ids):
        raise NotFound(N_("That application does not exist."))
    return entry


async def withdraw(entry_id: int, actor: service.Actor, group_ids: tuple[int, ...]) -> dict:
    """A group withdraws an application while the window is open."""
    async with write_transaction():
        before = await entry_of(entry_id, group_ids)
        round_ = await get_round(before["round"])
        if before["status"] != "applied" or not accepting(round_):
            raise Conflict(N_("Applications can be withdrawn only while the window is open."))
        await LotteryEntry.update(
            {LotteryEntry.status: "withdrawn", LotteryEntry.decided_at: datetime.now(UTC)}
        ).where((LotteryEntry.id == entry_id) & (LotteryEntry.status == "applied"))
        after = await entry_of(entry_id, None)
        await audit.record(
            "lottery_withdraw", "lottery_entry", entry_id, actor=actor, before=before, after=after
        )
        return after


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


async def _notify_entry(entry: dict, kind: str, room: dict, round_: dict, reason: str = "") -> None:
    slot = await _slot_period(entry)
    subject, body = NOTICES[kind]
    await notify(
        kind=f"lottery.{kind}",
        subject=subject,
        body=body,
        params={
            "room": {"ja": room["name_ja"], "en": room["name_en"] or room["name_ja"]},
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
    entry: dict, round_: dict, room: dict, group: dict, actor: service.Actor
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
                surcharge_fee=fee.surcharge_fee,
                reduction_fee=fee.reduction_fee,
                reduction_category=fee.reduction_category,
                fee_total=fee.total,
                requested_by=entry["applied_by"],
                lapses_at=lapse_instant(round_["confirm_by"]),
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
    await Booking.update({Booking.hold: hold.id}).where(Booking.id == booking_id)
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


async def draw(
    round_id: int, actor: service.Actor, *, seed: str | None = None, on: date | None = None
) -> DrawResult:
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
                    await _notify_entry(entry, "won", rooms[room_id], round_)
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
                    await _notify_entry(by_id[entry_id], "skipped", rooms[room_id], round_, reasons[entry_id])
                else:
                    await _notify_entry(by_id[entry_id], "lost", rooms[room_id], round_)
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


# --- verification ------------------------------------------------------------------------------------


@dataclass
class SlotCheck:
    room_id: int
    day: date
    slot_code: str
    applicants: list[int]
    order: list[int]
    skipped: dict[int, str]
    expected: int | None
    actual: int | None
    recorded_order: list[int] | None

    @property
    def ok(self) -> bool:
        return self.expected == self.actual and self.recorded_order in (None, self.order)


async def draw_record(round_id: int) -> dict | None:
    """What the draw recorded (seed, each slot's order, winner and passed-over applicants)."""
    row = (
        await AuditEntry.select(AuditEntry.after)
        .where(
            (AuditEntry.entity == "lottery_round")
            & (AuditEntry.entity_id == str(round_id))
            & (AuditEntry.action == "lottery_draw")
        )
        .order_by(AuditEntry.id, ascending=False)
        .output(load_json=True)
        .first()
    )
    return row["after"] if row else None


async def verify(round_id: int) -> list[SlotCheck]:
    """Recompute every slot's order from the round's seed and check that the recorded winner is
    the first applicant in it who was not passed over for a recorded reason."""
    round_ = await get_round(round_id)
    if round_["status"] != "drawn":
        raise Conflict(N_("This round has not been drawn yet."))
    record = await draw_record(round_id) or {}
    recorded = {(slot["room"], slot["day"], slot["slot"]): slot for slot in record.get("slots", [])}
    entries = await LotteryEntry.select().where(
        (LotteryEntry.round == round_id) & (LotteryEntry.status != "withdrawn")
    )
    slots: dict[tuple[int, date, str], list[dict]] = {}
    for entry in entries:
        slots.setdefault((entry["room"], entry["day"], entry["slot_code"]), []).append(entry)
    checks = []
    for (room_id, day, slot_code), group in sorted(slots.items()):
        ids = [entry["id"] for entry in group]
        order = draw_order(round_["seed"], room_id, day, slot_code, ids)
        slot_record = recorded.get((room_id, day.isoformat(), slot_code), {})
        skipped = {item["entry"]: item["reason"] for item in slot_record.get("skipped", [])}
        expected = next((entry_id for entry_id in order if entry_id not in skipped), None)
        actual = next((entry["id"] for entry in group if entry["status"] in WIN_STATUSES), None)
        checks.append(
            SlotCheck(
                room_id,
                day,
                slot_code,
                sorted(ids),
                order,
                skipped,
                expected,
                actual,
                slot_record.get("order"),
            )
        )
    return checks


# --- confirmation and forfeits ------------------------------------------------------------------------


async def confirm(entry_id: int, actor: service.Actor, group_ids: tuple[int, ...]) -> dict:
    """A winner confirms by the confirm-by date: the booking is approved at once (the lottery was
    the center's allocation) and its permit issued."""
    async with write_transaction():
        before = await entry_of(entry_id, group_ids)
        round_ = await get_round(before["round"])
        if before["status"] != "won" or before["booking"] is None:
            raise Conflict(N_("Only a lottery win that is not yet confirmed can be confirmed."))
        if today() > round_["confirm_by"]:
            raise Conflict(N_("The date to confirm this win has passed."))
        booking = await service.get_booking(before["booking"])
        if booking["status"] != "requested":
            raise Conflict(N_("The booking for this win is no longer held."))
        await service.approve(booking["id"], actor)
        await LotteryEntry.update(
            {LotteryEntry.status: "confirmed", LotteryEntry.decided_at: datetime.now(UTC)}
        ).where(LotteryEntry.id == entry_id)
        after = await entry_of(entry_id, None)
        await audit.record(
            "lottery_confirm", "lottery_entry", entry_id, actor=actor, before=before, after=after
        )
        return after


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
                await _notify_entry(entry, "forfeit", room, await get_round(entry["round"]))
            counts[status] += 1
    return counts


# --- the manager's settings ---------------------------------------------------------------------------

POLICY_FIELDS = ("lottery_months_ahead", "lottery_open_day", "lottery_close_day", "lottery_draw_day")


def settings_errors(values: dict[str, int | None]) -> dict[str, str]:
    errors: dict[str, str] = {}
    months = values.get("lottery_months_ahead")
    if months is None or not 1 <= months <= 6:
        errors["lottery_months_ahead"] = N_("Enter a whole number from 1 to 6.")
    for name in POLICY_FIELDS[1:]:
        value = values.get(name)
        if value is None or not 1 <= value <= MAX_DAY:
            errors[name] = N_("Enter a day of the month from 1 to 28.")
    if not errors:
        if values["lottery_close_day"] < values["lottery_open_day"]:
            errors["lottery_close_day"] = N_("Applications must close on or after the day they open.")
        elif values["lottery_draw_day"] < values["lottery_close_day"]:
            errors["lottery_draw_day"] = N_("The draw must be on or after the day applications close.")
    return errors


async def save_settings(values: dict[str, int | None], room_ids: set[int], actor: service.Actor) -> None:
    """The window days and which rooms are lottery rooms (only rooms booked by slot can be)."""
    errors = settings_errors(values)
    rooms = {row["id"]: row for row in await Room.select().where(Room.id.is_in(list(room_ids) or [-1]))}
    if set(rooms) != room_ids:
        errors["rooms"] = N_("Choose rooms from the list.")
    elif any(room["booked_by"] != "slot" for room in rooms.values()):
        errors["rooms"] = N_("Only rooms booked by time slot can be lottery rooms.")
    if errors:
        raise ValidationFailed(errors)
    async with write_transaction():
        policy = await load_policy()
        before = {
            "policy": {name: policy[name] for name in POLICY_FIELDS},
            "rooms": sorted(await lottery_room_ids()),
        }
        await BookingPolicy.update(
            {
                **{getattr(BookingPolicy, name): values[name] for name in POLICY_FIELDS},
                BookingPolicy.updated_at: datetime.now(UTC),
            }
        ).where(BookingPolicy.id == policy["id"])
        await LotteryRoom.update({LotteryRoom.active: False}).where(
            LotteryRoom.room.not_in(list(room_ids) or [-1])
        )
        existing = {row["room"] for row in await LotteryRoom.select(LotteryRoom.room)}
        if room_ids & existing:
            await LotteryRoom.update({LotteryRoom.active: True}).where(
                LotteryRoom.room.is_in(list(room_ids & existing))
            )
        for room_id in sorted(room_ids - existing):
            await LotteryRoom.insert(LotteryRoom(room=room_id, active=True))
        after = {"policy": {name: values[name] for name in POLICY_FIELDS}, "rooms": sorted(room_ids)}
        await audit.record(
            "lottery_settings", "booking_policy", policy["id"], actor=actor, before=before, after=after
        )
