"""イベント一覧: the center's public events as the public calendar shows them, from the domains'
own public readers: approved public bookings (bookings.public) and the center's programmes,
exercise-video screenings and flower-bed days (center.programmes.public).

A year back and a year ahead of today, in time order. Each row's NO is stable (B<booking id>,
S<screening id>, F<flower-bed day id>), so a consumer can follow an event from one download to
the next. The dataset is Japanese: its fixed phrases are written here in Japanese."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from center.lib.dates import to_local, today
from center.shell.opendata.standard import publisher_columns

PAST_DAYS = 365
FUTURE_DAYS = 365

UrlFor = Callable[..., str]  # route name and path parameters -> absolute URL

PROGRAMME_DESCRIPTIONS = {
    "screening": "センターの体操動画の上映",
    "flowerbed": "センターの花壇ボランティア活動",
}
PROGRAMME_PREFIX = {"screening": "S", "flowerbed": "F"}


def window(on: date | None = None) -> tuple[date, date]:
    """The Tokyo days the dataset covers."""
    day = on or today()
    return day - timedelta(days=PAST_DAYS), day + timedelta(days=FUTURE_DAYS)


def _when(starts_at: datetime, ends_at: datetime) -> dict[str, str]:
    start, end = to_local(starts_at), to_local(ends_at)
    return {
        "開始日": start.date().isoformat(),
        "終了日": end.date().isoformat(),
        "開始時間": start.strftime("%H:%M"),
        "終了時間": end.strftime("%H:%M"),
    }


def _center(profile: dict) -> dict[str, str]:
    return {
        "連絡先名称": profile["name_ja"],
        "連絡先電話番号": profile["phone"],
        "住所": profile["address_ja"],
    }


def booking_row(event: dict, profile: dict, url_for: UrlFor) -> dict[str, str]:
    """A public booking: a group's event in one of the rooms."""
    return {
        **publisher_columns(f"B{event['id']}"),
        "イベント名": event["public_title"] or event["purpose"],
        **_when(event["starts_at"], event["ends_at"]),
        **_center(profile),
        "主催者": event.get("group_name") or "",
        "場所名称": profile["name_ja"],
        "方書": event["room_name_ja"],
        "URL": url_for("places:calendar"),
    }


def _programme_note(event: dict) -> str:
    if event["status"] == "cancelled":
        return "中止"
    if event.get("postponed_from"):
        moved = event["postponed_from"]
        return f"{moved.month}月{moved.day}日から延期"
    return ""


def programme_row(event: dict, profile: dict, url_for: UrlFor) -> dict[str, str]:
    """A screening or a flower-bed day, run by the center itself."""
    kind = event["kind"]
    english = "" if event["public_title_en"] == event["public_title"] else event["public_title_en"]
    if kind == "flowerbed":
        number, url = event["day_id"], url_for("programmes:flowerbed_day", day_id=event["day_id"])
        how = "ウェブサイトまたはセンター受付で申込"
    else:
        number, url = event["screening_id"], url_for("programmes:screenings")
        how = ""
    return {
        **publisher_columns(f"{PROGRAMME_PREFIX[kind]}{number}"),
        "イベント名": event["public_title"],
        "イベント名_英語": english,
        **_when(event["starts_at"], event["ends_at"]),
        "開始日時特記事項": _programme_note(event),
        "説明": PROGRAMME_DESCRIPTIONS[kind],
        **_center(profile),
        "主催者": profile["name_ja"],
        "場所名称": profile["name_ja"],
        "方書": event["room_name_ja"],
        "参加申込方法": how,
        "URL": url,
    }


async def event_rows(profile: dict, url_for: UrlFor, on: date | None = None) -> list[dict[str, str]]:
    """Every public event in the window as rows of the イベント一覧 columns, in time order."""
    from bookings.public import public_events_between  # the public face of the bookings domain
    from center.programmes.public import public_programme_events_between  # screenings, flower beds

    start, end = window(on)
    dated: list[tuple[datetime, str, dict[str, str]]] = []
    for event in await public_events_between(start, end):
        row = booking_row(event, profile, url_for)
        dated.append((event["starts_at"], row["NO"], row))
    for event in await public_programme_events_between(start, end):
        if event["status"] == "moved":  # the old date of a postponed day: the day itself is listed
            continue
        row = programme_row(event, profile, url_for)
        dated.append((event["starts_at"], row["NO"], row))
    dated.sort(key=lambda item: (item[0], item[1]))
    return [row for _, _, row in dated]
