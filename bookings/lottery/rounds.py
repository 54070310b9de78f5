"""Lottery rooms and the first-come rule, the rounds (one per month of use: opened by the manager
or when its window begins), and the manager's lottery settings."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bookings.lottery.common import SYSTEM
from bookings.lottery.windows import (
    MAX_DAY,
    Window,
    first_day,
    month_applying_in,
    month_key,
    parse_month,
    window_errors,
    window_for,
)
from bookings.rules import load_policy
from bookings.tables import BookingPolicy, LotteryRoom, LotteryRound
from center.accounts import audit
from center.accounts.actors import Actor
from center.lib.dates import TOKYO, today
from center.lib.db import is_unique_violation, write_transaction
from center.lib.errors import Conflict, NotFound, ValidationFailed
from center.lib.i18n import N_
from center.lib.versions import reference_cached
from center.places.tables import Room

FIRST_COME_REFUSAL = N_("This room is allocated by lottery for that month; apply in the lottery window.")


# --- lottery rooms and the first-come rule -----------------------------------------------------------


async def lottery_room_ids() -> set[int]:
    """Rooms allocated by lottery, kept per process until they change (center.lib.versions)."""
    return await reference_cached("lottery_rooms", _lottery_room_ids)


async def _lottery_room_ids() -> set[int]:
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


async def _insert_open_round(month: str, window: Window, actor: Actor) -> int:
    """Insert the month's round, open, with the window's dates, and audit it (in the caller's
    transaction); returns its id."""
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
    return rows[0]["id"]


async def open_round(month: str, window: Window, actor: Actor) -> int:
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
            round_id = await _insert_open_round(month, window, actor)
    except Exception as exc:
        if is_unique_violation(exc, "month"):
            raise ValidationFailed({"month": N_("That month already has a lottery round.")}) from exc
        raise
    return round_id


async def change_round_dates(round_id: int, window: Window, actor: Actor) -> dict:
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
        await _insert_open_round(month, window, SYSTEM)
    return [month]


def accepting(round_: dict, on: date | None = None) -> bool:
    """Whether the round takes applications on that day."""
    on = on or today()
    return round_["status"] == "open" and round_["opens_on"] <= on <= round_["closes_on"]


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


async def save_settings(values: dict[str, int | None], room_ids: set[int], actor: Actor) -> None:
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
