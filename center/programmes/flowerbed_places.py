"""The places on a flower-bed day: the day read and locked, the places taken, and the waiting list
promoted (in signup order, while parties fit, each person told) when places open. Every change to
a day's places locks the day first (see center.programmes.flowerbeds)."""

from __future__ import annotations

from datetime import datetime

from center.accounts import audit
from center.lib.db import is_postgres
from center.lib.errors import NotFound
from center.lib.i18n import N_
from center.notices.service import notify
from center.programmes.flowerbed_terms import day_title, party_size, public_fields
from center.programmes.tables import FlowerbedDay, FlowerbedSignup


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


async def lock_day(day_id: int) -> dict:
    """Lock the day's row for the rest of the transaction (see the module docstring)."""
    if is_postgres():
        rows = await FlowerbedDay.raw("SELECT * FROM center_flowerbed_day WHERE id = {} FOR UPDATE", day_id)
        row = rows[0] if rows else None
    else:
        row = await FlowerbedDay.select().where(FlowerbedDay.id == day_id).first()
    if row is None:
        raise NotFound(N_("That flower-bed day does not exist."))
    return row


async def promote_waiting(day: dict, now: datetime) -> list[dict]:
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
            before=public_fields(signup),
            after={**public_fields(signup), "status": "confirmed"},
        )
        await notify(
            kind="flowerbed.promoted",
            subject=N_("A place opened for %(title)s"),
            body=N_(
                "A place opened on %(day)s and you are now confirmed for %(title)s. "
                "If you cannot come, please cancel with the link you received when you signed up."
            ),
            params={"title": day_title(day), "day": day["day"]},
            email=signup["email"],
            entity="flowerbed_signup",
            entity_id=signup["id"],
        )
    return promoted
