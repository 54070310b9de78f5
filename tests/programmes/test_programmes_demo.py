"""The demo's programmes: a video library, a screening schedule in the hall that skips closed days,
holidays and booked times and holds its room, and flower-bed days (one held with points, one
upcoming, one full with a waiting list)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from center.ledger.tables import Hold
from center.lib.dates import is_holiday, to_local, today
from center.places.calendar import load_calendar
from center.programmes import flowerbeds, points
from center.programmes.tables import (
    FlowerbedDay,
    FlowerbedSignup,
    PointsEntry,
    Screening,
    ScreeningRule,
    Video,
)
from center.shell.demo import load_demo

pytestmark = pytest.mark.anyio


async def _counts() -> dict[str, int]:
    tables = (Video, ScreeningRule, Screening, FlowerbedDay, FlowerbedSignup, PointsEntry, Hold)
    return {table._meta.tablename: await table.count() for table in tables}


async def test_demo_screenings_skip_closed_days_and_holidays_and_hold_the_hall(db):
    await load_demo()
    videos = await Video.select()
    assert len(videos) >= 4 and {v["level"] for v in videos} == {"seated", "standing"}
    assert all("簡単体操" in v["title"] for v in videos)
    rows = await Screening.select()
    assert len(rows) >= 40
    calendar = await load_calendar()
    holds = {hold["id"]: hold for hold in await Hold.select()}
    for row in rows:
        local = to_local(row["starts_at"])
        assert local.weekday() in (0, 2, 4) and (local.hour, local.minute) in ((10, 0), (14, 0))
        assert calendar.day(local.date()).open and not is_holiday(local.date())
        hold = holds[row["hold_id"]]
        assert (hold["kind"], hold["ref"], hold["active"]) == ("screening", row["id"], True)
    past = [r for r in rows if r["starts_at"] < datetime.now(UTC)]
    assert past and all(r["attendance"] is not None for r in past)
    assert any(r["starts_at"] > datetime.now(UTC) for r in rows)


async def test_demo_flowerbed_days_are_held_upcoming_and_full_with_a_waiting_list(db):
    await load_demo()
    days = await flowerbeds.with_places(await FlowerbedDay.select().order_by(FlowerbedDay.day))
    assert [d["status"] for d in days] == ["held", "planned", "planned"]
    held, upcoming, full = days
    assert held["day"] < today() < upcoming["day"] < full["day"]
    assert held["beds_planted"] and upcoming["taken"] > 0 and upcoming["left"] > 0
    assert full["left"] == 0 and full["waiting"] > 0
    report = await points.season_report(points.fiscal_year(held["day"]))
    assert report["held"] == 1 and report["points"] > 0
    volunteers = await points.volunteers(points.fiscal_year(held["day"]))
    assert {v["volunteer_no"] for v in volunteers if v["points"]} == {"V-0107", "V-0112"}


async def test_loading_the_demo_again_adds_no_programmes(db):
    await load_demo()
    before = await _counts()
    await load_demo()
    await load_demo(force=True)
    assert await _counts() == before
