"""What the programmes show the public calendar: exercise-video screenings and flower-bed days in a
date range, cancelled ones included (marked), and a postponed day both on its new date and, marked
as moved, on the date it was first planned for."""

from __future__ import annotations

from datetime import date

from center.dates import local_instant
from center.programmes import screenings
from center.programmes.tables import FlowerbedDay


def _event(
    kind: str, title_ja: str, title_en: str, starts_at, ends_at, place_ja: str, place_en: str, **extra
):
    return {
        "kind": kind,
        "public_title": title_ja,
        "public_title_en": title_en or title_ja,
        "purpose": "",
        "starts_at": starts_at,
        "ends_at": ends_at,
        "room_name_ja": place_ja,
        "room_name_en": place_en or place_ja,
        "status": "scheduled",
        "day_id": None,
        "moved_to": None,
        "postponed_from": None,
        **extra,
    }


async def public_programme_events_between(start: date, end: date) -> list[dict]:
    """Screenings and flower-bed days on the Tokyo days [start, end], in time order, shaped like the
    bookings domain's public events (public_title, starts_at, ends_at, room names) plus `kind`
    ("screening" or "flowerbed"), `status` ("scheduled", "cancelled", "held" or "moved": the
    original date of a postponed day), `day_id`, `postponed_from` and `moved_to`."""
    found = [
        _event(
            "screening",
            row["title"],
            row["title"],
            row["starts_at"],
            row["ends_at"],
            row["room_name_ja"],
            row["room_name_en"],
            status="cancelled" if row["status"] == "cancelled" else "scheduled",
        )
        for row in await screenings.screenings_between(start, end)
    ]
    days = await FlowerbedDay.select().where(
        ((FlowerbedDay.day >= start) & (FlowerbedDay.day <= end))
        | ((FlowerbedDay.postponed_from >= start) & (FlowerbedDay.postponed_from <= end))
    )
    for day in days:
        common = (day["title_ja"], day["title_en"])
        if start <= day["day"] <= end:
            status = {"cancelled": "cancelled", "held": "held"}.get(day["status"], "scheduled")
            found.append(
                _event(
                    "flowerbed",
                    *common,
                    day["starts_at"],
                    day["ends_at"],
                    day["meeting_point"],
                    day["meeting_point"],
                    status=status,
                    day_id=day["id"],
                    postponed_from=day["postponed_from"],
                )
            )
        moved_from = day["postponed_from"]
        if moved_from and start <= moved_from <= end:
            found.append(
                _event(
                    "flowerbed",
                    *common,
                    local_instant(moved_from, day["starts"]),
                    local_instant(moved_from, day["ends"]),
                    day["meeting_point"],
                    day["meeting_point"],
                    status="moved",
                    day_id=day["id"],
                    moved_to=day["day"],
                )
            )
    return sorted(found, key=lambda event: (event["starts_at"], event["kind"]))
