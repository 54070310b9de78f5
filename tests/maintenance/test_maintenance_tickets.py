"""Tickets: the workflow refuses illegal moves and bad input without changing anything; every
change lands in the timeline and the audit log; the pages show the board, the filtered list and
the dashboard; photos are checked by content, size-limited and stripped of EXIF."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image

from center.accounts.tables import AuditEntry
from center.lib.dates import today
from center.lib.errors import ValidationFailed
from maintenance import photos, tickets
from maintenance.tables import Photo, Ticket, TicketEvent
from maintenance.workflow import TRANSITIONS
from tests.helpers import post_form, text_of
from tests.maintenance_support import facilities_client, jpeg_with_gps, make_location, png, ticket_form

pytestmark = pytest.mark.anyio


class Staff:
    id = None
    display_name = "施設"


async def new_ticket(location_id: int, **fields) -> int:
    parsed = await tickets.parse_fields(ticket_form(location_id, **fields))
    return await tickets.create_ticket(parsed, Staff())


async def test_the_due_date_follows_from_the_priority(db):
    place = await make_location()
    urgent = await tickets.parse_fields(ticket_form(place, priority="urgent"))
    low = await tickets.parse_fields(ticket_form(place, priority="low"))
    assert urgent["due_on"] == today() + timedelta(days=1)
    assert low["due_on"] == today() + timedelta(days=60)


async def test_bad_fields_are_each_named(db):
    with pytest.raises(ValidationFailed) as refused:
        await tickets.parse_fields(
            {"title": "", "category": "magic", "location": "999", "estimated_cost": "-5"}
        )
    assert {"title", "category", "location", "estimated_cost"} <= set(refused.value.errors)


async def test_the_workflow_runs_from_new_to_done_and_reopens(db):
    ticket_id = await new_ticket(await make_location())
    for target in ("triaged", "scheduled", "in_progress", "on_hold", "in_progress", "done", "triaged"):
        after = await tickets.transition(ticket_id, target, Staff())
        assert after["status"] == target
    events = await TicketEvent.select().where(TicketEvent.ticket == ticket_id)
    assert [e["to_status"] for e in events if e["kind"] == "status"][-1] == "triaged"
    assert await AuditEntry.count().where(AuditEntry.entity == "maintenance_ticket") == 8


async def test_an_illegal_move_is_refused_and_changes_nothing(db):
    ticket_id = await new_ticket(await make_location())
    assert "done" not in TRANSITIONS["new"]
    with pytest.raises(tickets.IllegalMove) as refused:
        await tickets.transition(ticket_id, "done", Staff())
    assert refused.value.status_code == 409
    row = await Ticket.select().where(Ticket.id == ticket_id).first()
    assert row["status"] == "new" and row["resolved_at"] is None
    assert await TicketEvent.count().where(TicketEvent.kind == "status") == 0


async def test_rejecting_needs_a_reason(db):
    ticket_id = await new_ticket(await make_location())
    with pytest.raises(ValidationFailed):
        await tickets.transition(ticket_id, "rejected", Staff(), "  ")
    assert (await Ticket.select(Ticket.status).where(Ticket.id == ticket_id).first())["status"] == "new"
    after = await tickets.transition(ticket_id, "rejected", Staff(), "重複")
    assert after["reject_reason"] == "重複" and after["resolved_at"] is not None


async def test_edits_record_what_changed_in_the_timeline(db):
    place = await make_location()
    ticket_id = await new_ticket(place)
    fields = await tickets.parse_fields(
        ticket_form(place, actual_cost="１２,０００", contractor="北海道エレベーター")
    )
    await tickets.update_ticket(ticket_id, fields, Staff())
    row = await Ticket.select().where(Ticket.id == ticket_id).first()
    assert row["actual_cost"] == 12000 and row["contractor"] == "北海道エレベーター"
    edit = await TicketEvent.select().where(TicketEvent.kind == "edit").output(load_json=True).first()
    assert set(edit["changes"]) == {"actual_cost", "contractor"}


async def test_a_photo_is_re_encoded_without_its_gps_position(db):
    ticket_id = await new_ticket(await make_location())
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    photo_id = await tickets.add_photo(ticket_id, original, Staff())
    row = await Photo.select().where(Photo.id == photo_id).first()
    stored = photos.stored_path(row["filename"]).read_bytes()
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG"
    assert not image.getexif().get_ifd(0x8825) and 0x010F not in image.getexif()
    assert b"GPS" not in stored and b"PhoneMaker" not in stored
    thumb = Image.open(photos.stored_path(row["thumbnail"]))
    assert max(thumb.size) <= photos.THUMB_SIDE


async def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(db, client):
    await facilities_client(client)
    ticket_id = await new_ticket(await make_location())
    token = client.cookies.get("csrftoken")
    response = await client.post(
        f"/maintenance/tickets/{ticket_id}/photos",
        data={"_csrf_token": token},
        files={"photo": ("photo.jpg", b"%PDF-1.4 not an image at all" * 10, "image/jpeg")},
    )
    assert response.status_code == 400
    assert "JPEG" in text_of(response.text)
    assert await Photo.count() == 0


async def test_an_oversized_photo_is_refused(db, client):
    await facilities_client(client)
    ticket_id = await new_ticket(await make_location())
    token = client.cookies.get("csrftoken")
    big = png() + b"\0" * (photos.MAX_BYTES + 10)
    response = await client.post(
        f"/maintenance/tickets/{ticket_id}/photos",
        data={"_csrf_token": token},
        files={"photo": ("big.png", big, "image/png")},
    )
    assert response.status_code == 400
    assert 'id="photo-error"' in response.text
    assert await Photo.count() == 0


async def test_a_photo_uploaded_on_the_page_shows_as_a_thumbnail(db, client):
    await facilities_client(client)
    ticket_id = await new_ticket(await make_location())
    token = client.cookies.get("csrftoken")
    response = await client.post(
        f"/maintenance/tickets/{ticket_id}/photos",
        data={"_csrf_token": token, "caption": "破損箇所"},
        files={"photo": ("p.png", png(), "image/png")},
    )
    assert response.status_code == 303
    page = await client.get(f"/maintenance/tickets/{ticket_id}")
    photo_id = (await Photo.select(Photo.id).first())["id"]
    assert f"/maintenance/photos/{photo_id}/thumb" in page.text and 'alt="破損箇所"' in page.text
    image = await client.get(f"/maintenance/photos/{photo_id}/thumb")
    assert image.status_code == 200 and image.headers["content-type"].startswith("image/png")


async def test_an_illegal_move_on_the_page_explains_itself(db, client):
    await facilities_client(client)
    ticket_id = await new_ticket(await make_location())
    response = await post_form(client, f"/maintenance/tickets/{ticket_id}/status", {"to": "done"})
    assert response.status_code == 409
    assert 'role="alert"' in response.text and "「新着」から「完了」" in text_of(response.text)


async def test_staff_open_a_ticket_and_see_it_on_the_board_list_and_dashboard(db, client):
    user_id = await facilities_client(client)
    place = await make_location()
    response = await post_form(client, "/maintenance/tickets/new", ticket_form(place, assignee=str(user_id)))
    assert response.status_code == 303
    ticket_url = response.headers["location"]
    page = await client.get(ticket_url)
    assert "エレベーター停止" in page.text and "施設 太郎" in page.text
    board = await client.get("/maintenance/board")
    assert "エレベーター停止" in board.text
    listing = await client.get("/maintenance/tickets", params={"priority": "urgent", "assignee": user_id})
    assert "エレベーター停止" in listing.text
    none = await client.get("/maintenance/tickets", params={"priority": "low"})
    assert "エレベーター停止" not in none.text
    dashboard = await client.get("/maintenance")
    assert dashboard.status_code == 200 and "緊急" in dashboard.text


async def test_an_empty_ticket_form_is_refused_with_messages(db, client):
    await facilities_client(client)
    response = await post_form(client, "/maintenance/tickets/new", {})
    assert response.status_code == 400
    assert 'id="title-error"' in response.text and 'role="alert"' in response.text
    assert await Ticket.count() == 0


async def test_overdue_tickets_are_marked_in_words(db, client):
    await facilities_client(client)
    place = await make_location()
    ticket_id = await new_ticket(place, due_on=(today() - timedelta(days=2)).isoformat())
    listing = await client.get("/maintenance/tickets", params={"overdue": "1"})
    assert f"/maintenance/tickets/{ticket_id}" in listing.text and "期限超過" in listing.text
