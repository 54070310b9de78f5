"""The manager's list of locations (add, edit, deactivate, reactivate, delete while unused; unique
codes, Japanese errors, nothing written on error; inactive places leave the forms but stay on old
tickets), and inspections edited, paused and resumed (a paused one opens no ticket when due)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from center.accounts.actors import ActorRef
from center.accounts.tables import AuditEntry
from center.lib.dates import today
from maintenance import inspections
from maintenance.tables import Inspection, Location, Ticket
from tests.helpers import login, make_room, make_user, post_form, text_of
from tests.maintenance_support import facilities_client, make_location, ticket_form

pytestmark = pytest.mark.anyio


async def manager_client(client) -> int:
    user_id = await make_user("boss", ("manager",), display_name="館長 花子")
    await login(client, "boss")
    return user_id


def location_form(**fields) -> dict:
    return {
        "code": "toilet-2f",
        "name_ja": "2階トイレ",
        "name_en": "2F toilets",
        "floor": "2",
        "room": "",
        "sort_order": "20",
        **fields,
    }


async def audits(action: str) -> int:
    return await AuditEntry.count().where(
        (AuditEntry.entity == "maintenance_location") & (AuditEntry.action == action)
    )


async def test_the_manager_adds_and_edits_a_location(db, client):
    await manager_client(client)
    room = await make_room()
    response = await post_form(client, "/maintenance/locations", location_form(room=str(room)))
    assert response.status_code == 303
    row = await Location.select().where(Location.code == "toilet-2f").first()
    assert (row["name_ja"], row["floor"], row["room"], row["sort_order"], row["active"]) == (
        "2階トイレ",
        2,
        room,
        20,
        True,
    )
    page = await client.get("/maintenance/locations")
    assert page.status_code == 200 and "2階トイレ" in page.text and page.text.count("<h1") == 1
    edit = await client.get(f"/maintenance/locations/{row['id']}")
    assert edit.status_code == 200 and 'value="toilet-2f"' in edit.text
    response = await post_form(
        client,
        f"/maintenance/locations/{row['id']}",
        location_form(name_ja="２階 多目的トイレ", floor="", sort_order="5"),
    )
    assert response.status_code == 303
    row = await Location.select().where(Location.id == row["id"]).first()
    assert (row["name_ja"], row["floor"], row["room"], row["sort_order"]) == (
        "２階 多目的トイレ",
        None,
        None,
        5,
    )
    assert await audits("create") == 1 and await audits("update") == 1


async def test_bad_or_duplicate_input_gets_japanese_errors_and_writes_nothing(db, client):
    await manager_client(client)
    taken = await make_location("elevator")
    response = await post_form(
        client,
        "/maintenance/locations",
        {"code": "Bad Code!", "name_ja": "", "floor": "100", "room": "999", "sort_order": "x"},
    )
    assert response.status_code == 400
    for field in ("code", "name_ja", "floor", "room", "sort_order"):
        assert f'id="{field}-error"' in response.text
    assert 'role="alert"' in response.text and "日本語の名前を入力してください" in text_of(response.text)
    response = await post_form(client, "/maintenance/locations", location_form(code="ELEVATOR"))
    assert response.status_code == 400 and "このコードはほかの場所ですでに使われています" in text_of(
        response.text
    )
    other = await make_location("stairs", "階段")
    response = await post_form(client, f"/maintenance/locations/{other}", location_form(code="elevator"))
    assert response.status_code == 400
    assert await Location.count() == 2
    assert (await Location.select().where(Location.id == other).first())["code"] == "stairs"
    assert await Location.exists().where(Location.id == taken)
    assert await AuditEntry.count().where(AuditEntry.entity == "maintenance_location") == 0


async def test_a_location_in_use_is_deactivated_not_deleted_and_stays_on_old_tickets(db, client):
    place = await make_location("entrance", "玄関")
    spare = await make_location("spare", "予備")
    await facilities_client(client)
    await post_form(client, "/maintenance/tickets/new", ticket_form(place, title="玄関の床が割れている"))
    ticket = await Ticket.select().first()
    await post_form(client, "/logout")
    await manager_client(client)

    refused = await post_form(client, f"/maintenance/locations/{place}/delete")
    assert refused.status_code == 409 and "無効にしてください" in text_of(refused.text)
    assert await Location.exists().where(Location.id == place)

    assert (await post_form(client, f"/maintenance/locations/{place}/deactivate")).status_code == 303
    assert not (await Location.select().where(Location.id == place).first())["active"]
    assert await audits("deactivate") == 1
    # gone from the new-ticket and public report forms, and refused if posted anyway
    assert "玄関" not in (await client.get("/maintenance/tickets/new")).text
    assert "玄関" not in (await client.get("/report")).text
    response = await post_form(client, "/maintenance/tickets/new", ticket_form(place, title="別件"))
    assert response.status_code == 400 and await Ticket.count() == 1
    # the old ticket keeps it, shows it, and can still be saved with it
    assert "玄関" in (await client.get(f"/maintenance/tickets/{ticket['id']}")).text
    assert "玄関" in (await client.get(f"/maintenance/tickets/{ticket['id']}/edit")).text
    saved = await post_form(
        client, f"/maintenance/tickets/{ticket['id']}/edit", ticket_form(place, title="玄関の床（修正）")
    )
    assert saved.status_code == 303
    assert (await Ticket.select().where(Ticket.id == ticket["id"]).first())["location"] == place

    assert (await post_form(client, f"/maintenance/locations/{place}/reactivate")).status_code == 303
    assert (await Location.select().where(Location.id == place).first())["active"]
    assert await audits("reactivate") == 1
    assert "玄関" in (await client.get("/report")).text

    assert (await post_form(client, f"/maintenance/locations/{spare}/delete")).status_code == 303
    assert not await Location.exists().where(Location.id == spare)
    assert await audits("delete") == 1


async def test_facilities_staff_and_desk_cannot_edit_locations(db, client):
    place = await make_location()
    await facilities_client(client)
    assert (await client.get("/maintenance/locations")).status_code == 403
    response = await post_form(client, f"/maintenance/locations/{place}/deactivate")
    assert response.status_code == 403
    assert (await Location.select().where(Location.id == place).first())["active"]


async def add_inspection(location_id: int, **fields) -> int:
    data = {
        "title_ja": "AED点検",
        "location": str(location_id),
        "every": "1",
        "unit": "week",
        "next_due": today().isoformat(),
        "lead_days": "0",
        **fields,
    }
    return await inspections.create_inspection(await inspections.parse_inspection(data), ActorRef())


async def test_a_paused_inspection_opens_no_ticket_when_due_and_resumes(db, client):
    place = await make_location("aed", "AED")
    inspection = await add_inspection(
        place, next_due=(today() - timedelta(days=15)).isoformat(), lead_days="7"
    )
    await facilities_client(client)
    page = await client.get(f"/maintenance/inspections/{inspection}")
    assert page.status_code == 200 and page.text.count("<h1") == 1
    assert (await post_form(client, f"/maintenance/inspections/{inspection}/pause")).status_code == 303
    assert await inspections.open_due() == []
    assert await Ticket.count() == 0
    assert "一時停止" in text_of((await client.get("/maintenance/inspections")).text)

    assert (await post_form(client, f"/maintenance/inspections/{inspection}/resume")).status_code == 303
    row = await Inspection.select().where(Inspection.id == inspection).first()
    assert row["active"]
    # the dates missed while paused are skipped: one ticket, due today or later
    tickets = await Ticket.select().where(Ticket.inspection == inspection)
    assert len(tickets) == 1 and tickets[0]["inspection_due"] >= today()
    assert (
        await AuditEntry.count().where(
            (AuditEntry.entity == "maintenance_inspection") & AuditEntry.action.is_in(["pause", "resume"])
        )
        == 2
    )


async def test_an_inspection_is_edited_and_bad_input_changes_nothing(db, client):
    place = await make_location("aed", "AED")
    other = await make_location("fire", "消防設備")
    inspection = await add_inspection(place, next_due=(today() + timedelta(days=30)).isoformat())
    await facilities_client(client)
    bad = await post_form(
        client, f"/maintenance/inspections/{inspection}", {"title_ja": "", "every": "0", "unit": "year"}
    )
    assert bad.status_code == 400 and 'id="title_ja-error"' in bad.text
    assert (await Inspection.select().where(Inspection.id == inspection).first())["title_ja"] == "AED点検"
    due = (today() + timedelta(days=60)).isoformat()
    response = await post_form(
        client,
        f"/maintenance/inspections/{inspection}",
        {
            "title_ja": "消防設備点検",
            "location": str(other),
            "every": "6",
            "unit": "month",
            "next_due": due,
            "lead_days": "14",
        },
    )
    assert response.status_code == 303
    row = await Inspection.select().where(Inspection.id == inspection).first()
    assert (row["title_ja"], row["location"], row["every"], row["unit"], row["next_due"].isoformat()) == (
        "消防設備点検",
        other,
        6,
        "month",
        due,
    )
    assert (
        await AuditEntry.count().where(
            (AuditEntry.entity == "maintenance_inspection") & (AuditEntry.action == "update")
        )
        == 1
    )
