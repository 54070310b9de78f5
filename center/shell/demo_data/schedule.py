"""The demo's bookings: weekly series and one-off events of the demo groups, with meetings spread
by a seeded random generator, planned on the center's open days without overlaps. Pure planning:
center.shell.demo writes the plans and takes their holds."""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, time, timedelta

from center.places.calendar import CalendarData

SEED = 3_3_8  # 若草町3丁目3番8号
WINDOW_DAYS = 61  # about two months each side of today


@dataclass(frozen=True)
class Series:
    """A group's regular booking: one weekday, every `every_weeks` weeks (by ISO week number)."""

    group: str
    room: str
    weekday: int
    slots: tuple[str, ...]
    purpose: str
    public_title: str = ""
    head_count: int = 10
    every_weeks: int = 1
    week_offset: int = 0


@dataclass(frozen=True)
class Event:
    """A one-off booking near a day `offset` days from today (moved to the next free open day)."""

    group: str
    room: str
    offset: int
    slots: tuple[str, ...]
    purpose: str
    public_title: str = ""
    head_count: int = 10
    days: int = 1  # consecutive days, one booking each (an exhibition)


@dataclass(frozen=True)
class Plan:
    group: str
    room: str
    day: date
    slots: tuple[str, ...]
    purpose: str
    public_title: str
    head_count: int


SERIES = (
    Series(
        "salon", "washitsu", 1, ("morning",), "健康体操教室", "いきいき健康体操(どなたでも参加できます)", 22
    ),
    Series("salon", "cooking", 4, ("morning",), "ふれあい料理会", head_count=16, every_weeks=2),
    Series("igocoti", "volunteer", 5, ("afternoon",), "居場所づくり(学習支援・交流)", head_count=8),
    Series("himawari", "meeting2", 3, ("morning",), "子育て相談会", "子育て相談会(予約不要)", 12, 2, 0),
    Series(
        "himawari",
        "washitsu",
        3,
        ("morning",),
        "親子ふれあい遊び",
        head_count=18,
        every_weeks=2,
        week_offset=1,
    ),
    Series("suisai", "training", 2, ("afternoon",), "水彩画の練習会", head_count=14),
)

WHOLE_DAY = ("morning", "afternoon", "evening")
EVENTS = (
    Event("suisai", "gallery", -40, WHOLE_DAY, "水彩画展示会", "苫小牧水彩画同好会 作品展", 30, days=5),
    Event("suisai", "gallery", 30, WHOLE_DAY, "水彩画展示会", "苫小牧水彩画同好会 冬の作品展", 30, days=5),
    Event("culture", "hall", -45, ("afternoon",), "演奏会", "ピアノとヴァイオリンのコンサート", 80),
    Event("culture", "hall", -15, ("afternoon",), "講演会", "健康講演会「冬の転倒予防」", 90),
    Event("culture", "hall", 12, ("afternoon",), "セミナー", "セミナー「北海道の食と暮らし」", 70),
    Event("culture", "hall", 40, ("morning", "afternoon"), "講座", "シニアのためのスマホ教室", 40),
    Event("salon", "hall", 20, ("afternoon",), "健康まつり", "いきいき健康まつり", 60),
    Event(
        "igocoti", "equality", -20, ("evening",), "支援者向け研修会", "ヤングケアラー支援を考える研修会", 25
    ),
    Event("himawari", "cooking", 8, ("morning",), "親子料理教室", head_count=20),
)

# Meetings spread over the window by the seeded random generator.
MEETING_PURPOSES = ("役員会", "定例会議", "打ち合わせ", "勉強会", "総会", "会議")
MEETING_ROOMS = ("meeting1", "meeting2", "volunteer", "equality", "training")
MEETING_GROUPS = ("salon", "igocoti", "himawari", "suisai", "culture")
MEETING_COUNT = 15


def plan_bookings(
    calendar: CalendarData, today: date, groups: Collection[str], slot_starts: dict[str, time]
) -> list[Plan]:
    """Every booking to make around `today`, in time order, on open days, never overlapping, only
    for `groups` (keys). The same day always gives the same plans."""
    rng = random.Random(SEED)
    first = today - timedelta(days=WINDOW_DAYS)
    last = today + timedelta(days=WINDOW_DAYS)
    taken: dict[tuple[str, date], set[str]] = {}
    plans: list[Plan] = []

    def fits(plan: Plan) -> bool:
        info = calendar.day(plan.day)
        open_slots = {period.code for period in info.slots}
        used = taken.get((plan.room, plan.day), set())
        return (
            plan.group in groups
            and info.open
            and set(plan.slots) <= open_slots
            and not used & set(plan.slots)
        )

    def place(plan: Plan) -> None:
        if fits(plan):
            taken.setdefault((plan.room, plan.day), set()).update(plan.slots)
            plans.append(plan)

    for event in EVENTS:
        start = today + timedelta(days=event.offset)
        for shift in range(14):  # the next run of open days with the room free
            run = [
                Plan(event.group, event.room, start + timedelta(days=shift + n), event.slots,
                     event.purpose, event.public_title, event.head_count)
                for n in range(event.days)
            ]  # fmt: skip
            if all(fits(plan) for plan in run):
                for plan in run:
                    place(plan)
                break

    day = first
    while day <= last:
        for series in SERIES:
            week = day.isocalendar().week
            if day.weekday() == series.weekday and week % series.every_weeks == series.week_offset:
                place(Plan(series.group, series.room, day, series.slots, series.purpose,
                           series.public_title, series.head_count))  # fmt: skip
        day += timedelta(days=1)

    span = (last - first).days
    for _ in range(MEETING_COUNT * 3):
        if sum(plan.purpose in MEETING_PURPOSES for plan in plans) >= MEETING_COUNT:
            break
        group = rng.choice(MEETING_GROUPS)
        room = rng.choice(MEETING_ROOMS)
        day = first + timedelta(days=rng.randrange(span + 1))
        slot = rng.choice(("morning", "afternoon", "evening"))
        purpose = rng.choice(MEETING_PURPOSES)
        place(Plan(group, room, day, (slot,), purpose, "", rng.randint(5, 15)))

    return sorted(plans, key=lambda p: (p.day, slot_starts[p.slots[0]], p.room))


def booking_status(index: int, plan: Plan, today: date) -> str:
    """Mostly approved; a few cancelled and, more than three weeks ahead, some still
    requested. Public events stay approved so the public calendar shows them whole."""
    if plan.public_title:
        return "approved"
    if index % 17 == 5:
        return "cancelled"
    if plan.day - today > timedelta(days=21) and index % 3 == 0:
        return "requested"
    return "approved"
