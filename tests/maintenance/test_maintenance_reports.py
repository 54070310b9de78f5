"""Public problem reports: no account, a reference number and a status page without contact
details; staff accept, merge or decline them; uploads are checked by content."""

from __future__ import annotations

import re

import pytest

from center.accounts.actors import ActorRef
from center.accounts.tables import AuditEntry, RateEvent
from center.lib.settings import get_settings
from center.notices.tables import Notice
from maintenance import photos, reports, tickets
from maintenance.tables import Photo, Report, Ticket
from tests.helpers import client_at, post_form, text_of
from tests.maintenance_support import facilities_client, jpeg_with_gps, make_location, ticket_form

pytestmark = pytest.mark.anyio


async def send_report(client, location_id: int, **extra) -> object:
    if not client.cookies.get("csrftoken"):
        await client.get("/report")
    token = client.cookies.get("csrftoken")
    files = extra.pop("files", None)
    data = {
        "_csrf_token": token,
        "location": str(location_id),
        "description": "2階の手すりがぐらぐらする",
        **extra,
    }
    return await client.post(
        "/report", data=data, files=files or {"photo": ("", b"", "application/octet-stream")}
    )


async def test_a_visitor_reports_a_problem_with_a_photo_and_gets_a_status_page(db, client):
    place = await make_location("stairs", "階段")
    response = await send_report(
        client,
        place,
        contact_name="苫小牧 花子",
        contact_email="hanako@example.jp",
        files={"photo": ("IMG_0001.JPG", jpeg_with_gps(), "image/jpeg")},
    )
    assert response.status_code == 303
    reference = response.headers["location"].rsplit("/", 1)[1]
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}", reference)
    page = await client.get(response.headers["location"])
    text = text_of(page.text)
    assert reference in text and "受付済み" in text and "階段" in text
    assert "hanako@example.jp" not in page.text and "苫小牧 花子" not in page.text
    report = await Report.select().first()
    assert await Photo.count().where(Photo.report == report["id"]) == 1
    notice = await Notice.select().where(Notice.email == "hanako@example.jp").first()
    assert reference in notice["body_ja"]


async def test_a_report_without_a_description_is_refused_with_messages(db, client):
    place = await make_location()
    await client.get("/report")
    response = await send_report(client, place, description="")
    assert response.status_code == 400 and 'id="description-error"' in response.text
    assert await Report.count() == 0


async def test_a_renamed_non_image_is_refused_and_nothing_is_saved(db, client):
    place = await make_location()
    await client.get("/report")
    response = await send_report(
        client, place, files={"photo": ("photo.jpg", b"MZ\x90\x00 executable", "image/jpeg")}
    )
    assert response.status_code == 400 and 'id="photo-error"' in response.text
    assert await Report.count() == 0 and await Photo.count() == 0


async def test_an_unknown_reference_is_not_found(db, client):
    assert (await client.get("/report/R-2222-2222")).status_code == 404
    lookup = await client.get("/report/status", params={"reference": "r-2222-2222"})
    assert lookup.status_code == 404 and 'id="reference-error"' in lookup.text


async def test_staff_accept_a_report_as_a_ticket_and_the_reporter_follows_it(db, client):
    await facilities_client(client)
    place = await make_location("stairs", "階段")
    reference = await reports.submit_report(
        {
            "location": place,
            "description": "手すりがぐらぐら",
            "contact_name": "",
            "contact_email": "a@example.jp",
            "contact_phone": "0144-11-2222",
        }
    )
    report = await Report.select().first()
    page = await client.get(f"/maintenance/reports/{report['id']}")
    assert "0144-11-2222" in page.text  # staff see the contact
    accepted = await post_form(
        client, f"/maintenance/reports/{report['id']}/accept", ticket_form(place, title="手すり修理")
    )
    assert accepted.status_code == 303
    ticket = await Ticket.select().first()
    assert ticket["status"] == "triaged" and ticket["title"] == "手すり修理"
    status = text_of((await client.get(f"/report/{reference}")).text)
    assert "受理" in status and "0144-11-2222" not in status
    for target in ("in_progress", "done"):
        await tickets.transition(ticket["id"], target, ActorRef())
    assert "対応完了" in text_of((await client.get(f"/report/{reference}")).text)
    assert await Notice.count().where(Notice.kind == "maintenance.report_done") == 1


async def test_a_duplicate_report_is_merged_into_the_open_ticket(db, client):
    await facilities_client(client)
    place = await make_location("toilets-2f", "2階トイレ", floor=2)
    ticket_id = await tickets.create_ticket(await tickets.parse_fields(ticket_form(place)), ActorRef())
    await reports.submit_report(
        {
            "location": place,
            "description": "水が流れない",
            "contact_name": "",
            "contact_email": "",
            "contact_phone": "",
        }
    )
    report = await Report.select().first()
    merged = await post_form(client, f"/maintenance/reports/{report['id']}/merge", {"ticket": str(ticket_id)})
    assert merged.status_code == 303
    row = await Report.select().first()
    assert row["status"] == "merged" and row["ticket"] == ticket_id
    again = await post_form(client, f"/maintenance/reports/{report['id']}/merge", {"ticket": str(ticket_id)})
    assert again.status_code == 409 and "すでに処理" in text_of(again.text)


async def test_declining_needs_a_note_the_reporter_then_sees(db, client):
    await facilities_client(client)
    place = await make_location()
    reference = await reports.submit_report(
        {"location": place, "description": "x", "contact_name": "", "contact_email": "", "contact_phone": ""}
    )
    report = await Report.select().first()
    empty = await post_form(client, f"/maintenance/reports/{report['id']}/decline", {"note": ""})
    assert empty.status_code == 400 and (await Report.select().first())["status"] == "received"
    await post_form(
        client, f"/maintenance/reports/{report['id']}/decline", {"note": "市の管理ではありません"}
    )
    assert "市の管理ではありません" in text_of((await client.get(f"/report/{reference}")).text)


# ---- the rate limit per client address --------------------------------------------------------


def photo_files() -> set[str]:
    return {path.name for path in photos.photo_dir().iterdir()}


async def written() -> tuple[int, ...]:
    return (
        await Report.count(),
        await Photo.count(),
        await Notice.count(),
        await AuditEntry.count(),
        await RateEvent.count(),
    )


async def report_up_to_the_limit(client, place: int) -> int:
    limit = get_settings().problem_reports_per_hour
    for n in range(limit):
        response = await send_report(client, place, description=f"電球が切れている ({n})")
        assert response.status_code == 303, response.text[:500]
    return limit


async def test_reports_past_the_hourly_limit_from_one_address_are_refused_and_keep_nothing(db, client):
    place = await make_location()
    await report_up_to_the_limit(client, place)
    before, files = await written(), photo_files()
    response = await send_report(
        client,
        place,
        description="もう一件",
        contact_email="hanako@example.jp",
        files={"photo": ("IMG_0002.JPG", jpeg_with_gps(), "image/jpeg")},
    )
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    text = text_of(response.text)
    assert "この接続からの送信が多すぎます。" in text and 'role="alert"' in response.text
    assert "もう一件" in response.text  # the form keeps what was typed
    assert await written() == before and photo_files() == files


async def test_the_report_refusal_is_in_english_when_the_language_is_english(db, client):
    place = await make_location()
    await report_up_to_the_limit(client, place)
    await post_form(client, "/lang", {"lang": "en", "next": "/"})
    response = await send_report(client, place)
    assert response.status_code == 429
    assert "Too many submissions from this connection. Please try again in" in text_of(response.text)


async def test_the_report_limit_of_one_address_does_not_hold_back_another(db, client, app):
    place = await make_location()
    limit = await report_up_to_the_limit(client, place)
    async with client_at(app, "2001:db8::7") as neighbour:
        response = await send_report(neighbour, place)
    assert response.status_code == 303
    assert await Report.count() == limit + 1
