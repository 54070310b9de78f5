"""Problem reports by short code: a new report gets a code in the readable scheme, the lookup takes
it however it is typed (older R- references too), the status page shows the photo through a route
that checks the code, the center's phone and the "tell the desk if it is dangerous" line, and a
public history whose steps carry their date and the staff's public note."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from center.lib import codes
from center.lib.dates import wareki
from center.places.tables import CenterProfile
from maintenance import reports
from maintenance.tables import Photo, Report, ReportEvent, Ticket
from tests.helpers import make_calendar, post_form, text_of
from tests.maintenance_support import facilities_client, jpeg_with_gps, make_location, png, ticket_form

pytestmark = pytest.mark.anyio


async def reported_with_photo(client) -> str:
    """A report of a loose handrail with a photo, sent through the public form; its code."""
    await make_calendar()
    await CenterProfile.update({CenterProfile.phone: "0144-32-7111"}, force=True)
    place = await make_location("stairs", "階段")
    await client.get("/report")
    response = await client.post(
        "/report",
        data={
            "_csrf_token": client.cookies.get("csrftoken"),
            "location": str(place),
            "description": "2階の手すりがぐらぐらする",
        },
        files={"photo": ("IMG_0001.JPG", jpeg_with_gps(), "image/jpeg")},
    )
    assert response.status_code == 303, response.text[:500]
    return response.headers["location"].rsplit("/", 1)[1]


async def test_a_new_report_gets_a_short_code_with_a_valid_check_character(client):
    reference = await reported_with_photo(client)
    assert codes.parse(reference) == reference


async def test_the_lookup_takes_the_code_in_lower_case_without_the_hyphen(client):
    reference = await reported_with_photo(client)
    typed = reference.replace("-", "").lower()
    lookup = await client.get("/report/status", params={"reference": typed})
    assert lookup.status_code == 303 and lookup.headers["location"] == f"/report/{reference}"


async def test_the_status_page_shows_the_reporters_photo_through_a_route_that_checks_the_code(client):
    reference = await reported_with_photo(client)
    page = await client.get(f"/report/{reference}")
    photo = await Photo.select().first()
    src = f"/report/{reference}/photos/{photo['id']}/thumb"
    assert f'src="{src}"' in page.text
    image = await client.get(src)
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert image.content[:2] == b"\xff\xd8"


async def test_a_photo_is_not_served_under_another_reports_code(client):
    await reported_with_photo(client)
    photo = await Photo.select().first()
    other = await reports.submit_report(
        {
            "location": (await Report.select(Report.location).first())["location"],
            "description": "別の報告",
            "contact_name": "",
            "contact_email": "",
            "contact_phone": "",
        },
        png(),
    )
    assert (await client.get(f"/report/{other}/photos/{photo['id']}/full")).status_code == 404
    assert (await client.get(f"/maintenance/photos/{photo['id']}/full")).status_code in (401, 403)


async def test_the_confirmation_shows_the_code_the_phone_and_tells_to_call_the_desk_if_dangerous(client):
    reference = await reported_with_photo(client)
    text = text_of((await client.get(f"/report/{reference}")).text)
    assert reference in text and "0144-32-7111" in text and "毎日 9:00–21:00" in text
    assert "危険な場合は、すぐに受付へお知らせください" in text


async def test_an_older_r_reference_resolves_however_it_is_typed(client):
    place = await make_location()
    now = datetime.now(UTC)
    await Report.insert(
        Report(
            reference="R-RAYZ-2QSW",
            location=place,
            description="古い報告",
            status="received",
            created_at=now,
            updated_at=now,
        )
    )
    for typed in ("RRAYZ2QSW", "r-rayz 2qsw", "ｒ－ｒａｙｚ－２ｑｓｗ"):
        lookup = await client.get("/report/status", params={"reference": typed})
        assert lookup.status_code == 303 and lookup.headers["location"] == "/report/R-RAYZ-2QSW", typed


async def test_a_typo_in_a_report_code_is_named_on_the_field(client):
    reference = await reported_with_photo(client)
    compact = reference.replace("-", "")
    typo = next(c for c in codes.ALPHABET if c != compact[0]) + compact[1:]
    lookup = await client.get("/report/status", params={"reference": typo})
    assert lookup.status_code == 400 and 'id="reference-error"' in lookup.text
    assert "入力ミス" in text_of(lookup.text)


async def move(client, ticket_id: int, target: str, note: str):
    return await post_form(
        client, f"/maintenance/tickets/{ticket_id}/status", {"to": target, "public_note": note}
    )


async def test_staff_public_notes_on_in_progress_and_done_show_with_dates_on_the_timeline(client):
    reference = await reported_with_photo(client)
    report = await Report.select().first()
    await facilities_client(client)
    place = report["location"]
    accepted = await post_form(
        client, f"/maintenance/reports/{report['id']}/accept", ticket_form(place, title="手すり修理")
    )
    assert accepted.status_code == 303
    ticket = await Ticket.select().first()
    assert (await move(client, ticket["id"], "in_progress", "業者が3日に修理に来ます。")).status_code == 303
    assert (await move(client, ticket["id"], "done", "手すりを交換しました。")).status_code == 303
    steps = await ReportEvent.select().where(ReportEvent.report == report["id"]).order_by(ReportEvent.id)
    assert [s["state"] for s in steps] == ["received", "open", "in_progress", "done"]
    page = await client.get(f"/report/{reference}")
    timeline = text_of(page.text.split('id="history-heading"', 1)[1].split("</ol>", 1)[0])
    for step in steps:
        assert wareki(step["at"]) in timeline
    assert "業者が3日に修理に来ます。" in timeline and "手すりを交換しました。" in timeline
    assert timeline.index("業者が3日") < timeline.index("手すりを交換")
    assert "危険な場合は" not in text_of(page.text)


async def test_a_move_without_a_change_for_the_reporter_adds_no_step_unless_there_is_a_note(client):
    await reported_with_photo(client)
    report = await Report.select().first()
    await facilities_client(client)
    await post_form(client, f"/maintenance/reports/{report['id']}/accept", ticket_form(report["location"]))
    ticket = await Ticket.select().first()
    await move(client, ticket["id"], "scheduled", "")  # still "accepted" for the reporter
    assert await ReportEvent.count().where(ReportEvent.report == report["id"]) == 2
    await move(client, ticket["id"], "on_hold", "部品の入荷待ちです。")
    assert await ReportEvent.count().where(ReportEvent.report == report["id"]) == 3


async def test_a_too_long_public_note_is_refused_and_nothing_changes(client):
    await reported_with_photo(client)
    report = await Report.select().first()
    await facilities_client(client)
    await post_form(client, f"/maintenance/reports/{report['id']}/accept", ticket_form(report["location"]))
    ticket = await Ticket.select().first()
    refused = await move(client, ticket["id"], "in_progress", "あ" * 501)
    assert refused.status_code == 400 and 'id="public_note-in_progress-error"' in refused.text
    assert (await Ticket.select().first())["status"] == "triaged"
    assert await ReportEvent.count().where(ReportEvent.report == report["id"]) == 2
