"""The work-order PDF and the monthly maintenance report read back in Japanese."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from center.accounts.actors import ActorRef
from center.lib.dates import today
from maintenance import tickets
from maintenance.documents import monthly_report_pdf, work_order_pdf
from tests.helpers import make_calendar
from tests.maintenance_support import facilities_client, make_location, png, ticket_form

pytestmark = pytest.mark.anyio


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace("\n", "")


async def test_the_work_order_names_the_place_work_access_and_photo(db):
    await make_calendar()
    place = await make_location("elevator", "エレベーター")
    fields = await tickets.parse_fields(
        ticket_form(
            place, contractor="北海道昇降機株式会社", access_times="平日9:00～12:00", estimated_cost="150000"
        )
    )
    ticket_id = await tickets.create_ticket(fields, ActorRef())
    await tickets.add_photo(ticket_id, png((400, 300)), ActorRef())
    data = await work_order_pdf(ticket_id)
    text = pdf_text(data)
    for expected in (
        "作業指示書",
        "エレベーター",
        "北海道昇降機株式会社",
        "平日9:00～12:00",
        "¥150,000",
        "写真",
    ):
        assert expected in text, expected
    assert len(PdfReader(io.BytesIO(data)).pages[0].images) >= 1


async def test_the_monthly_report_counts_opened_closed_and_costs(db):
    await make_calendar()
    place = await make_location()
    done = await tickets.create_ticket(
        await tickets.parse_fields(ticket_form(place, title="照明交換", category="repair")), ActorRef()
    )
    await tickets.update_ticket(done, {"actual_cost": 24000}, ActorRef())
    for target in ("triaged", "in_progress", "done"):
        await tickets.transition(done, target, ActorRef())
    await tickets.create_ticket(
        await tickets.parse_fields(ticket_form(place, title="手すり設置")), ActorRef()
    )
    now = today()
    text = pdf_text(await monthly_report_pdf(now.year, now.month))
    assert "施設管理月次報告書" in text and "照明交換" in text and "手すり設置" in text
    assert "¥24,000" in text and f"{now.month}月" in text


async def test_the_pdfs_download_from_the_pages(db, client):
    await make_calendar()
    await facilities_client(client)
    place = await make_location()
    ticket_id = await tickets.create_ticket(await tickets.parse_fields(ticket_form(place)), ActorRef())
    order = await client.get(f"/maintenance/tickets/{ticket_id}/work-order.pdf")
    assert order.status_code == 200 and order.headers["content-type"] == "application/pdf"
    report = await client.get("/maintenance/monthly-report.pdf", params={"month": "2026-11"})
    assert report.status_code == 200 and report.content.startswith(b"%PDF")
    bad = await client.get("/maintenance/monthly-report.pdf", params={"month": "2026-13"})
    assert bad.status_code == 400
