"""Inspections open tickets on their schedule, once per due date, skip dates out of season, and
overdue ones stand out; renovation projects show spend and progress, publicly when barrier-free."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from center.accounts.actors import ActorRef
from center.lib.dates import today, wareki
from maintenance import inspections, projects, tickets
from maintenance.tables import Inspection, Ticket
from tests.helpers import post_form, text_of
from tests.maintenance_support import facilities_client, make_location, ticket_form

pytestmark = pytest.mark.anyio


async def add(location_id: int, **fields) -> int:
    data = {
        "title_ja": "エレベーター定期点検",
        "location": str(location_id),
        "every": "1",
        "unit": "month",
        "next_due": today().isoformat(),
        "lead_days": "7",
        **fields,
    }
    return await inspections.create_inspection(await inspections.parse_inspection(data), ActorRef())


async def test_a_due_inspection_opens_one_ticket_and_moves_on(db):
    inspection = await add(await make_location())
    first = await inspections.open_due()
    again = await inspections.open_due()
    assert len(first) == 1 and again == []
    ticket = await Ticket.select().where(Ticket.id == first[0]).first()
    assert (
        ticket["category"] == "inspection" and ticket["status"] == "scheduled" and ticket["due_on"] == today()
    )
    row = await Inspection.select().where(Inspection.id == inspection).first()
    assert row["next_due"] > today()


async def test_an_inspection_out_of_season_waits_for_its_season(db):
    month = today().month
    season = (month % 12) + 1  # next month only
    inspection = await add(
        await make_location("flower-beds", "花壇"), season_from=str(season), season_to=str(season)
    )
    assert await inspections.open_due() == []
    row = await Inspection.select().where(Inspection.id == inspection).first()
    assert row["next_due"].month == season


async def test_finishing_an_inspections_ticket_records_when_it_was_last_done(db, client):
    await facilities_client(client)
    inspection = await add(await make_location())
    (ticket_id,) = await inspections.open_due()
    assert (await Inspection.select().where(Inspection.id == inspection).first())["last_done"] is None
    for target in ("in_progress", "done"):
        await tickets.transition(ticket_id, target, ActorRef())
    row = await Inspection.select().where(Inspection.id == inspection).first()
    assert row["last_done"] == today() and row["updated_at"] >= row["created_at"]
    page = text_of((await client.get("/maintenance/inspections")).text)
    assert "前回実施日" in page and wareki(today(), weekday=False) in page


async def test_the_month_arithmetic_keeps_month_ends(db):
    assert inspections.add_interval(date(2026, 1, 31), 1, "month") == date(2026, 2, 28)
    assert inspections.add_interval(date(2026, 10, 1), 6, "month") == date(2027, 4, 1)
    assert inspections.in_season(date(2026, 1, 5), 11, 3) and not inspections.in_season(
        date(2026, 6, 5), 11, 3
    )


async def test_an_overdue_inspection_stands_out(db, client):
    await facilities_client(client)
    await add(await make_location(), next_due=(today() - timedelta(days=3)).isoformat())
    await inspections.open_due(today())
    page = await client.get("/maintenance/inspections")
    assert "期限超過" in text_of(page.text)
    assert "点検の期限超過" in text_of((await client.get("/maintenance")).text)


async def test_a_bad_inspection_form_names_the_fields(db, client):
    await facilities_client(client)
    response = await post_form(client, "/maintenance/inspections", {"every": "0", "unit": "year"})
    assert response.status_code == 400
    for field in ("title_ja", "location", "every", "unit", "next_due"):
        assert f'id="{field}-error"' in response.text
    assert await Inspection.count() == 0


async def test_a_project_shows_spend_and_progress_and_appears_publicly(db, client):
    await facilities_client(client)
    created = await post_form(
        client,
        "/maintenance/projects",
        {
            "title_ja": "2階トイレをバリアフリートイレに",
            "status": "in_progress",
            "budget": "3,000,000",
            "barrier_free": "on",
            "public": "on",
        },
    )
    assert created.status_code == 303
    project_id = int(created.headers["location"].rsplit("/", 1)[1])
    place = await make_location("toilets-2f", "2階トイレ", floor=2)
    for cost, finish in ((1_200_000, True), (None, False)):
        fields = await tickets.parse_fields(
            ticket_form(place, project=str(project_id), estimated_cost="800000")
        )
        fields["actual_cost"] = cost
        ticket_id = await tickets.create_ticket(fields, ActorRef())
        if finish:
            for target in ("triaged", "in_progress", "done"):
                await tickets.transition(ticket_id, target, ActorRef())
    project = await projects.project_with_progress(project_id)
    assert project["spend"] == 2_000_000 and project["percent"] == 50
    public = text_of((await client.get("/barrier-free")).text)
    assert "2階トイレをバリアフリートイレに" in public and "50%" in public
