"""Recurring inspections (点検) on a fixed schedule: the elevator monthly, the AED weekly, fire
equipment twice a year, the flower beds' watering in season. The scheduler job opens each
inspection's ticket `lead_days` before it falls due, once per due date (a unique index makes that
hold even when two processes run the job), and moves the next due date on. An inspection whose
ticket is past its due date and not done is overdue."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from center.accounts import audit
from center.accounts.actors import SYSTEM, Actor
from center.lib import dates
from center.lib.db import write_transaction
from center.lib.errors import NotFound, ValidationFailed
from center.lib.i18n import N_
from center.lib.months import shift_month
from center.places import forms
from maintenance.tables import Inspection, Location, Ticket
from maintenance.ticket_fields import parse_title
from maintenance.tickets import create_ticket
from maintenance.workflow import OPEN_STATUSES

UNITS = {"week": N_("weeks"), "month": N_("months")}


def add_interval(day: date, every: int, unit: str) -> date:
    from datetime import timedelta

    if unit == "week":
        return day + timedelta(weeks=every)
    year, month = shift_month(day.year, day.month, every)
    import calendar

    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def in_season(day: date, season_from: int | None, season_to: int | None) -> bool:
    if not season_from or not season_to:
        return True
    if season_from <= season_to:
        return season_from <= day.month <= season_to
    return day.month >= season_from or day.month <= season_to  # a season across the new year


async def parse_inspection(data: Mapping[str, Any], *, keep_location: int | None = None) -> dict[str, Any]:
    """An inspection's fields from a form. Only active locations may be chosen, except
    `keep_location` (the inspection's own, deactivated since)."""
    errors = forms.FieldErrors()
    title = parse_title(data, errors, "title_ja")
    title_en = forms.text(data, "title_en", 200)
    location = forms.whole(data, "location", errors, N_("Choose a location."), low=1)
    if location is not None and not await Location.exists().where(
        (Location.id == location) & ((Location.active == True) | (Location.id == (keep_location or 0)))
    ):
        errors.add("location", N_("Choose a location."))
    every = forms.whole(data, "every", errors, N_("Enter a whole number from 1 to 52."), low=1, high=52)
    unit = forms.text(data, "unit")
    if unit not in UNITS:
        errors.add("unit", N_("Choose weeks or months."))
    next_due = forms.day(data, "next_due", errors, N_("Enter a date as YYYY-MM-DD."))
    month_msg = N_("Enter a month from 1 to 12, or leave both empty.")
    season_from = forms.whole(data, "season_from", errors, month_msg, low=1, high=12, required=False)
    season_to = forms.whole(data, "season_to", errors, month_msg, low=1, high=12, required=False)
    if (season_from is None) != (season_to is None):
        errors.add("season_to", month_msg)
    lead = forms.whole(
        data,
        "lead_days",
        errors,
        N_("Enter a whole number from 0 to 60."),
        low=0,
        high=60,
        required=False,
        default=7,
    )
    if errors:
        raise ValidationFailed(dict(errors))
    return {
        "title_ja": title,
        "title_en": title_en,
        "location": location,
        "every": every,
        "unit": unit,
        "next_due": next_due,
        "season_from": season_from,
        "season_to": season_to,
        "lead_days": lead,
    }


async def create_inspection(fields: dict[str, Any], actor: Actor) -> int:
    async with write_transaction():
        now = datetime.now(UTC)
        rows = await Inspection.insert(Inspection(**fields, created_at=now, updated_at=now)).returning(
            *Inspection.all_columns()
        )
        await audit.record("create", "maintenance_inspection", rows[0]["id"], actor=actor, after=rows[0])
    return rows[0]["id"]


async def get_inspection(inspection_id: int) -> dict:
    row = (
        await Inspection.select(
            *Inspection.all_columns(),
            Inspection.location.name_ja.as_alias("location_name_ja"),
            Inspection.location.name_en.as_alias("location_name_en"),
        )
        .where(Inspection.id == inspection_id)
        .first()
    )
    if row is None:
        raise NotFound(N_("That inspection does not exist."))
    return row


async def update_inspection(inspection_id: int, fields: dict[str, Any], actor: Actor) -> dict:
    """Save an edited inspection; tickets it already opened keep their dates."""
    async with write_transaction():
        before = await Inspection.select().where(Inspection.id == inspection_id).first()
        if before is None:
            raise NotFound(N_("That inspection does not exist."))
        changed = {name: value for name, value in fields.items() if before[name] != value}
        if not changed:
            return before
        await Inspection.update(
            {
                **{getattr(Inspection, name): value for name, value in changed.items()},
                Inspection.updated_at: datetime.now(UTC),
            }
        ).where(Inspection.id == inspection_id)
        after = await Inspection.select().where(Inspection.id == inspection_id).first()
        await audit.record(
            "update", "maintenance_inspection", inspection_id, actor=actor, before=before, after=after
        )
        return after


async def set_active(inspection_id: int, active: bool, actor: Actor, today: date | None = None) -> dict:
    """Pause an inspection (the job opens no tickets for it) or resume it. A resumed inspection
    whose next due date passed while paused moves on to its first date from today, so a long
    pause does not open a ticket for every date missed."""
    today = today or dates.today()
    async with write_transaction():
        before = await Inspection.select().where(Inspection.id == inspection_id).first()
        if before is None:
            raise NotFound(N_("That inspection does not exist."))
        if before["active"] == active:
            return before
        values: dict = {Inspection.active: active, Inspection.updated_at: datetime.now(UTC)}
        if active:
            due = before["next_due"]
            for _ in range(1000):
                if due >= today:
                    break
                due = add_interval(due, before["every"], before["unit"])
            values[Inspection.next_due] = due
        await Inspection.update(values).where(Inspection.id == inspection_id)
        after = await Inspection.select().where(Inspection.id == inspection_id).first()
        await audit.record(
            "resume" if active else "pause",
            "maintenance_inspection",
            inspection_id,
            actor=actor,
            before=before,
            after=after,
        )
        return after


async def open_due(today: date | None = None) -> list[int]:
    """Open the tickets of inspections falling due within their lead time; idempotent. Dates out of
    season are skipped. Returns the new ticket ids."""
    today = today or dates.today()
    opened = []
    for inspection in await Inspection.select().where(Inspection.active == True):
        async with write_transaction():
            current = await Inspection.select().where(Inspection.id == inspection["id"]).first()
            if current is None or not current["active"]:
                continue  # paused meanwhile
            due = current["next_due"]
            for _ in range(60):  # skip dates out of season
                if in_season(due, current["season_from"], current["season_to"]):
                    break
                due = add_interval(due, current["every"], current["unit"])
            if (due - today).days > current["lead_days"]:
                if due != current["next_due"]:
                    await Inspection.update(
                        {Inspection.next_due: due, Inspection.updated_at: datetime.now(UTC)}
                    ).where(Inspection.id == current["id"])
                continue
            exists = await Ticket.exists().where(
                (Ticket.inspection == current["id"]) & (Ticket.inspection_due == due)
            )
            if not exists:
                opened.append(
                    await create_ticket(
                        {
                            "title": current["title_ja"],
                            "description": current["title_en"],
                            "category": "inspection",
                            "priority": "normal",
                            "location": current["location"],
                            "due_on": due,
                        },
                        SYSTEM,
                        status="scheduled",
                        extra={"inspection": current["id"], "inspection_due": due},
                    )
                )
            await Inspection.update(
                {
                    Inspection.next_due: add_interval(due, current["every"], current["unit"]),
                    Inspection.updated_at: datetime.now(UTC),
                }
            ).where(Inspection.id == current["id"])
    return opened


async def list_inspections(today: date | None = None) -> list[dict]:
    """Every inspection with its open ticket (if any) and whether it is overdue."""
    today = today or dates.today()
    rows = await Inspection.select(
        *Inspection.all_columns(),
        Inspection.location.name_ja.as_alias("location_name_ja"),
        Inspection.location.name_en.as_alias("location_name_en"),
    ).order_by(Inspection.next_due)
    tickets = await Ticket.select(Ticket.id, Ticket.inspection, Ticket.due_on, Ticket.status).where(
        Ticket.inspection.is_not_null() & Ticket.status.is_in(list(OPEN_STATUSES))
    )
    open_by = {}
    for ticket in sorted(tickets, key=lambda t: t["due_on"] or date.max):
        open_by.setdefault(ticket["inspection"], ticket)
    for row in rows:
        ticket = open_by.get(row["id"])
        row["open_ticket"] = ticket
        row["overdue"] = bool(ticket and ticket["due_on"] and ticket["due_on"] < today)
    rows.sort(key=lambda row: (not row["overdue"], row["next_due"]))
    return rows
