"""Exercise-video screenings (簡単体操の上映): a library of videos, recurring rules (weekdays ×
start times in one room over a date range) that skip closed days and public holidays by
themselves, single screenings added, moved or cancelled, and attendance per screening.

Every scheduled screening holds its room in the ledger (kind "screening"). A rule's preview lists
each date with its status (free, clash with what, closed, holiday) before anything is saved;
saving takes the free dates only, in one transaction, and a date that became busy in the
meantime is skipped, never double-held."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from center.accounts import audit
from center.ledger.service import HoldConflict, HoldInfo, find_conflicts, move_hold, release_hold, take_hold
from center.lib.dates import TOKYO, is_holiday, local_day_bounds, local_instant, to_local, today
from center.lib.db import write_transaction
from center.lib.errors import NotFound, ValidationFailed
from center.lib.i18n import N_
from center.places import forms
from center.places.calendar import load_calendar
from center.places.tables import Room
from center.programmes.tables import Screening, ScreeningRule, Video

LEVELS = (("seated", N_("Seated")), ("standing", N_("Standing")))
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


# --- videos -----------------------------------------------------------------------------------


def parse_video(data: Mapping[str, Any]) -> dict[str, Any]:
    errors = forms.FieldErrors()
    title = forms.text(data, "title", 200)
    if not title:
        errors.add("title", N_("Enter a title."))
    minutes = forms.whole(
        data, "minutes", errors, N_("Enter the length in minutes, from 1 to 180."), low=1, high=180
    )
    level = forms.text(data, "level")
    if level not in dict(LEVELS):
        errors.add("level", N_("Choose seated or standing."))
    if errors:
        raise ValidationFailed(dict(errors))
    return {
        "title": title,
        "minutes": minutes,
        "level": level,
        "trains": forms.text(data, "trains", 200),
        "staff_notes": forms.text(data, "staff_notes", 2000),
    }


async def add_video(fields: dict[str, Any], actor: Any) -> int:
    async with write_transaction():
        rows = await Video.insert(Video(**fields, created_at=datetime.now(UTC))).returning(
            *Video.all_columns()
        )
        await audit.record("video.add", "video", rows[0]["id"], actor=actor, after=rows[0])
    return rows[0]["id"]


async def get_video(video_id: int) -> dict:
    row = await Video.select().where(Video.id == video_id).first()
    if row is None:
        raise NotFound(N_("That video does not exist."))
    return row


async def update_video(video_id: int, fields: dict[str, Any], actor: Any) -> dict:
    """Change a video's details; screenings already planned keep showing it."""
    async with write_transaction():
        before = await get_video(video_id)
        await Video.update({getattr(Video, key): value for key, value in fields.items()}).where(
            Video.id == video_id
        )
        after = await get_video(video_id)
        await audit.record("video.update", "video", video_id, actor=actor, before=before, after=after)
    return after


async def set_video_active(video_id: int, active: bool, actor: Any) -> dict:
    """Retire a video from the choices for new screenings (past ones keep it), or bring it back."""
    async with write_transaction():
        before = await get_video(video_id)
        await Video.update({Video.active: active}).where(Video.id == video_id)
        after = await get_video(video_id)
        await audit.record(
            "video.retire" if not active else "video.restore",
            "video",
            video_id,
            actor=actor,
            before=before,
            after=after,
        )
    return after


async def videos(active_only: bool = True) -> list[dict]:
    query = Video.select().order_by(Video.title)
    if active_only:
        query = query.where(Video.active == True)
    return await query


async def _video(video_id: int | None) -> dict | None:
    if video_id is None:
        return None
    return await Video.select().where((Video.id == video_id) & (Video.active == True)).first()


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
    video = await _video(forms.whole(data, "video", errors, N_("Choose a video."), low=1, high=10**9))
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
    video: dict, room_id: int, starts_at: datetime, rule_id: int | None, actor: Any
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
            actor_id=getattr(actor, "id", None),
        )
    except HoldConflict:
        await Screening.delete().where(Screening.id == screening_id)
        raise
    await Screening.update({Screening.hold_id: hold.id}).where(Screening.id == screening_id)
    return screening_id


async def create_rule(rule: dict[str, Any], actor: Any) -> tuple[int, int, list[Occurrence]]:
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
                created_by=getattr(actor, "id", None),
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
    video = await _video(forms.whole(data, "video", errors, N_("Choose a video."), low=1, high=10**9))
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


async def add_single(video: dict, room: dict, day: date, at: time, actor: Any) -> int:
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


async def get_screening(screening_id: int) -> dict:
    row = await (
        Screening.select(
            Screening.all_columns(),
            Screening.video.title.as_alias("title"),
            Screening.video.minutes.as_alias("minutes"),
            Screening.video.level.as_alias("level"),
            Screening.video.trains.as_alias("trains"),
            Screening.video.staff_notes.as_alias("staff_notes"),
            Screening.room.name_ja.as_alias("room_name_ja"),
            Screening.room.name_en.as_alias("room_name_en"),
        )
        .where(Screening.id == screening_id)
        .first()
    )
    if row is None:
        raise NotFound(N_("That screening does not exist."))
    return row


async def move(screening_id: int, room_id: int, day: date, at: time, actor: Any) -> None:
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


async def cancel(screening_id: int, actor: Any, reason: str = "") -> None:
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


async def record_attendance(screening_id: int, count: int, actor: Any) -> None:
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


# --- reading ------------------------------------------------------------------------------------


def _listing():
    return Screening.select(
        Screening.all_columns(),
        Screening.video.title.as_alias("title"),
        Screening.video.minutes.as_alias("minutes"),
        Screening.video.level.as_alias("level"),
        Screening.video.trains.as_alias("trains"),
        Screening.room.name_ja.as_alias("room_name_ja"),
        Screening.room.name_en.as_alias("room_name_en"),
    )


async def screenings_between(start: date, end: date, *, include_cancelled: bool = True) -> list[dict]:
    """Screenings on the Tokyo days [start, end], in time order."""
    range_start, _ = local_day_bounds(start)
    _, range_end = local_day_bounds(end)
    query = _listing().where((Screening.starts_at >= range_start) & (Screening.starts_at < range_end))
    if not include_cancelled:
        query = query.where(Screening.status == "scheduled")
    return await query.order_by(Screening.starts_at)


async def screenings_on_day(day: date | None = None) -> list[dict]:
    day = day or today()
    return await screenings_between(day, day, include_cancelled=False)


async def now_and_next(now: datetime | None = None, limit: int = 4) -> tuple[list[dict], list[dict]]:
    """What is showing now and what comes next today (for the signage)."""
    now = now or datetime.now(UTC)
    todays = await screenings_on_day(now.astimezone(TOKYO).date())
    showing = [s for s in todays if s["starts_at"] <= now < s["ends_at"]]
    upcoming = [s for s in todays if s["starts_at"] > now][:limit]
    return showing, upcoming


async def monthly_figures(months: int = 6) -> list[dict]:
    """Per month: screenings held, people counted, and the average (for the reports)."""
    first = today().replace(day=1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    rows = await Screening.select(Screening.starts_at, Screening.attendance).where(
        (Screening.status == "scheduled")
        & (Screening.starts_at >= local_day_bounds(first)[0])
        & (Screening.starts_at < datetime.now(UTC))
    )
    figures: dict[tuple[int, int], dict] = {}
    cursor = first
    for _ in range(months):
        figures[(cursor.year, cursor.month)] = {
            "year": cursor.year,
            "month": cursor.month,
            "held": 0,
            "counted": 0,
            "people": 0,
        }
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    for row in rows:
        local = to_local(row["starts_at"])
        item = figures.get((local.year, local.month))
        if item is None:
            continue
        item["held"] += 1
        if row["attendance"] is not None:
            item["counted"] += 1
            item["people"] += row["attendance"]
    return list(figures.values())


async def month_attendance(year: int, month: int) -> dict:
    """One month's screenings held and people counted."""
    first = date(year, month, 1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    rows = [s for s in await screenings_between(first, last, include_cancelled=False)]
    counted = [s["attendance"] for s in rows if s["attendance"] is not None]
    return {"year": year, "month": month, "held": len(rows), "people": sum(counted), "counted": len(counted)}
