"""The demo's lottery (抽選) for the Citizen Gallery: next month's round already drawn (winners,
losers, one win confirmed), and the round for the month after taking applications today. Through
the lottery's own functions, with a fixed seed, so the same day draws the same winners."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bookings.lottery.applications import Application, apply, confirm
from bookings.lottery.draws import draw
from bookings.lottery.rounds import open_round
from bookings.lottery.windows import Window, first_day, month_key
from bookings.tables import LotteryEntry, LotteryRoom, LotteryRound
from center.accounts.actors import ActorRef
from center.ledger.service import find_conflicts
from center.lib.dates import local_instant
from center.lib.months import add_months
from center.places.calendar import load_calendar

ROOM = "gallery"
SLOT = "afternoon"
DRAW_SEED = "demo-3-3-8-lottery"
# Next month's round: (day, group, purpose, expected head count); on the first day two groups
# wanted the same afternoon. None of them is the "member" account's group, whose page the lottery's
# browser test reads for its own win.
DRAWN = (
    (0, "suisai", "水彩画の小品展", 20),
    (0, "igocoti", "活動紹介パネル展", 10),
    (1, "culture", "写真教室の作品展", 25),
)
# The following month's applications so far: (group, purpose, expected head count).
APPLYING = (
    ("suisai", "水彩画の小品展", 20),
    ("salon", "手芸作品の展示", 15),
    ("himawari", "子どもの絵の展示", 20),
)


async def _free_days(room_id: int, month: str, starts: time, ends: time, count: int) -> list[date]:
    calendar = await load_calendar()
    day, found = first_day(month), []
    while month_key(day) == month and len(found) < count:
        info = calendar.day(day)
        offered = info.open and SLOT in {slot.code for slot in info.slots}
        if offered and not await find_conflicts(
            room_id, local_instant(day, starts), local_instant(day, ends)
        ):
            found.append(day)
        day += timedelta(days=1)
    return found


async def load_lottery(
    today: date, room_ids: dict[str, int], groups: dict[str, dict], manager: int | None
) -> str:
    """Both rounds; nothing if the demo's groups or room are missing or a round exists."""
    room_id = room_ids.get(ROOM)
    if room_id is None or await LotteryRound.exists() or not all(item[1] in groups for item in DRAWN):
        return "no lottery"
    await LotteryRoom.insert(LotteryRoom(room=room_id, active=True))
    staff = ActorRef(manager, "管理者", staff=True)
    slot_times = (time(13), time(17))
    drawn_month = month_key(add_months(today.replace(day=1), 1))
    open_month = month_key(add_months(today.replace(day=1), 2))

    def confirm_by(month: str) -> date:
        return min(today + timedelta(days=20), first_day(month) - timedelta(days=1))

    # Next month: applications closed ten days ago and were drawn the day after.
    draw_on = today - timedelta(days=9)
    window = Window(today - timedelta(days=20), today - timedelta(days=10), draw_on, confirm_by(drawn_month))
    drawn = await open_round(drawn_month, window, staff)
    applied_at = datetime.now(UTC) - timedelta(days=15)
    days = await _free_days(room_id, drawn_month, *slot_times, 2)
    entries = []
    for index, (day, key, purpose, head) in enumerate(DRAWN):
        group = groups[key]
        if day >= len(days):
            continue
        rows = await LotteryEntry.insert(
            LotteryEntry(
                round=drawn, group=group["id"], room=room_id, day=days[day], slot_code=SLOT,
                purpose=purpose, expected_head_count=head, applied_by=group.get("requested_by"),
                created_at=applied_at + timedelta(hours=5 * index),
            )
        ).returning(LotteryEntry.id)  # fmt: skip
        entries.append(rows[0]["id"])
    await draw(drawn, staff, seed=DRAW_SEED)
    drawn_at = local_instant(draw_on, time(10))  # on its draw day, like the scheduled job
    await LotteryRound.update({LotteryRound.drawn_at: drawn_at}).where(LotteryRound.id == drawn)
    won = await LotteryEntry.select().where((LotteryEntry.round == drawn) & (LotteryEntry.status == "won"))
    if won:
        first = min(won, key=lambda entry: entry["id"])
        member = ActorRef(first["applied_by"], "", staff=False)
        await confirm(first["id"], member, (first["group"],))

    # The month after: applications open now.
    window = Window(
        today - timedelta(days=2),
        today + timedelta(days=5),
        today + timedelta(days=6),
        confirm_by(open_month),
    )
    opened = await open_round(open_month, window, staff)
    days = await _free_days(room_id, open_month, *slot_times, 2)
    for index, (key, purpose, head) in enumerate(APPLYING):
        group = groups.get(key)
        if not days or group is None:
            continue
        application = Application(opened, room_id, days[index % len(days)], SLOT, purpose, head)
        await apply(application, group["id"], ActorRef(group.get("requested_by"), "", staff=False))
    return f"lottery: {len(entries)} entries drawn"
