"""What the programmes offer other layers: for the public calendar, exercise-video screenings and
flower-bed days in a date range, cancelled ones included (marked), and a postponed day both on its
new date and, marked as moved, on the date it was first planned for; for room closures, the
screenings that hold a room (by title), a later free time for one, and moving or cancelling it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from center.accounts.actors import Actor
from center.ledger.service import find_conflicts
from center.lib.dates import local_instant, to_local
from center.lib.errors import ValidationFailed
from center.programmes import screenings
from center.programmes.tables import FlowerbedDay, Screening


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
    original date of a postponed day), `day_id` (flower-bed days), `screening_id` (screenings),
    `postponed_from` and `moved_to`."""
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
            screening_id=row["id"],
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


async def screenings_by_id(screening_ids: list[int]) -> dict[int, dict]:
    """Screenings by id, as other layers name them: id, title (the video's), room, starts_at,
    ends_at, minutes and status ("scheduled" or "cancelled")."""
    if not screening_ids:
        return {}
    rows = await Screening.select(
        Screening.id,
        Screening.video.title.as_alias("title"),
        Screening.video.minutes.as_alias("minutes"),
        Screening.room,
        Screening.starts_at,
        Screening.ends_at,
        Screening.status,
    ).where(Screening.id.is_in(screening_ids))
    return {row["id"]: row for row in rows}


async def later_time_for_screening(screening: dict, not_before: datetime, days: int = 14) -> datetime | None:
    """The first start, at the screening's own time of day in its own room, on a day the center
    is open and the room is free, starting no earlier than `not_before` (within `days` days)."""
    start = to_local(screening["starts_at"])
    minutes = screening["minutes"]
    first = max(start.date() + timedelta(days=1), to_local(not_before).date())
    for offset in range(days):
        day = first + timedelta(days=offset)
        try:
            starts_at = await screenings._check_open(day, start.time(), minutes)
        except ValidationFailed:
            continue
        if starts_at < not_before:
            continue
        if not await find_conflicts(screening["room"], starts_at, starts_at + timedelta(minutes=minutes)):
            return starts_at
    return None


async def move_screening(screening_id: int, room_id: int, starts_at: datetime, actor: Actor) -> None:
    """Move a screening to a room and start (joins the caller's transaction); HoldConflict if
    that is held, ValidationFailed if the center is closed then."""
    local = to_local(starts_at)
    await screenings.move(screening_id, room_id, local.date(), local.time(), actor)


async def cancel_screening(screening_id: int, actor: Actor, reason: str = "") -> None:
    """Cancel a screening and release its room (joins the caller's transaction)."""
    await screenings.cancel(screening_id, actor, reason)
