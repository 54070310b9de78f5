"""Attendance, volunteer points within the manager's rule, the statement PDF and the season report."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from center.accounts.actors import ActorRef
from center.lib.dates import today
from center.programmes import flowerbeds, points
from center.programmes.tables import FlowerbedDay, PointsEntry
from tests.helpers import login, make_user, post_form
from tests.programmes_support import person, planned_day

pytestmark = pytest.mark.anyio


async def _held_day(capacity: int = 10) -> int:
    day_id = await planned_day(capacity=capacity)
    # Attendance is recorded on the day or after: move the day to today.
    await FlowerbedDay.update({FlowerbedDay.day: today()}).where(FlowerbedDay.id == day_id)
    return day_id


def test_fiscal_years_run_from_april_to_march():
    assert points.fiscal_year(date(2027, 3, 31)) == 2026
    assert points.fiscal_year(date(2026, 4, 1)) == 2026


async def test_registered_volunteers_aged_forty_and_over_earn_points_capped_per_day(db):
    day_id = await planned_day()
    volunteer, _ = await flowerbeds.sign_up(day_id, person(1, volunteer_no="V-001", age_band="40s"))
    young, _ = await flowerbeds.sign_up(day_id, person(2, volunteer_no="V-002", age_band="under_40"))
    unregistered, _ = await flowerbeds.sign_up(day_id, person(3))
    await FlowerbedDay.update({FlowerbedDay.day: today()}).where(FlowerbedDay.id == day_id)
    marks = {volunteer["id"]: (True, 180), young["id"]: (True, 180), unregistered["id"]: (True, 180)}
    earned = await points.record_attendance(day_id, marks, 3, actor=ActorRef())
    assert earned == 2  # 3 hours at 1 point an hour, capped at 2 a day
    entries = await PointsEntry.select()
    assert [(e["volunteer_no"], e["points"]) for e in entries] == [("V-001", 2)]


async def test_the_rule_is_data_the_manager_changes(db):
    await points.save_rule(
        {
            "effective_from": today() - timedelta(days=1),
            "min_age": 65,
            "points_per_hour": 2,
            "daily_cap": 10,
            "yearly_cap": 3,
            "yen_per_point": 100,
        },
        actor=ActorRef(),
    )
    day_id = await planned_day()
    forty, _ = await flowerbeds.sign_up(day_id, person(1, volunteer_no="V-1", age_band="40s"))
    senior, _ = await flowerbeds.sign_up(day_id, person(2, volunteer_no="V-2", age_band="75_plus"))
    await FlowerbedDay.update({FlowerbedDay.day: today()}).where(FlowerbedDay.id == day_id)
    await points.record_attendance(
        day_id, {forty["id"]: (True, 120), senior["id"]: (True, 120)}, None, ActorRef()
    )
    entries = {e["volunteer_no"]: e["points"] for e in await PointsEntry.select()}
    assert entries == {"V-2": 3}  # 4 points by the hour, capped by the yearly cap of 3


async def test_saving_the_sheet_again_updates_the_same_entry(db):
    day_id = await planned_day()
    s, _ = await flowerbeds.sign_up(day_id, person(1, volunteer_no="V-9", age_band="60s"))
    await FlowerbedDay.update({FlowerbedDay.day: today()}).where(FlowerbedDay.id == day_id)
    await points.record_attendance(day_id, {s["id"]: (True, 120)}, None, ActorRef())
    await points.record_attendance(day_id, {s["id"]: (False, 0)}, None, ActorRef())
    entries = await PointsEntry.select()
    assert len(entries) == 1 and entries[0]["points"] == 0


async def test_staff_record_attendance_and_the_points_appear_on_the_statement_pdf(client):
    day_id = await planned_day()
    s, _ = await flowerbeds.sign_up(day_id, person(1, volunteer_no="V-100", age_band="65_74"))
    await FlowerbedDay.update({FlowerbedDay.day: today()}).where(FlowerbedDay.id == day_id)
    await make_user("desk1", ("front_desk",))
    await login(client, "desk1")
    response = await post_form(
        client,
        f"/manage/flowerbeds/{day_id}/attendance",
        {f"attended-{s['id']}": "on", f"hours-{s['id']}": "２", "beds_planted": "4"},
    )
    assert response.status_code == 303, response.text[:400]
    fy = points.fiscal_year(today())
    pdf = await client.get(f"/manage/points/V-100/{fy}/statement.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(__import__("io").BytesIO(pdf.content)).pages)
    assert "V-100" in text and "苫小牧 花子1" in text and "令和" in text
    report = await client.get(f"/manage/flowerbeds/report.pdf?year={fy}")
    report_text = "".join(p.extract_text() for p in PdfReader(__import__("io").BytesIO(report.content)).pages)
    assert "春の花壇づくり" in report_text
    season = await points.season_report(fy)
    assert (season["held"], season["beds"], season["minutes"], season["points"]) == (1, 4, 120, 2)


async def test_bad_hours_are_refused_with_a_message_and_change_nothing(client):
    day_id = await _held_day()
    s, _ = await flowerbeds.sign_up(day_id, person(1, volunteer_no="V-1", age_band="65_74"), now=None)
    await make_user("desk1", ("front_desk",))
    await login(client, "desk1")
    response = await post_form(
        client,
        f"/manage/flowerbeds/{day_id}/attendance",
        {f"attended-{s['id']}": "on", f"hours-{s['id']}": "abc"},
    )
    assert response.status_code == 400 and f'id="hours-{s["id"]}-error"' in response.text
    assert await PointsEntry.count() == 0


async def test_a_missing_statement_is_not_found(client):
    await make_user("desk1", ("front_desk",))
    await login(client, "desk1")
    assert (await client.get("/manage/points/NOPE/2026/statement.pdf")).status_code == 404
