"""A group's applications: apply for a slot while the window is open, withdraw, and confirm a
win by the confirm-by date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from bookings import service
from bookings.lottery.rounds import accepting, get_round, lottery_room_ids
from bookings.lottery.windows import month_key
from bookings.rules import BookingRequest, check_request
from bookings.tables import LotteryEntry
from center.accounts import audit
from center.accounts.actors import Actor
from center.accounts.tables import Group
from center.lib.dates import today
from center.lib.db import is_unique_violation, write_transaction
from center.lib.errors import Conflict, NotFound, ValidationFailed
from center.lib.i18n import N_
from center.places.tables import Room

ALREADY_APPLIED = N_("Your group has already applied for this slot.")


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


async def apply(application: Application, group_id: int, actor: Actor) -> int:
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
        if is_unique_violation(exc, "bookings_lottery_entry"):
            raise ValidationFailed({"slot": ALREADY_APPLIED}) from exc
        raise
    return entry_id


async def entry_of(entry_id: int, group_ids: tuple[int, ...] | None) -> dict:
    """An entry, if it exists and (for members) belongs to one of their groups."""
    entry = await LotteryEntry.select().where(LotteryEntry.id == entry_id).first()
    if entry is None or (group_ids is not None and entry["group"] not in group_ids):
        raise NotFound(N_("That application does not exist."))
    return entry


async def withdraw(entry_id: int, actor: Actor, group_ids: tuple[int, ...]) -> dict:
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


# --- confirmation ------------------------------------------------------------------------------------


async def confirm(entry_id: int, actor: Actor, group_ids: tuple[int, ...]) -> dict:
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
