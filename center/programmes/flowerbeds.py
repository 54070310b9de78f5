"""Flower-bed volunteer days (花壇づくり): staff plan a day; anyone signs up without an account,
for themselves and companions; a full day puts signups on a waiting list, and a cancellation
promotes the next people who fit, with a notice. Each signup has a private link (only its hash is
stored) and a short code (center.lib.codes) to quote at the desk or on the phone with the last four
digits of the phone number (center.programmes.signup_codes). Staff cancel or postpone for the
weather and everyone signed up is told.

Race-freedom: every change to a day's places runs in one write transaction that first locks the
day's row (SELECT ... FOR UPDATE on PostgreSQL; SQLite's immediate transaction already holds the
database's write lock), so counting the places left and writing the signup cannot interleave.

This module keeps planning, reading and the weather; the words and small rules are in
center.programmes.flowerbed_terms, the places and the waiting list in flowerbed_places, signing up
and cancelling in flowerbed_signups (their public names are re-exported here)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from center.accounts import audit
from center.accounts.actors import Actor
from center.lib.dates import local_instant, today
from center.lib.db import write_transaction
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_
from center.notices.service import notify
from center.places import forms
from center.places.calendar import day_info
from center.programmes.flowerbed_places import get_day as get_day
from center.programmes.flowerbed_places import lock_day, promote_waiting
from center.programmes.flowerbed_places import taken_places as taken_places
from center.programmes.flowerbed_signups import cancel_signup as cancel_signup
from center.programmes.flowerbed_signups import cancel_signup_by_id as cancel_signup_by_id
from center.programmes.flowerbed_signups import parse_signup as parse_signup
from center.programmes.flowerbed_signups import sign_up as sign_up
from center.programmes.flowerbed_signups import signup_by_token as signup_by_token
from center.programmes.flowerbed_signups import staff_cancel_signup as staff_cancel_signup
from center.programmes.flowerbed_signups import waiting_position as waiting_position
from center.programmes.flowerbed_terms import AGE_BAND_FLOOR as AGE_BAND_FLOOR
from center.programmes.flowerbed_terms import AGE_BANDS as AGE_BANDS
from center.programmes.flowerbed_terms import DAY_STATUS_LABELS as DAY_STATUS_LABELS
from center.programmes.flowerbed_terms import MAX_COMPANIONS as MAX_COMPANIONS
from center.programmes.flowerbed_terms import MAX_TEXT, day_title
from center.programmes.flowerbed_terms import RAIN_PLANS as RAIN_PLANS
from center.programmes.flowerbed_terms import REFUSALS as REFUSALS
from center.programmes.flowerbed_terms import STATUS_LABELS as STATUS_LABELS
from center.programmes.flowerbed_terms import SignupRefused as SignupRefused
from center.programmes.flowerbed_terms import clock_text as clock_text
from center.programmes.flowerbed_terms import contact_key as contact_key
from center.programmes.flowerbed_terms import default_new_day as default_new_day
from center.programmes.flowerbed_terms import hash_token as hash_token
from center.programmes.flowerbed_terms import party_size as party_size
from center.programmes.tables import FlowerbedDay, FlowerbedSignup

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


async def plan_day(fields: dict[str, Any], actor: Actor | None = None) -> int:
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


async def update_day(day_id: int, fields: dict[str, Any], actor: Actor | None = None) -> list[dict]:
    """Change a planned day's text, capacity and rain plan. Its date and hours change only by
    postponing (everyone is told); the capacity cannot drop below the people confirmed, and a
    larger one moves waiting signups up. Returns the signups moved up."""
    async with write_transaction():
        day = await lock_day(day_id)
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
        return await promote_waiting({**day, **changes}, now)


# --- reading ----------------------------------------------------------------------------------


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


async def cancel_day(day_id: int, note: str, actor: Actor) -> int:
    """Cancel a day (rain, storm); everyone signed up or waiting is told. Returns how many."""
    async with write_transaction():
        day = await lock_day(day_id)
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
            {"title": day_title(day), "day": day["day"], "note": note},
            "flowerbed.cancelled",
        )


async def postpone_day(day_id: int, new_day: date, note: str, actor: Actor) -> int:
    """Move a day (same hours) to another date; everyone signed up keeps their place and is told."""
    async with write_transaction():
        day = await lock_day(day_id)
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
            {"title": day_title(day), "day": day["day"], "new_day": new_day, "note": note},
            "flowerbed.postponed",
        )
