"""What the lottery pages list: a group's applications, the rounds open to members, the manager's
recent rounds with their application counts, a round's applications, and the rooms involved."""

from __future__ import annotations

from datetime import timedelta

from bookings.lottery.rounds import lottery_room_ids
from bookings.lottery.windows import month_key
from bookings.tables import LotteryEntry, LotteryRound
from center.lib.dates import today
from center.places.rooms import list_rooms
from center.places.tables import Room

ENTRIES_DAYS_BACK = 62  # a group's applications shown from about two months back


async def entries_of(group_ids: list[int]) -> list[dict]:
    """The groups' applications from about two months back, by day, with room, group and round."""
    return await (
        LotteryEntry.select(
            *LotteryEntry.all_columns(),
            LotteryEntry.room.name_ja.as_alias("room_name_ja"),
            LotteryEntry.room.name_en.as_alias("room_name_en"),
            LotteryEntry.group.name.as_alias("group_name"),
            LotteryEntry.round.month.as_alias("month"),
            LotteryEntry.round.confirm_by.as_alias("confirm_by"),
            LotteryEntry.round.opens_on.as_alias("opens_on"),
            LotteryEntry.round.closes_on.as_alias("closes_on"),
            LotteryEntry.round.status.as_alias("round_status"),
            LotteryEntry.booking.status.as_alias("booking_status"),
        )
        .where(
            LotteryEntry.group.is_in(group_ids or [-1])
            & (LotteryEntry.day >= today() - timedelta(days=ENTRIES_DAYS_BACK))
        )
        .order_by(LotteryEntry.day)
        .order_by(LotteryEntry.id)
    )


async def coming_rounds() -> list[dict]:
    """Rounds for this month of use and later, by month."""
    query = LotteryRound.select().where(LotteryRound.month >= month_key(today()))
    return await query.order_by(LotteryRound.month)


async def round_exists(round_id: int) -> bool:
    return await LotteryRound.exists().where(LotteryRound.id == round_id)


async def recent_rounds(limit: int = 24) -> tuple[list[dict], dict[int, int]]:
    """The latest rounds, newest month first, and each one's count of applications not withdrawn."""
    rounds = await LotteryRound.select().order_by(LotteryRound.month, ascending=False).limit(limit)
    counts: dict[int, int] = {}
    for row in await LotteryEntry.select(LotteryEntry.round).where(
        LotteryEntry.round.is_in([r["id"] for r in rounds] or [-1]) & (LotteryEntry.status != "withdrawn")
    ):
        counts[row["round"]] = counts.get(row["round"], 0) + 1
    return rounds, counts


async def round_entries(round_id: int) -> list[dict]:
    """A round's applications by day, with the group's name and the booking's status."""
    return await (
        LotteryEntry.select(
            *LotteryEntry.all_columns(),
            LotteryEntry.group.name.as_alias("group_name"),
            LotteryEntry.booking.status.as_alias("booking_status"),
        )
        .where(LotteryEntry.round == round_id)
        .order_by(LotteryEntry.day)
        .order_by(LotteryEntry.id)
    )


async def lottery_rooms() -> list[dict]:
    """The lottery rooms, as the room list shows them."""
    ids = await lottery_room_ids()
    return [room for room in await list_rooms() if room["id"] in ids]


async def lottery_room_codes() -> set[str]:
    ids = await lottery_room_ids()
    return {row["code"] for row in await Room.select(Room.code).where(Room.id.is_in(list(ids) or [-1]))}


async def rooms_by_code(codes: set[str]) -> list[dict]:
    """The rooms (id, code) among these codes; fewer rows than codes means an unknown code."""
    return await Room.select(Room.id, Room.code).where(Room.code.is_in(list(codes) or ["-"]))


async def room_names() -> dict[int, dict]:
    """Every room's names and code by id (a round's slots name their rooms)."""
    return {row["id"]: row for row in await Room.select(Room.id, Room.name_ja, Room.name_en, Room.code)}
