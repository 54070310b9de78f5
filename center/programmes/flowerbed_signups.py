"""Signing up for a flower-bed day without an account, for oneself and companions (a full day puts
the party on the waiting list), finding a signup by its private link, and cancelling it (by the
link, by code and phone digits, or by staff), which promotes the next people who fit."""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from center.accounts import audit, throttle
from center.accounts.actors import VISITOR, Actor
from center.lib import codes
from center.lib.db import write_transaction
from center.lib.errors import NotFound, ValidationFailed
from center.lib.i18n import N_
from center.lib.settings import get_settings
from center.notices.service import notify
from center.places import forms
from center.programmes.flowerbed_places import get_day, lock_day, promote_waiting, taken_places
from center.programmes.flowerbed_terms import (
    AGE_BAND_FLOOR,
    MAX_COMPANIONS,
    REFUSALS,
    SignupRefused,
    contact_key,
    day_title,
    hash_token,
    public_fields,
)
from center.programmes.tables import FlowerbedSignup


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
        day = await lock_day(day_id)
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
            "flowerbed.signup",
            "flowerbed_signup",
            signup["id"],
            after=public_fields(signup),
            note=f"day {day_id}",
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
                params={"title": day_title(day), "day": day["day"]},
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


async def cancel_signup(token: str, *, now: datetime | None = None) -> list[dict]:
    """Cancel the signup behind a private link; returns the signups promoted in its place."""
    now = now or datetime.now(UTC)
    signup, _ = await signup_by_token(token)
    return await _cancel(signup["id"], now, actor=VISITOR)


async def staff_cancel_signup(signup_id: int, actor: Actor) -> list[dict]:
    """Staff cancel a signup for someone who phoned in."""
    return await _cancel(signup_id, datetime.now(UTC), actor=actor)


async def cancel_signup_by_id(signup_id: int, *, now: datetime | None = None) -> list[dict]:
    """Cancel a signup its volunteer proved to be theirs (code and phone digits); returns the
    signups promoted in its place."""
    return await _cancel(signup_id, now or datetime.now(UTC), actor=VISITOR)


async def _cancel(signup_id: int, now: datetime, actor: Actor) -> list[dict]:
    async with write_transaction():
        current = await FlowerbedSignup.select().where(FlowerbedSignup.id == signup_id).first()
        if current is None:
            raise NotFound(N_("That signup does not exist."))
        day = await lock_day(current["day"])
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
            before=public_fields(signup),
            after={**public_fields(signup), "status": "cancelled"},
        )
        return await promote_waiting(day, now)


async def signup_day(signup_id: int) -> int:
    """The day a signup is for; NotFound if there is no such signup."""
    row = await FlowerbedSignup.select(FlowerbedSignup.day).where(FlowerbedSignup.id == signup_id).first()
    if row is None:
        raise NotFound(N_("That signup does not exist."))
    return row["day"]
