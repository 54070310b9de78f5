"""Attendance on a flower-bed day and the volunteer points it earns (介護支援いきいきポイント).

The rule is data the manager edits (minimum age, points per hour, daily and yearly caps, yen per
point); a change adds a row effective from a date, so points already earned keep their rule.
Points are earned per full hour attended, only by registered volunteers (a registration number)
whose whole age band is at or above the minimum age, and count toward the fiscal year
(April–March) of the day."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from center.accounts import audit
from center.accounts.actors import Actor
from center.lib.dates import today
from center.lib.db import write_transaction
from center.lib.errors import NotFound, ValidationFailed
from center.lib.i18n import N_
from center.lib.months import fiscal_bounds, fiscal_year
from center.places import forms
from center.programmes import flowerbeds
from center.programmes.tables import FlowerbedDay, FlowerbedSignup, PointsEntry, PointsRule

DEFAULT_RULE = {
    "id": None,
    "effective_from": date(2000, 4, 1),
    "min_age": 40,
    "points_per_hour": 1,
    "daily_cap": 2,
    "yearly_cap": 50,
    "yen_per_point": 100,
}
MAX_MINUTES = 12 * 60


async def rule_on(day: date) -> dict:
    """The rule in force on a day."""
    row = await (
        PointsRule.select()
        .where(PointsRule.effective_from <= day)
        .order_by(PointsRule.effective_from, ascending=False)
        .order_by(PointsRule.id, ascending=False)
        .first()
    )
    return row or dict(DEFAULT_RULE)


async def rule_history() -> list[dict]:
    return (
        await PointsRule.select()
        .order_by(PointsRule.effective_from, ascending=False)
        .order_by(PointsRule.id, ascending=False)
    )


def parse_rule(data: Mapping[str, Any]) -> dict[str, Any]:
    errors = forms.FieldErrors()
    msg = N_("Enter a whole number (0 or more).")
    values = {
        "effective_from": forms.day(data, "effective_from", errors, N_("Enter a date like 2026-12-01.")),
        "min_age": forms.whole(data, "min_age", errors, msg, low=0, high=120),
        "points_per_hour": forms.whole(data, "points_per_hour", errors, msg, low=0, high=100),
        "daily_cap": forms.whole(data, "daily_cap", errors, msg, low=0, high=100),
        "yearly_cap": forms.whole(data, "yearly_cap", errors, msg, low=0, high=10000),
        "yen_per_point": forms.whole(data, "yen_per_point", errors, msg, low=0, high=10000),
    }
    if errors:
        raise ValidationFailed(dict(errors))
    return values


async def save_rule(values: dict[str, Any], actor: Actor) -> int:
    async with write_transaction():
        before = await rule_on(values["effective_from"])
        rows = await PointsRule.insert(
            PointsRule(**values, created_at=datetime.now(UTC), created_by=actor.id)
        ).returning(*PointsRule.all_columns())
        await audit.record(
            "points.rule", "points_rule", rows[0]["id"], actor=actor, before=before, after=rows[0]
        )
    return rows[0]["id"]


def qualifies(age_band: str, volunteer_no: str, rule: Mapping[str, Any]) -> bool:
    floor = flowerbeds.AGE_BAND_FLOOR.get(age_band)
    return bool(volunteer_no) and floor is not None and floor >= rule["min_age"]


def parse_attendance(
    data: Mapping[str, Any], signups: list[dict]
) -> tuple[dict[int, tuple[bool, int]], int | None]:
    """{signup id: (attended, minutes)} and the number of beds planted, from the sheet's form."""
    errors = forms.FieldErrors()
    marks: dict[int, tuple[bool, int]] = {}
    for signup in signups:
        if signup["status"] != "confirmed":
            continue
        sid = signup["id"]
        attended = forms.checked(data, f"attended-{sid}")
        hours_raw = forms.text(data, f"hours-{sid}")
        minutes = 0
        if attended:
            raw = unicodedata.normalize("NFKC", hours_raw).strip()
            minutes = round(float(raw) * 60) if re.fullmatch(r"\d{1,2}(\.\d{1,2})?", raw) else -1
            if not 0 < minutes <= MAX_MINUTES:
                errors.add(f"hours-{sid}", N_("Enter the hours worked, like 2 or 1.5."))
        marks[sid] = (attended, minutes)
    beds = forms.whole(
        data,
        "beds_planted",
        errors,
        N_("Enter the number of beds planted."),
        low=0,
        high=1000,
        required=False,
    )
    if errors:
        raise ValidationFailed(dict(errors))
    return marks, beds


async def record_attendance(
    day_id: int, marks: dict[int, tuple[bool, int]], beds_planted: int | None, actor: Actor
) -> int:
    """Save who came and for how long, mark the day held, and (re)compute each attendee's points
    within the rule's caps. Idempotent: saving the sheet again updates the same entries."""
    async with write_transaction():
        day = await FlowerbedDay.select().where(FlowerbedDay.id == day_id).first()
        if day is None:
            raise NotFound(N_("That flower-bed day does not exist."))
        if day["status"] == "cancelled":
            raise ValidationFailed(
                {"attendance": N_("This day was cancelled; there is no attendance to record.")}
            )
        if day["day"] > today():
            raise ValidationFailed({"attendance": N_("Attendance can be recorded on the day or after it.")})
        rule = await rule_on(day["day"])
        signups = {
            s["id"]: s
            for s in await FlowerbedSignup.select().where(
                (FlowerbedSignup.day == day_id) & (FlowerbedSignup.status == "confirmed")
            )
        }
        for sid, (attended, minutes) in marks.items():
            if sid not in signups:
                continue
            await FlowerbedSignup.update(
                {FlowerbedSignup.attended: attended, FlowerbedSignup.minutes: minutes if attended else 0}
            ).where(FlowerbedSignup.id == sid)
        await FlowerbedDay.update(
            {
                FlowerbedDay.status: "held",
                FlowerbedDay.beds_planted: beds_planted,
                FlowerbedDay.updated_at: datetime.now(UTC),
            }
        ).where(FlowerbedDay.id == day_id)
        earned = 0
        for sid in sorted(signups):
            signup = signups[sid]
            attended, minutes = marks.get(sid, (bool(signup["attended"]), signup["minutes"] or 0))
            earned += await _points_for(signup, day["day"], attended, minutes, rule)
        await audit.record(
            "flowerbed.attendance",
            "flowerbed_day",
            day_id,
            actor=actor,
            before={"status": day["status"], "beds_planted": day["beds_planted"]},
            after={
                "status": "held",
                "beds_planted": beds_planted,
                "attendance": {str(k): {"attended": a, "minutes": m} for k, (a, m) in marks.items()},
                "points": earned,
            },
        )
    return earned


async def _points_for(signup: dict, day: date, attended: bool, minutes: int, rule: dict) -> int:
    """Write (or update) the signup's points entry; returns its points."""
    existing = await PointsEntry.select().where(PointsEntry.signup == signup["id"]).first()
    eligible = attended and qualifies(signup["age_band"], signup["volunteer_no"], rule)
    if not eligible and existing is None:
        return 0
    points = 0
    if eligible:
        fy = fiscal_year(day)
        others = PointsEntry.signup != signup["id"]
        same_day = await PointsEntry.select(PointsEntry.points).where(
            (PointsEntry.volunteer_no == signup["volunteer_no"]) & (PointsEntry.day == day) & others
        )
        same_year = await PointsEntry.select(PointsEntry.points).where(
            (PointsEntry.volunteer_no == signup["volunteer_no"]) & (PointsEntry.fiscal_year == fy) & others
        )
        points = (minutes // 60) * rule["points_per_hour"]
        points = min(points, rule["daily_cap"] - sum(r["points"] for r in same_day))
        points = max(0, min(points, rule["yearly_cap"] - sum(r["points"] for r in same_year)))
    values = {
        "volunteer_no": signup["volunteer_no"],
        "volunteer_name": signup["name"],
        "day": day,
        "fiscal_year": fiscal_year(day),
        "minutes": minutes if eligible else 0,
        "points": points,
        "rule": rule["id"],
    }
    if existing is None:
        await PointsEntry.insert(PointsEntry(signup=signup["id"], created_at=datetime.now(UTC), **values))
    else:
        # A corrected sheet updates the entry (to zero when the person turns out not to have
        # come); the audit line of the attendance keeps what it was.
        await PointsEntry.update(values).where(PointsEntry.id == existing["id"])
    return points


async def statement(volunteer_no: str, year: int) -> dict:
    """One volunteer's points for a fiscal year: entries, total and its value in yen."""
    entries = await (
        PointsEntry.select(
            PointsEntry.all_columns(),
            PointsEntry.signup.day.title_ja.as_alias("title_ja"),
            PointsEntry.signup.day.title_en.as_alias("title_en"),
        )
        .where((PointsEntry.volunteer_no == volunteer_no) & (PointsEntry.fiscal_year == year))
        .order_by(PointsEntry.day)
    )
    if not entries:
        raise NotFound(N_("No volunteer points were found for that number and year."))
    total = sum(e["points"] for e in entries)
    first, last = fiscal_bounds(year)
    rule = await rule_on(last)
    return {
        "volunteer_no": volunteer_no,
        "name": entries[-1]["volunteer_name"],
        "year": year,
        "first": first,
        "last": last,
        "entries": entries,
        "total_points": total,
        "total_minutes": sum(e["minutes"] for e in entries),
        "yen": total * rule["yen_per_point"],
        "rule": rule,
    }


async def volunteers(year: int) -> list[dict]:
    """Each registered volunteer's totals for a fiscal year."""
    rows = (
        await PointsEntry.select().where(PointsEntry.fiscal_year == year).order_by(PointsEntry.volunteer_no)
    )
    found: dict[str, dict] = {}
    for row in rows:
        item = found.setdefault(
            row["volunteer_no"],
            {
                "volunteer_no": row["volunteer_no"],
                "name": row["volunteer_name"],
                "points": 0,
                "minutes": 0,
                "days": 0,
            },
        )
        item["points"] += row["points"]
        item["minutes"] += row["minutes"]
        item["days"] += 1 if row["minutes"] else 0
    return list(found.values())


async def season_report(year: int) -> dict:
    """Days held, volunteers, hours and beds planted in a fiscal year."""
    first, last = fiscal_bounds(year)
    days = await (
        FlowerbedDay.select()
        .where((FlowerbedDay.day >= first) & (FlowerbedDay.day <= last))
        .order_by(FlowerbedDay.day)
    )
    held = [d for d in days if d["status"] == "held"]
    attended = await FlowerbedSignup.select().where(
        FlowerbedSignup.day.is_in([d["id"] for d in held] or [-1]) & (FlowerbedSignup.attended == True)
    )
    rows = []
    for day in held:
        people = [s for s in attended if s["day"] == day["id"]]
        rows.append(
            {
                **day,
                "people": sum(flowerbeds.party_size(s) for s in people),
                "signups": len(people),
                "minutes": sum((s["minutes"] or 0) * flowerbeds.party_size(s) for s in people),
            }
        )
    return {
        "year": year,
        "first": first,
        "last": last,
        "days": rows,
        "planned": len(days),
        "held": len(held),
        "cancelled": sum(1 for d in days if d["status"] == "cancelled"),
        "people": sum(r["people"] for r in rows),
        "volunteers": len({s["contact_key"] for s in attended}),
        "registered": len({s["volunteer_no"] for s in attended if s["volunteer_no"]}),
        "minutes": sum(r["minutes"] for r in rows),
        "beds": sum(d["beds_planted"] or 0 for d in held),
        "points": sum(v["points"] for v in await volunteers(year)),
    }


def hours_text(minutes: int) -> str:
    hours, rest = divmod(int(minutes or 0), 60)
    return f"{hours}:{rest:02d}"
