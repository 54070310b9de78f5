"""Flower-bed volunteer days (花壇づくり): staff plan a day; anyone signs up without an account,
for themselves and companions; a full day puts signups on a waiting list, and a cancellation
promotes the next people who fit, with a notice. Each signup has a private link (only its hash is
stored) and a short code (center.lib.codes) to quote at the desk or on the phone with the last four
digits of the phone number (center.programmes.signup_codes). Staff cancel or postpone for the
weather and everyone signed up is told.

Race-freedom: every change to a day's places runs in one write transaction that first locks the
day's row (SELECT ... FOR UPDATE on PostgreSQL; SQLite's immediate transaction already holds the
database's write lock), so counting the places left and writing the signup cannot interleave."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from center.accounts import audit, throttle
from center.lib import codes
from center.lib.dates import local_instant, today
from center.lib.db import is_postgres, write_transaction
from center.lib.errors import DomainError, NotFound, ValidationFailed
from center.lib.i18n import N_
from center.lib.settings import get_settings
from center.notices.service import notify
from center.places import forms
from center.places.calendar import day_info
from center.programmes.tables import FlowerbedDay, FlowerbedSignup

# Age bands asked at signup: (code, lowest age in the band, label). The points rule compares
# its minimum age with the band's lowest age, so a band counts only when all of it qualifies.
AGE_BANDS: tuple[tuple[str, int, str], ...] = (
    ("under_40", 0, N_("Under 40")),
    ("40s", 40, N_("40–49")),
    ("50s", 50, N_("50–59")),
    ("60s", 60, N_("60–64")),
    ("65_74", 65, N_("65–74")),
    ("75_plus", 75, N_("75 or over")),
)
AGE_BAND_FLOOR = {code: floor for code, floor, _ in AGE_BANDS}
RAIN_PLANS = (("postpone", N_("Postpone to the rain date")), ("cancel", N_("Cancel")))
MAX_COMPANIONS = 5
MAX_TEXT = 2000

STATUS_LABELS = {
    "confirmed": N_("Confirmed"),
    "waitlisted": N_("On the waiting list"),
    "cancelled": N_("Cancelled"),
}
DAY_STATUS_LABELS = {
    "planned": N_("Planned"),
    "cancelled": N_("Cancelled"),
    "held": N_("Held"),
}


class SignupRefused(DomainError):
    """A signup that cannot be taken, with the reason in words (Engelsystem-style: never a bare no)."""

    status_code = 409


REFUSALS = {
    "cancelled": N_("This flower-bed day has been cancelled, so signups are closed."),
    "ended": N_("This flower-bed day is over, so signups are closed."),
    "duplicate": N_(
        "You have already signed up for this day. Use the link you received to see or cancel it."
    ),
    "held": N_("This flower-bed day is over, so signups are closed."),
}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def party_size(signup: Mapping[str, Any]) -> int:
    return 1 + int(signup["companions"] or 0)


def contact_key(name: str, phone: str, email: str) -> str:
    """The same person written twice (full-width, spaces, hyphens, case) gives the same key."""
    norm_name = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).lower()
    norm_phone = re.sub(r"\D", "", unicodedata.normalize("NFKC", phone))
    norm_email = unicodedata.normalize("NFKC", email).strip().lower()
    return f"{norm_name}|{norm_phone or norm_email}"[:220]


# --- planning a day -------------------------------------------------------------------------


def parse_day_form(data: Mapping[str, Any]) -> dict[str, Any]:
    """A day's fields from a form; raises ValidationFailed naming each bad field."""
    errors = forms.FieldErrors()
    title = forms.text(data, "title_ja", 200)
    if not title:
        errors.add("title_ja", N_("Enter a title."))
    day = forms.day(data, "day", errors, N_("Enter a date like 2026-12-01."))
    starts = forms.clock(data, "starts", errors, N_("Enter a time like 9:30."))
    ends = forms.clock(data, "ends", errors, N_("Enter a time like 9:30."))
    if starts and ends and ends <= starts:
        errors.add("ends", N_("The end must be after the start."))
    capacity = forms.whole(
        data, "capacity", errors, N_("Enter a number of places from 1 to 500."), low=1, high=500
    )
    rain_plan = forms.text(data, "rain_plan")
    if rain_plan not in dict(RAIN_PLANS):
        errors.add("rain_plan", N_("Choose what happens if it rains."))
    rain_date = None
    if forms.text(data, "rain_date"):
        rain_date = forms.day(data, "rain_date", errors, N_("Enter a date like 2026-12-01."))
    if rain_plan == "postpone" and rain_date is None:
        errors.add("rain_date", N_("Enter the date the day moves to if it rains."))
    if day and day < today():
        errors.add("day", N_("Choose a date from today on."))
    if day and rain_date and rain_date <= day:
        errors.add("rain_date", N_("The rain date must be after the day."))
    if errors:
        raise ValidationFailed(dict(errors))
    assert day and starts and ends and capacity
    return {
        "title_ja": title,
        "title_en": forms.text(data, "title_en", 200),
        "day": day,
        "starts": starts,
        "ends": ends,
        "capacity": capacity,
        "rain_plan": rain_plan,
        "rain_date": rain_date,
        "beds": forms.text(data, "beds", MAX_TEXT),
        "meeting_point": forms.text(data, "meeting_point", 200),
        "bring": forms.text(data, "bring", MAX_TEXT),
        "description": forms.text(data, "description", MAX_TEXT),
    }


async def plan_day(fields: dict[str, Any], actor: Any = None) -> int:
    """Add a flower-bed day; returns its id."""
    now = datetime.now(UTC)
    async with write_transaction():
        rows = await FlowerbedDay.insert(
            FlowerbedDay(
                **fields,
                starts_at=local_instant(fields["day"], fields["starts"]),
                ends_at=local_instant(fields["day"], fields["ends"]),
                status="planned",
                created_at=now,
                updated_at=now,
            )
        ).returning(*FlowerbedDay.all_columns())
        await audit.record("flowerbed.plan", "flowerbed_day", rows[0]["id"], actor=actor, after=rows[0])
    return rows[0]["id"]


async def update_day(day_id: int, fields: dict[str, Any], actor: Any = None) -> list[dict]:
    """Change a planned day's text, capacity and rain plan. Its date and hours change only by
    postponing (everyone is told); the capacity cannot drop below the people confirmed, and a
    larger one moves waiting signups up. Returns the signups moved up."""
    async with write_transaction():
        day = await _lock_day(day_id)
        if day["status"] != "planned":
            raise SignupRefused(N_("Only a planned day can be changed."))
        errors = forms.FieldErrors()
        if (fields["day"], fields["starts"], fields["ends"]) != (day["day"], day["starts"], day["ends"]):
            errors.add("day", N_("To move the day or change its hours, postpone it on the day's page."))
        taken = await taken_places(day_id)
        if fields["capacity"] < taken:
            errors.add("capacity", N_("%(taken)s people are already confirmed; the places cannot be fewer."))
        if errors:
            raise ValidationFailed(dict(errors), params={"taken": taken})
        changes = {
            key: fields[key]
            for key in (
                "title_ja",
                "title_en",
                "capacity",
                "rain_plan",
                "rain_date",
                "beds",
                "meeting_point",
                "bring",
                "description",
            )
        }
        now = datetime.now(UTC)
        await FlowerbedDay.update({**changes, "sequence": day["sequence"] + 1, "updated_at": now}).where(
            FlowerbedDay.id == day_id
        )
        await audit.record(
            "flowerbed.edit", "flowerbed_day", day_id, actor=actor, before=day, after={**day, **changes}
        )
        return await _promote({**day, **changes}, now)


# --- reading ----------------------------------------------------------------------------------


async def get_day(day_id: int) -> dict:
    row = await FlowerbedDay.select().where(FlowerbedDay.id == day_id).first()
    if row is None:
        raise NotFound(N_("That flower-bed day does not exist."))
    return row


async def taken_places(day_id: int) -> int:
    rows = await FlowerbedSignup.select(FlowerbedSignup.companions).where(
        (FlowerbedSignup.day == day_id) & (FlowerbedSignup.status == "confirmed")
    )
    return sum(party_size(row) for row in rows)


async def with_places(days: list[dict]) -> list[dict]:
    """Each day with `taken`, `left` and `waiting` (people on the waiting list)."""
    if not days:
        return []
    rows = await FlowerbedSignup.select(
        FlowerbedSignup.day, FlowerbedSignup.companions, FlowerbedSignup.status
    ).where(FlowerbedSignup.day.is_in([d["id"] for d in days]) & (FlowerbedSignup.status != "cancelled"))
    result = []
    for day in days:
        taken = sum(party_size(r) for r in rows if r["day"] == day["id"] and r["status"] == "confirmed")
        waiting = sum(party_size(r) for r in rows if r["day"] == day["id"] and r["status"] == "waitlisted")
        result.append({**day, "taken": taken, "left": max(day["capacity"] - taken, 0), "waiting": waiting})
    return result


async def upcoming_days(from_day: date | None = None, limit: int = 50) -> list[dict]:
    """Days from today on, cancelled ones included (marked), so the public sees the change."""
    start = from_day or today()
    days = await (
        FlowerbedDay.select().where(FlowerbedDay.day >= start).order_by(FlowerbedDay.day).limit(limit)
    )
    return await with_places(days)


async def recent_days(limit: int = 20) -> list[dict]:
    days = await (
        FlowerbedDay.select()
        .where(FlowerbedDay.day < today())
        .order_by(FlowerbedDay.day, ascending=False)
        .limit(limit)
    )
    return await with_places(days)


async def next_day() -> dict | None:
    days = await (
        FlowerbedDay.select()
        .where((FlowerbedDay.day >= today()) & (FlowerbedDay.status == "planned"))
        .order_by(FlowerbedDay.day)
        .limit(1)
    )
    found = await with_places(days)
    return found[0] if found else None


async def signups_of(day_id: int) -> list[dict]:
    """Everyone signed up for a day (staff only: names and contacts), in signup order."""
    return await FlowerbedSignup.select().where(FlowerbedSignup.day == day_id).order_by(FlowerbedSignup.id)


async def notices_of(day_id: int, limit: int = 200) -> list[dict]:
    """The notices sent to the people signed up for a day (signup, waiting list, moved up,
    cancelled, postponed), newest first, each with the name it went to (staff only)."""
    from center.notices.tables import Notice

    names = {str(s["id"]): s["name"] for s in await signups_of(day_id)}
    if not names:
        return []
    rows = await (
        Notice.select()
        .where((Notice.entity == "flowerbed_signup") & Notice.entity_id.is_in(list(names)))
        .order_by(Notice.id, ascending=False)
        .limit(limit)
    )
    return [{**row, "to_name": names[row["entity_id"]]} for row in rows]


async def signup_by_token(token: str) -> tuple[dict, dict]:
    """The signup and its day behind a private link, or NotFound."""
    if not token or len(token) > 100:
        raise NotFound(N_("That signup link is not valid."))
    signup = await FlowerbedSignup.select().where(FlowerbedSignup.token_hash == hash_token(token)).first()
    if signup is None:
        raise NotFound(N_("That signup link is not valid."))
    return signup, await get_day(signup["day"])


async def waiting_position(signup: dict) -> int | None:
    """1 for the first on the waiting list."""
    if signup["status"] != "waitlisted":
        return None
    ahead = await FlowerbedSignup.count().where(
        (FlowerbedSignup.day == signup["day"])
        & (FlowerbedSignup.status == "waitlisted")
        & (FlowerbedSignup.id < signup["id"])
    )
    return ahead + 1


# --- signing up -------------------------------------------------------------------------------


def parse_signup(data: Mapping[str, Any]) -> dict[str, Any]:
    errors = forms.FieldErrors()
    name = forms.text(data, "name", 100)
    if not name:
        errors.add("name", N_("Enter your name."))
    phone = forms.text(data, "phone", 40)
    email = forms.text(data, "email", 200)
    if phone and not re.fullmatch(r"[0-9+\-() ]{6,20}", unicodedata.normalize("NFKC", phone)):
        errors.add("phone", N_("Enter a phone number like 0144-32-7111."))
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        errors.add("email", N_("Enter an e-mail address like name@example.jp."))
    if not phone and not email and "phone" not in errors and "email" not in errors:
        errors.add("phone", N_("Enter a phone number or an e-mail address so we can reach you."))
    age_band = forms.text(data, "age_band")
    if age_band not in AGE_BAND_FLOOR:
        errors.add("age_band", N_("Choose your age group."))
    companions = forms.whole(
        data,
        "companions",
        errors,
        N_("Enter the number of people coming with you, from 0 to %(max)s."),
        low=0,
        high=MAX_COMPANIONS,
        required=False,
        default=0,
    )
    volunteer_no = unicodedata.normalize("NFKC", forms.text(data, "volunteer_no", 40)).strip()
    if volunteer_no and not re.fullmatch(r"[A-Za-z0-9\-]{1,20}", volunteer_no):
        errors.add("volunteer_no", N_("Enter the volunteer registration number as printed on your card."))
    if errors:
        raise ValidationFailed(dict(errors), params={"max": MAX_COMPANIONS})
    return {
        "name": name,
        "phone": phone,
        "email": email,
        "age_band": age_band,
        "companions": companions or 0,
        "volunteer_no": volunteer_no.upper(),
    }


async def _lock_day(day_id: int) -> dict:
    """Lock the day's row for the rest of the transaction (see the module docstring)."""
    if is_postgres():
        rows = await FlowerbedDay.raw("SELECT * FROM center_flowerbed_day WHERE id = {} FOR UPDATE", day_id)
        row = rows[0] if rows else None
    else:
        row = await FlowerbedDay.select().where(FlowerbedDay.id == day_id).first()
    if row is None:
        raise NotFound(N_("That flower-bed day does not exist."))
    return row


async def sign_up(
    day_id: int, fields: dict[str, Any], *, address: str = "", now: datetime | None = None
) -> tuple[dict, str]:
    """Take a signup: confirmed if the whole party fits, else on the waiting list. Returns the
    signup and its private token (shown once; only the hash is kept)."""
    now = now or datetime.now(UTC)
    if address:  # signups from the web are limited per client address (before anything is written)
        await throttle.check_rate(
            throttle.FLOWERBED_SIGNUP,
            address,
            limit=get_settings().flowerbed_signups_per_hour,
            window=timedelta(hours=1),
            now=now,
        )
    token = secrets.token_urlsafe(24)
    key = contact_key(fields["name"], fields["phone"], fields["email"])
    async with write_transaction():
        day = await _lock_day(day_id)
        if day["status"] in ("cancelled", "held"):
            raise SignupRefused(REFUSALS[day["status"]])
        if day["starts_at"] <= now:
            raise SignupRefused(REFUSALS["ended"])
        duplicate = await FlowerbedSignup.exists().where(
            (FlowerbedSignup.day == day_id)
            & (FlowerbedSignup.contact_key == key)
            & (FlowerbedSignup.status != "cancelled")
        )
        if duplicate:
            raise SignupRefused(REFUSALS["duplicate"])
        left = day["capacity"] - await taken_places(day_id)
        waiting = await FlowerbedSignup.exists().where(
            (FlowerbedSignup.day == day_id) & (FlowerbedSignup.status == "waitlisted")
        )
        # Nobody jumps the queue: while people wait, a newcomer waits too.
        status = "confirmed" if (1 + fields["companions"] <= left and not waiting) else "waitlisted"
        rows = await FlowerbedSignup.insert(
            FlowerbedSignup(
                day=day_id,
                **fields,
                contact_key=key,
                status=status,
                token_hash=hash_token(token),
                code=await _unused_code(),
                created_at=now,
            )
        ).returning(*FlowerbedSignup.all_columns())
        signup = rows[0]
        await audit.record(
            "flowerbed.signup", "flowerbed_signup", signup["id"], after=_public(signup), note=f"day {day_id}"
        )
        if signup["email"]:
            await notify(
                kind="flowerbed.signup",
                subject=N_("Your signup for %(title)s"),
                body=N_("You are signed up for %(title)s on %(day)s. Your place is confirmed.")
                if status == "confirmed"
                else N_(
                    "You are on the waiting list for %(title)s on %(day)s. We will tell you if a place opens."
                ),
                params={"title": _title(day), "day": day["day"]},
                email=signup["email"],
                link=f"/flowerbeds/signups/{token}",
                entity="flowerbed_signup",
                entity_id=signup["id"],
            )
    return signup, token


async def _unused_code() -> str:
    """A short code no other signup has (the partial unique index backs this up)."""
    for _attempt in range(10):
        code = codes.new_code()
        if not await FlowerbedSignup.exists().where(FlowerbedSignup.code == code):
            return code
    raise RuntimeError("no unused signup code after 10 tries")


def _public(signup: Mapping[str, Any]) -> dict:
    """A signup for the audit log: no contact details, no token hash."""
    return {
        k: signup[k]
        for k in ("id", "day", "status", "companions", "age_band", "attended", "minutes")
        if k in signup
    }


def _title(day: Mapping[str, Any]) -> dict[str, str]:
    return {"ja": day["title_ja"], "en": day["title_en"] or day["title_ja"]}


async def _promote(day: dict, now: datetime) -> list[dict]:
    """Confirm waiting signups, in signup order, while their parties fit. Call with the day locked."""
    left = day["capacity"] - await taken_places(day["id"])
    promoted = []
    waiting = await (
        FlowerbedSignup.select()
        .where((FlowerbedSignup.day == day["id"]) & (FlowerbedSignup.status == "waitlisted"))
        .order_by(FlowerbedSignup.id)
    )
    for signup in waiting:
        if left <= 0:
            break
        if party_size(signup) > left:
            continue
        await FlowerbedSignup.update(
            {FlowerbedSignup.status: "confirmed", FlowerbedSignup.promoted_at: now}
        ).where(FlowerbedSignup.id == signup["id"])
        left -= party_size(signup)
        promoted.append(signup)
        await audit.record(
            "flowerbed.promote",
            "flowerbed_signup",
            signup["id"],
            before=_public(signup),
            after={**_public(signup), "status": "confirmed"},
        )
        await notify(
            kind="flowerbed.promoted",
            subject=N_("A place opened for %(title)s"),
            body=N_(
                "A place opened on %(day)s and you are now confirmed for %(title)s. "
                "If you cannot come, please cancel with the link you received when you signed up."
            ),
            params={"title": _title(day), "day": day["day"]},
            email=signup["email"],
            entity="flowerbed_signup",
            entity_id=signup["id"],
        )
    return promoted


async def cancel_signup(token: str, *, now: datetime | None = None) -> list[dict]:
    """Cancel the signup behind a private link; returns the signups promoted in its place."""
    now = now or datetime.now(UTC)
    signup, _ = await signup_by_token(token)
    return await _cancel(signup["id"], now, actor=None)


async def staff_cancel_signup(signup_id: int, actor: Any) -> list[dict]:
    """Staff cancel a signup for someone who phoned in."""
    return await _cancel(signup_id, datetime.now(UTC), actor=actor)


async def cancel_signup_by_id(signup_id: int, *, now: datetime | None = None) -> list[dict]:
    """Cancel a signup its volunteer proved to be theirs (code and phone digits); returns the
    signups promoted in its place."""
    return await _cancel(signup_id, now or datetime.now(UTC), actor=None)


async def _cancel(signup_id: int, now: datetime, actor: Any) -> list[dict]:
    async with write_transaction():
        current = await FlowerbedSignup.select().where(FlowerbedSignup.id == signup_id).first()
        if current is None:
            raise NotFound(N_("That signup does not exist."))
        day = await _lock_day(current["day"])
        signup = await FlowerbedSignup.select().where(FlowerbedSignup.id == signup_id).first()
        if signup["status"] == "cancelled":
            raise SignupRefused(N_("This signup was already cancelled."))
        if day["status"] != "planned" or day["ends_at"] <= now:
            raise SignupRefused(N_("This flower-bed day is over or cancelled; nothing to cancel."))
        await FlowerbedSignup.update(
            {FlowerbedSignup.status: "cancelled", FlowerbedSignup.cancelled_at: now}
        ).where(FlowerbedSignup.id == signup_id)
        await audit.record(
            "flowerbed.cancel_signup",
            "flowerbed_signup",
            signup_id,
            actor=actor,
            before=_public(signup),
            after={**_public(signup), "status": "cancelled"},
        )
        return await _promote(day, now)


# --- the weather ------------------------------------------------------------------------------


async def _tell_everyone(day: dict, subject: str, body: str, params: dict, kind: str) -> int:
    people = await FlowerbedSignup.select().where(
        (FlowerbedSignup.day == day["id"]) & (FlowerbedSignup.status != "cancelled")
    )
    for signup in people:
        await notify(
            kind=kind,
            subject=subject,
            body=body,
            params=params,
            email=signup["email"],
            entity="flowerbed_signup",
            entity_id=signup["id"],
        )
    return len(people)


async def cancel_day(day_id: int, note: str, actor: Any) -> int:
    """Cancel a day (rain, storm); everyone signed up or waiting is told. Returns how many."""
    async with write_transaction():
        day = await _lock_day(day_id)
        if day["status"] != "planned":
            raise SignupRefused(N_("Only a planned day can be cancelled or postponed."))
        now = datetime.now(UTC)
        await FlowerbedDay.update(
            {
                FlowerbedDay.status: "cancelled",
                FlowerbedDay.change_note: note,
                FlowerbedDay.sequence: FlowerbedDay.sequence + 1,
                FlowerbedDay.updated_at: now,
            }
        ).where(FlowerbedDay.id == day_id)
        await audit.record(
            "flowerbed.cancel_day",
            "flowerbed_day",
            day_id,
            actor=actor,
            before=day,
            after={**day, "status": "cancelled", "change_note": note},
            note=note,
        )
        return await _tell_everyone(
            day,
            N_("Cancelled: %(title)s on %(day)s"),
            N_("%(title)s on %(day)s is cancelled. %(note)s We hope to see you another time."),
            {"title": _title(day), "day": day["day"], "note": note},
            "flowerbed.cancelled",
        )


async def postpone_day(day_id: int, new_day: date, note: str, actor: Any) -> int:
    """Move a day (same hours) to another date; everyone signed up keeps their place and is told."""
    async with write_transaction():
        day = await _lock_day(day_id)
        if day["status"] != "planned":
            raise SignupRefused(N_("Only a planned day can be cancelled or postponed."))
        if new_day <= day["day"]:
            raise ValidationFailed({"new_day": N_("Choose a later date than the planned day.")})
        if new_day < today():
            raise ValidationFailed({"new_day": N_("Choose a date from today on.")})
        info = await day_info(new_day)
        if not info.open:
            raise ValidationFailed({"new_day": N_("The center is closed on that date. Choose another.")})
        now = datetime.now(UTC)
        changes = {
            "day": new_day,
            "starts_at": local_instant(new_day, day["starts"]),
            "ends_at": local_instant(new_day, day["ends"]),
            "postponed_from": day["postponed_from"] or day["day"],
            "change_note": note,
            "sequence": day["sequence"] + 1,
            "updated_at": now,
        }
        await FlowerbedDay.update(changes).where(FlowerbedDay.id == day_id)
        await audit.record(
            "flowerbed.postpone",
            "flowerbed_day",
            day_id,
            actor=actor,
            before=day,
            after={**day, **changes},
            note=note,
        )
        return await _tell_everyone(
            day,
            N_("Postponed: %(title)s moves to %(new_day)s"),
            N_(
                "%(title)s planned for %(day)s moves to %(new_day)s at the same time. %(note)s "
                "Your place is kept; if you cannot come on the new date, please cancel with your link."
            ),
            {"title": _title(day), "day": day["day"], "new_day": new_day, "note": note},
            "flowerbed.postponed",
        )


def default_new_day(day: Mapping[str, Any]) -> date | None:
    rain = day.get("rain_date")
    return rain if rain and rain > day["day"] else None


def clock_text(value: time) -> str:
    return f"{value.hour}:{value.minute:02d}"
