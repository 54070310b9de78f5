"""The manager's edits to the center's calendar: opening hours per weekday, slot definitions
(区分), closed days (休館日) and the center profile (heating season, holidays policy). Each edit is
one transaction with an audit line holding the record before and after; bad input raises
ValidationFailed keyed by the form's field names and changes nothing."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any

from center.accounts import audit
from center.accounts.actors import Actor
from center.lib.db import write_transaction
from center.lib.errors import NotFound, ValidationFailed
from center.lib.i18n import N_
from center.places import forms
from center.places.tables import CenterProfile, ClosedDay, OpeningHours, Slot

SLOT_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,19}")
DEFAULT_CENTER_NAME = ("苫小牧市市民活動センター", "Tomakomai Civic Activity Center")

MSG_TIME = N_("Enter a time such as 9:00.")
MSG_DATE = N_("Enter a date such as 2026-12-29.")
MSG_MONTH = N_("Choose a month from 1 to 12.")


# --- opening hours ---------------------------------------------------------------------------


async def opening_hours() -> dict[int, dict]:
    """weekday (0 = Monday) -> its row; weekdays without a row count as closed."""
    return {row["weekday"]: row for row in await OpeningHours.select()}


def hours_form_values(hours: dict[int, dict]) -> dict[str, str]:
    values: dict[str, str] = {}
    for weekday in range(7):
        row = hours.get(weekday)
        closed = row is None or row["closed"] or not row["opens"]
        values[f"hours_{weekday}_closed"] = "on" if closed else ""
        values[f"hours_{weekday}_opens"] = forms.hhmm(row["opens"]) if row else ""
        values[f"hours_{weekday}_closes"] = forms.hhmm(row["closes"]) if row else ""
    return values


async def save_opening_hours(data: Mapping[str, Any], *, actor: Actor) -> None:
    """Set the hours of all seven weekdays from one form."""
    errors = forms.FieldErrors()
    wanted: dict[int, dict[str, Any]] = {}
    for weekday in range(7):
        prefix = f"hours_{weekday}"
        closed = forms.checked(data, f"{prefix}_closed")
        opens = closes = None
        if not closed or forms.text(data, f"{prefix}_opens") or forms.text(data, f"{prefix}_closes"):
            opens = forms.clock(data, f"{prefix}_opens", errors, MSG_TIME)
            closes = forms.clock(data, f"{prefix}_closes", errors, MSG_TIME)
            if opens and closes and opens >= closes:
                errors.add(f"{prefix}_closes", N_("The closing time must be after the opening time."))
        wanted[weekday] = {"opens": opens, "closes": closes, "closed": closed}
    if errors:
        raise ValidationFailed(dict(errors))
    async with write_transaction():
        before = await opening_hours()
        for weekday, row in wanted.items():
            if weekday in before:
                await OpeningHours.update(
                    {
                        OpeningHours.opens: row["opens"],
                        OpeningHours.closes: row["closes"],
                        OpeningHours.closed: row["closed"],
                    }
                ).where(OpeningHours.weekday == weekday)
            else:
                await OpeningHours.insert(OpeningHours(weekday=weekday, **row))
        await audit.record(
            "update",
            "opening_hours",
            "week",
            actor=actor,
            before={
                str(d): {k: r[k] for k in ("opens", "closes", "closed")} for d, r in sorted(before.items())
            },
            after={str(d): r for d, r in wanted.items()},
        )


# --- slots (区分) -----------------------------------------------------------------------------


async def slots() -> list[dict]:
    return await Slot.select().order_by(Slot.sort_order, Slot.starts)


def slot_form_values(slot: dict | None) -> dict[str, str]:
    if slot is None:
        return {"slot_active": "on", "slot_sort_order": "0"}
    return {
        "slot_code": slot["code"],
        "slot_name_ja": slot["name_ja"],
        "slot_name_en": slot["name_en"],
        "slot_starts": forms.hhmm(slot["starts"]),
        "slot_ends": forms.hhmm(slot["ends"]),
        "slot_sort_order": str(slot["sort_order"]),
        "slot_active": "on" if slot["active"] else "",
    }


def _overlapping(starts: time, ends: time, others: list[dict]) -> dict | None:
    for other in others:
        if other["active"] and starts < other["ends"] and other["starts"] < ends:
            return other
    return None


async def _check_overlap(slot_id: int | None, starts: time, ends: time, field: str) -> None:
    query = Slot.select().where(Slot.active == True)
    if slot_id is not None:
        query = query.where(Slot.id != slot_id)
    if _overlapping(starts, ends, await query):
        raise ValidationFailed({field: N_("This slot overlaps another active slot.")})


async def save_slot(slot_id: int | None, data: Mapping[str, Any], *, actor: Actor) -> int:
    """Add (slot_id None) or edit a slot. Active slots must not overlap each other."""
    errors = forms.FieldErrors()
    code = forms.text(data, "slot_code").lower()
    if not SLOT_CODE.fullmatch(code):
        errors.add("slot_code", N_("Use 1 to 20 lower-case letters, digits, hyphens or underscores."))
    name_ja = forms.text(data, "slot_name_ja", 40)
    if not name_ja:
        errors.add("slot_name_ja", N_("Enter the slot's name in Japanese."))
    name_en = forms.text(data, "slot_name_en", 40)
    starts = forms.clock(data, "slot_starts", errors, MSG_TIME)
    ends = forms.clock(data, "slot_ends", errors, MSG_TIME)
    if starts and ends and starts >= ends:
        errors.add("slot_ends", N_("The end must be after the start."))
    sort_order = forms.whole(
        data,
        "slot_sort_order",
        errors,
        N_("Enter a whole number."),
        low=-9999,
        high=9999,
        required=False,
        default=0,
    )
    active = forms.checked(data, "slot_active") if slot_id is not None else True
    if errors:
        raise ValidationFailed(dict(errors))
    assert starts and ends
    row = {
        "code": code,
        "name_ja": name_ja,
        "name_en": name_en,
        "starts": starts,
        "ends": ends,
        "sort_order": sort_order or 0,
        "active": active,
    }
    async with write_transaction():
        before = None
        if slot_id is not None:
            before = await Slot.select().where(Slot.id == slot_id).first()
            if before is None:
                raise NotFound(N_("That slot does not exist."))
        clash = Slot.exists().where(Slot.code == code)
        if slot_id is not None:
            clash = clash.where(Slot.id != slot_id)
        if await clash:
            raise ValidationFailed({"slot_code": N_("Another slot already uses this code.")})
        if active:
            await _check_overlap(slot_id, starts, ends, "slot_starts")
        if slot_id is None:
            slot_id = (await Slot.insert(Slot(**row)).returning(Slot.id))[0]["id"]
        else:
            await Slot.update({getattr(Slot, k): v for k, v in row.items()}).where(Slot.id == slot_id)
        await audit.record(
            "update" if before else "create", "slot", slot_id, actor=actor, before=before, after=row
        )
    return slot_id


async def set_slot_active(slot_id: int, active: bool, *, actor: Actor) -> None:
    """Stop offering a slot (bookings already made keep their times) or offer it again."""
    async with write_transaction():
        slot = await Slot.select().where(Slot.id == slot_id).first()
        if slot is None:
            raise NotFound(N_("That slot does not exist."))
        if active and not slot["active"]:
            await _check_overlap(slot_id, slot["starts"], slot["ends"], "slot_active")
        await Slot.update({Slot.active: active}).where(Slot.id == slot_id)
        await audit.record(
            "activate" if active else "deactivate",
            "slot",
            slot_id,
            actor=actor,
            before={"active": slot["active"]},
            after={"active": active},
        )


# --- closed days (休館日) ----------------------------------------------------------------------


async def closed_days() -> list[dict]:
    return await ClosedDay.select().order_by(ClosedDay.yearly, ClosedDay.starts_on)


async def add_closed_day(data: Mapping[str, Any], *, actor: Actor) -> int:
    """Add a closed period. A yearly one repeats on the same dates every year and may wrap the
    new year (enter 2026-12-29 to 2027-01-03 for 12/29–1/3)."""
    errors = forms.FieldErrors()
    starts = forms.day(data, "closed_starts_on", errors, MSG_DATE)
    ends = forms.day(data, "closed_ends_on", errors, MSG_DATE)
    reason_ja = forms.text(data, "closed_reason_ja", 200)
    reason_en = forms.text(data, "closed_reason_en", 200)
    yearly = forms.checked(data, "closed_yearly")
    if not reason_ja:
        errors.add("closed_reason_ja", N_("Enter the reason in Japanese."))
    if starts and ends:
        if ends < starts:
            errors.add("closed_ends_on", N_("The last day must not be before the first day."))
        elif yearly and ends - starts >= timedelta(days=365):
            errors.add("closed_ends_on", N_("A yearly closed period must be shorter than a year."))
    if errors:
        raise ValidationFailed(dict(errors))
    row = {
        "starts_on": starts,
        "ends_on": ends,
        "reason_ja": reason_ja,
        "reason_en": reason_en,
        "yearly": yearly,
    }
    async with write_transaction():
        closed_id = (await ClosedDay.insert(ClosedDay(**row)).returning(ClosedDay.id))[0]["id"]
        await audit.record("create", "closed_day", closed_id, actor=actor, after=row)
    return closed_id


async def delete_closed_day(closed_id: int, *, actor: Actor) -> None:
    async with write_transaction():
        row = await ClosedDay.select().where(ClosedDay.id == closed_id).first()
        if row is None:
            raise NotFound(N_("That closed day does not exist."))
        await ClosedDay.delete().where(ClosedDay.id == closed_id)
        await audit.record("delete", "closed_day", closed_id, actor=actor, before=row)


# --- the center profile ----------------------------------------------------------------------


def profile_form_values(profile: dict | None) -> dict[str, str]:
    if profile is None:
        return {
            "profile_name_ja": DEFAULT_CENTER_NAME[0],
            "profile_name_en": DEFAULT_CENTER_NAME[1],
            "heating_from_month": "10",
            "heating_to_month": "4",
        }
    return {
        "profile_name_ja": profile["name_ja"],
        "profile_name_en": profile["name_en"],
        "profile_address_ja": profile["address_ja"],
        "profile_phone": profile["phone"],
        "heating_from_month": str(profile["heating_from_month"]),
        "heating_to_month": str(profile["heating_to_month"]),
        "holidays_closed": "on" if profile["holidays_closed"] else "",
    }


async def save_profile(data: Mapping[str, Any], *, actor: Actor) -> None:
    """Set the center's name, contact, heating season and whether it closes on public holidays."""
    errors = forms.FieldErrors()
    name_ja = forms.text(data, "profile_name_ja", 200)
    if not name_ja:
        errors.add("profile_name_ja", N_("Enter the center's name in Japanese."))
    phone = forms.text(data, "profile_phone", 40)
    if phone and not re.fullmatch(r"[0-9０-９()（）+\-－ ]{6,40}", phone):
        errors.add("profile_phone", N_("Enter a phone number such as 0144-32-0000."))
    row = {
        "name_ja": name_ja,
        "name_en": forms.text(data, "profile_name_en", 200),
        "address_ja": forms.text(data, "profile_address_ja", 300),
        "phone": phone,
        "heating_from_month": forms.whole(data, "heating_from_month", errors, MSG_MONTH, low=1, high=12),
        "heating_to_month": forms.whole(data, "heating_to_month", errors, MSG_MONTH, low=1, high=12),
        "holidays_closed": forms.checked(data, "holidays_closed"),
    }
    if errors:
        raise ValidationFailed(dict(errors))
    async with write_transaction():
        before = await CenterProfile.select().first()
        stored = {**row, "updated_at": datetime.now(UTC)}
        if before is None:
            profile_id = (await CenterProfile.insert(CenterProfile(**stored)).returning(CenterProfile.id))[0][
                "id"
            ]
        else:
            profile_id = before["id"]
            await CenterProfile.update({getattr(CenterProfile, k): v for k, v in stored.items()}).where(
                CenterProfile.id == profile_id
            )
        await audit.record("update", "center_profile", profile_id, actor=actor, before=before, after=row)
