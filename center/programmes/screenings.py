"""Exercise-video screenings (簡単体操の上映): a library of videos, recurring rules (weekdays ×
start times in one room over a date range) that skip closed days and public holidays by
themselves, single screenings added, moved or cancelled, and attendance per screening.

Every scheduled screening holds its room in the ledger (kind "screening"). A rule's preview lists
each date with its status (free, clash with what, closed, holiday) before anything is saved;
saving takes the free dates only, in one transaction, and a date that became busy in the
meantime is skipped, never double-held.

The video library is center.programmes.videos and the listings and monthly figures are
center.programmes.screening_listing (their public names are re-exported here)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from center.accounts import audit
from center.accounts.actors import Actor
from center.ledger.service import HoldConflict, HoldInfo, find_conflicts, move_hold, release_hold, take_hold
from center.lib.dates import is_holiday, local_instant, to_local, today
from center.lib.db import write_transaction
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_
from center.places import forms
from center.places.calendar import load_calendar
from center.places.tables import Room
from center.programmes.screening_listing import get_screening
from center.programmes.screening_listing import month_attendance as month_attendance
from center.programmes.screening_listing import monthly_figures as monthly_figures
from center.programmes.screening_listing import now_and_next as now_and_next
from center.programmes.screening_listing import screenings_between as screenings_between
from center.programmes.screening_listing import screenings_on_day as screenings_on_day
from center.programmes.tables import Screening, ScreeningRule
from center.programmes.videos import LEVELS as LEVELS
from center.programmes.videos import active_video
from center.programmes.videos import add_video as add_video
from center.programmes.videos import get_video as get_video
from center.programmes.videos import parse_video as parse_video
from center.programmes.videos import set_video_active as set_video_active
from center.programmes.videos import update_video as update_video
from center.programmes.videos import videos as videos

MAX_DAYS = 366
MAX_TIMES = 6


@dataclass
class Occurrence:
    day: date
    at: time
    starts_at: datetime
    ends_at: datetime
    status: str  # free | clash | closed | holiday
    conflicts: list[HoldInfo] = field(default_factory=list)
    reason: str = ""


async def rooms() -> list[dict]:
    return await Room.select(Room.id, Room.code, Room.name_ja, Room.name_en).order_by(
        Room.sort_order, Room.floor
    )


# --- rules and their dates ---------------------------------------------------------------------


def _parse_times(raw: str, errors: forms.FieldErrors) -> list[time]:
    found = []
    for part in re.split(r"[,、\s]+", raw.replace("：", ":")):
        if not part:
            continue
        value = forms.clock({"t": part}, "t", errors, N_("Enter start times like 10:00, 14:00."))
        if value is None:
            errors["times"] = errors.pop("t")
            return []
        found.append(value)
    if not found:
        errors.add("times", N_("Enter start times like 10:00, 14:00."))
    if len(found) > MAX_TIMES:
        errors.add("times", N_("Enter at most six start times."))
    return sorted(set(found))


async def parse_rule(data: Mapping[str, Any]) -> dict[str, Any]:
    """A rule from the form (video, room, weekdays, times, date range); ValidationFailed per field."""
    errors = forms.FieldErrors()
    video = await active_video(forms.whole(data, "video", errors, N_("Choose a video."), low=1, high=10**9))
    if video is None:
        errors.add("video", N_("Choose a video."))
    room_id = forms.whole(data, "room", errors, N_("Choose a room."), low=1, high=10**9)
    room = await Room.select().where(Room.id == room_id).first() if room_id else None
    if room is None:
        errors.add("room", N_("Choose a room."))
    weekdays = sorted(
        {int(v) for v in forms.values(data, "weekdays") if v in {"0", "1", "2", "3", "4", "5", "6"}}
    )
    if not weekdays:
        errors.add("weekdays", N_("Choose at least one day of the week."))
    times = _parse_times(forms.text(data, "times"), errors)
    starts_on = forms.day(data, "starts_on", errors, N_("Enter a date like 2026-12-01."))
    ends_on = forms.day(data, "ends_on", errors, N_("Enter a date like 2026-12-01."))
    if starts_on and ends_on:
        if ends_on < starts_on:
            errors.add("ends_on", N_("The last date must not be before the first."))
        elif (ends_on - starts_on).days > MAX_DAYS:
            errors.add("ends_on", N_("A rule may cover at most one year."))
    if starts_on and starts_on < today():
        errors.add("starts_on", N_("Choose a date from today on."))
    if errors:
        raise ValidationFailed(dict(errors))
    return {
        "video": video,
        "room": room,
        "weekdays": weekdays,
        "times": times,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }


async def expand(rule: dict[str, Any]) -> list[Occurrence]:
    """Every date × time of a rule with its status. A time outside the day's opening hours makes
    the whole rule invalid (ValidationFailed), so nothing is saved."""
    calendar = await load_calendar()
    minutes = rule["video"]["minutes"]
    found: list[Occurrence] = []
    outside: list[str] = []
    day = rule["starts_on"]
    while day <= rule["ends_on"]:
        if day.weekday() in rule["weekdays"]:
            info = calendar.day(day)
            for at in rule["times"]:
                starts_at = local_instant(day, at)
                ends_at = starts_at + timedelta(minutes=minutes)
                if is_holiday(day):
                    found.append(
                        Occurrence(day, at, starts_at, ends_at, "holiday", reason=info.holiday or "")
                    )
                    continue
                if not info.open:
                    found.append(
                        Occurrence(day, at, starts_at, ends_at, "closed", reason=info.closed_reason or "")
                    )
                    continue
                end_local = to_local(ends_at)
                if at < info.opens or end_local.date() != day or end_local.time() > info.closes:
                    outside.append(f"{day.isoformat()} {at.hour}:{at.minute:02d}")
                    continue
                conflicts = await find_conflicts(rule["room"]["id"], starts_at, ends_at)
                found.append(
                    Occurrence(day, at, starts_at, ends_at, "clash" if conflicts else "free", conflicts)
                )
        day += timedelta(days=1)
    if outside:
        raise ValidationFailed(
            {"times": N_("These screenings would be outside opening hours: %(when)s. Choose other times.")},
            params={"when": ", ".join(outside[:5]) + (" …" if len(outside) > 5 else "")},
        )
    return found


async def _schedule_one(
    video: dict, room_id: int, starts_at: datetime, rule_id: int | None, actor: Actor
) -> int:
    """Insert a screening and take its hold (inside the caller's transaction). Raises
    HoldConflict, leaving nothing behind, if the room is held."""
    now = datetime.now(UTC)
    ends_at = starts_at + timedelta(minutes=video["minutes"])
    rows = await Screening.insert(
        Screening(
            rule=rule_id,
            video=video["id"],
            room=room_id,
            starts_at=starts_at,
            ends_at=ends_at,
            status="scheduled",
            created_at=now,
            updated_at=now,
        )
    ).returning(Screening.id)
    screening_id = rows[0]["id"]
    try:
        hold = await take_hold(
            room_id,
            starts_at,
            ends_at,
            "screening",
            ref=screening_id,
            label=video["title"][:200],
            actor_id=actor.id,
        )
    except HoldConflict:
        await Screening.delete().where(Screening.id == screening_id)
        raise
    await Screening.update({Screening.hold_id: hold.id}).where(Screening.id == screening_id)
    return screening_id


async def create_rule(rule: dict[str, Any], actor: Actor) -> tuple[int, int, list[Occurrence]]:
    """Save a rule and schedule its free dates. Returns (rule id, screenings created, the dates
    skipped: closed, holiday, or held by something else)."""
    occurrences = await expand(rule)
    skipped = [o for o in occurrences if o.status != "free"]
    created = 0
    async with write_transaction():
        rows = await ScreeningRule.insert(
            ScreeningRule(
                video=rule["video"]["id"],
                room=rule["room"]["id"],
                weekdays=",".join(str(d) for d in rule["weekdays"]),
                times=",".join(f"{t.hour:02d}:{t.minute:02d}" for t in rule["times"]),
                starts_on=rule["starts_on"],
                ends_on=rule["ends_on"],
                created_at=datetime.now(UTC),
                created_by=actor.id,
            )
        ).returning(ScreeningRule.id)
        rule_id = rows[0]["id"]
        for occurrence in occurrences:
            if occurrence.status != "free":
                continue
            try:
                await _schedule_one(rule["video"], rule["room"]["id"], occurrence.starts_at, rule_id, actor)
            except HoldConflict as clash:
                occurrence.status, occurrence.conflicts = "clash", clash.conflicts
                skipped.append(occurrence)
                continue
            created += 1
        await audit.record(
            "screening.rule",
            "screening_rule",
            rule_id,
            actor=actor,
            after={
                "video": rule["video"]["id"],
                "room": rule["room"]["id"],
                "weekdays": rule["weekdays"],
                "times": [t.isoformat() for t in rule["times"]],
                "starts_on": rule["starts_on"],
                "ends_on": rule["ends_on"],
                "created": created,
                "skipped": [f"{o.day.isoformat()} {o.at.isoformat()} {o.status}" for o in skipped],
            },
        )
    return rule_id, created, skipped


# --- single screenings --------------------------------------------------------------------------


async def _check_open(day: date, at: time, minutes: int, field_name: str = "at") -> datetime:
    """The start instant, or ValidationFailed if the center is closed or it runs outside hours."""
    calendar = await load_calendar()
    info = calendar.day(day)
    if not info.open:
        raise ValidationFailed({"day": N_("The center is closed on that date. Choose another.")})
    starts_at = local_instant(day, at)
    end_local = to_local(starts_at + timedelta(minutes=minutes))
    if at < info.opens or end_local.date() != day or end_local.time() > info.closes:
        raise ValidationFailed(
            {field_name: N_("That time is outside opening hours (%(opens)s–%(closes)s).")},
            params={
                "opens": f"{info.opens.hour}:{info.opens.minute:02d}",
                "closes": f"{info.closes.hour}:{info.closes.minute:02d}",
            },
        )
    return starts_at


async def parse_single(data: Mapping[str, Any]) -> tuple[dict, dict, date, time]:
    errors = forms.FieldErrors()
    video = await active_video(forms.whole(data, "video", errors, N_("Choose a video."), low=1, high=10**9))
    if video is None:
        errors.add("video", N_("Choose a video."))
    room_id = forms.whole(data, "room", errors, N_("Choose a room."), low=1, high=10**9)
    room = await Room.select().where(Room.id == room_id).first() if room_id else None
    if room is None:
        errors.add("room", N_("Choose a room."))
    day = forms.day(data, "day", errors, N_("Enter a date like 2026-12-01."))
    at = forms.clock(data, "at", errors, N_("Enter a time like 9:30."))
    if day and day < today():
        errors.add("day", N_("Choose a date from today on."))
    if errors:
        raise ValidationFailed(dict(errors))
    assert video and room and day and at
    return video, room, day, at


async def add_single(video: dict, room: dict, day: date, at: time, actor: Actor) -> int:
    starts_at = await _check_open(day, at, video["minutes"])
    async with write_transaction():
        screening_id = await _schedule_one(video, room["id"], starts_at, None, actor)
        await audit.record(
            "screening.add",
            "screening",
            screening_id,
            actor=actor,
            after={"video": video["id"], "room": room["id"], "starts_at": starts_at},
        )
    return screening_id


async def move(screening_id: int, room_id: int, day: date, at: time, actor: Actor) -> None:
    """Move a screening to another time or room; refused (HoldConflict) if that is held."""
    screening = await get_screening(screening_id)
    if screening["status"] != "scheduled":
        raise ValidationFailed({"day": N_("A cancelled screening cannot be moved.")})
    if day < today():
        raise ValidationFailed({"day": N_("Choose a date from today on.")})
    if not await Room.exists().where(Room.id == room_id):
        raise ValidationFailed({"room": N_("Choose a room.")})
    starts_at = await _check_open(day, at, screening["minutes"])
    ends_at = starts_at + timedelta(minutes=screening["minutes"])
    async with write_transaction():
        await move_hold(screening["hold_id"], room_id, starts_at, ends_at)
        await Screening.update(
            {
                Screening.room: room_id,
                Screening.starts_at: starts_at,
                Screening.ends_at: ends_at,
                Screening.sequence: Screening.sequence + 1,
                Screening.updated_at: datetime.now(UTC),
            }
        ).where(Screening.id == screening_id)
        await audit.record(
            "screening.move",
            "screening",
            screening_id,
            actor=actor,
            before={"room": screening["room"], "starts_at": screening["starts_at"]},
            after={"room": room_id, "starts_at": starts_at},
        )


async def cancel(screening_id: int, actor: Actor, reason: str = "") -> None:
    """Cancel a screening and release its room (kept as history)."""
    screening = await get_screening(screening_id)
    async with write_transaction():
        if screening["status"] != "scheduled":
            raise ValidationFailed({"reason": N_("This screening is already cancelled.")})
        if screening["hold_id"]:
            await release_hold(screening["hold_id"], reason or "screening cancelled")
        await Screening.update(
            {
                Screening.status: "cancelled",
                Screening.sequence: Screening.sequence + 1,
                Screening.updated_at: datetime.now(UTC),
            }
        ).where(Screening.id == screening_id)
        await audit.record(
            "screening.cancel",
            "screening",
            screening_id,
            actor=actor,
            before={"status": "scheduled"},
            after={"status": "cancelled"},
            note=reason,
        )


async def record_attendance(screening_id: int, count: int, actor: Actor) -> None:
    screening = await get_screening(screening_id)
    if screening["status"] != "scheduled":
        raise ValidationFailed({"attendance": N_("A cancelled screening has no attendance.")})
    if screening["starts_at"] > datetime.now(UTC):
        raise ValidationFailed(
            {"attendance": N_("Attendance can be recorded once the screening has started.")}
        )
    async with write_transaction():
        await Screening.update({Screening.attendance: count, Screening.updated_at: datetime.now(UTC)}).where(
            Screening.id == screening_id
        )
        await audit.record(
            "screening.attendance",
            "screening",
            screening_id,
            actor=actor,
            before={"attendance": screening["attendance"]},
            after={"attendance": count},
        )
