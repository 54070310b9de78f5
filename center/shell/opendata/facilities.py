"""公共施設一覧: the center and each of its rooms, from center.places (the center's profile, the
opening hours and closed days, the rooms with their facts and today's step-free access).

One row for the building (NO "center") and one per room (NO "room-<code>"), the rooms in display
order. The dataset is Japanese: its fixed phrases are written here in Japanese."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time

from center.lib.dates import today
from center.places import rooms as places_rooms
from center.places.calendar import CalendarData, load_calendar
from center.shell.opendata.standard import one_line, publisher_columns

UrlFor = Callable[..., str]
WEEKDAYS_JA = "月火水木金土日"


def _clock(value: time) -> str:
    return value.strftime("%H:%M")


def _open_days(calendar: CalendarData) -> list[tuple[int, dict]]:
    return [
        (weekday, row)
        for weekday, row in sorted(calendar.hours.items())
        if not row["closed"] and row["opens"] and row["closes"]
    ]


def opening_columns(calendar: CalendarData) -> dict[str, str]:
    """利用可能曜日 ("月,火,..."), the earliest opening and latest closing time, and the details in
    利用可能日時特記事項: hours that differ by weekday, holidays, the yearly and coming closures."""
    days = _open_days(calendar)
    if not days:
        return {"利用可能日時特記事項": "開館時間は未設定"}
    opens = min(row["opens"] for _, row in days)
    closes = max(row["closes"] for _, row in days)
    notes = []
    if any(row["opens"] != opens or row["closes"] != closes for _, row in days):
        each = [f"{WEEKDAYS_JA[day]}曜{_clock(row['opens'])}～{_clock(row['closes'])}" for day, row in days]
        notes.append("、".join(each))
    notes.append("祝日休館" if calendar.holidays_closed else "祝日も開館")
    for closed in calendar.closed_days:
        start, end = closed["starts_on"], closed["ends_on"]
        if not closed["yearly"] and end < today():
            continue  # past closures are no longer news
        if closed["yearly"]:
            span = f"毎年{start.month}月{start.day}日～{end.month}月{end.day}日"
        else:
            span = start.isoformat() if start == end else f"{start.isoformat()}～{end.isoformat()}"
        notes.append(f"休館：{span}（{closed['reason_ja']}）")
    return {
        "利用可能曜日": ",".join(WEEKDAYS_JA[weekday] for weekday, _ in days),
        "開始時間": _clock(opens),
        "終了時間": _clock(closes),
        "利用可能日時特記事項": "。".join(notes),
    }


def barrier_free(room: dict) -> str:
    """The room's access facts, and today's outages that take the step-free route away."""
    access = room["access"]
    parts = ["段差なしで利用可" if access.by_design else "段差あり"]
    if access.by_design and not access.now:
        until = f"（{access.until.isoformat()}まで）" if access.until else ""
        parts.append(f"現在は段差なしの経路が利用不可{until}：{'、'.join(access.reasons)}")
    if room["accessible_toilet_m"] is not None:
        parts.append(f"多機能トイレまで{room['accessible_toilet_m']}m")
    if room["hearing_loop"]:
        parts.append("ヒアリングループあり")
    if notes := one_line(room["accessibility_notes_ja"]):
        parts.append(notes)
    return "。".join(parts)


def _floor(floor: int) -> str:
    return f"地下{-floor}階" if floor < 0 else f"{floor}階"


def room_description(room: dict) -> str:
    parts = [f"定員{room['capacity']}人"]
    if room["area_m2"] is not None:
        parts.append(f"面積{room['area_m2']:g}㎡")
    if text := one_line(room["description_ja"]):
        parts.append(text)
    return "。".join(parts)


async def facility_rows(profile: dict, url_for: UrlFor) -> list[dict[str, str]]:
    """The building and its rooms as rows of the 公共施設一覧 columns."""
    calendar = await load_calendar()
    hours = opening_columns(calendar)
    common = {"住所": profile["address_ja"], "電話番号": profile["phone"], **hours}
    rooms = await places_rooms.list_rooms(bookable_only=False)
    step_free_rooms = sum(1 for room in rooms if room["access"].now)
    rows = [
        {
            **publisher_columns("center"),
            "名称": profile["name_ja"],
            **common,
            "説明": f"市民活動のための貸室{len(rooms)}室",
            "バリアフリー情報": f"本日段差なしで利用できる部屋：{step_free_rooms}室／{len(rooms)}室",
            "URL": url_for("center:home"),
        }
    ]
    for room in rooms:
        rows.append(
            {
                **publisher_columns(f"room-{room['code']}"),
                "名称": f"{profile['name_ja']} {room['name_ja']}",
                **common,
                "方書": f"{_floor(room['floor'])} {room['name_ja']}",
                "説明": room_description(room),
                "バリアフリー情報": barrier_free(room),
                "URL": url_for("places:room", code=room["code"]),
                "備考": "" if room["bookable"] else "貸出なし",
            }
        )
    return rows
