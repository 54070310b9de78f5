"""The work-order PDF for a contractor and the monthly maintenance report PDF, rendered by
center.web.pdf from templates/pdf/. Photos go in as data: URIs (the renderer fetches nothing else)."""

from __future__ import annotations

import base64

from center.lib.i18n import current_locale, pick
from center.places.calendar import load_profile, month_title
from center.web.pdf import render_pdf
from maintenance import photos
from maintenance.closures import closures_of
from maintenance.dashboard import month_figures
from maintenance.projects import PROJECT_STATUSES
from maintenance.tickets import get_ticket, ticket_photos
from maintenance.workflow import CATEGORIES, PRIORITIES, STATUSES


def _data_uri(filename: str) -> str | None:
    path = photos.stored_path(filename)
    if path is None:
        return None
    encoded = base64.b64encode(path.read_bytes()).decode()
    return f"data:{photos.media_type(path)};base64,{encoded}"


async def _center() -> dict:
    profile = await load_profile() or {}
    return {
        "profile": profile,
        "center_name": pick(profile.get("name_ja", ""), profile.get("name_en", "")),
        "categories": CATEGORIES,
        "priorities": PRIORITIES,
        "statuses": STATUSES,
        "project_statuses": PROJECT_STATUSES,
    }


async def work_order_pdf(ticket_id: int) -> bytes:
    ticket = await get_ticket(ticket_id)
    pictures = [
        uri for uri in (_data_uri(row["filename"]) for row in (await ticket_photos(ticket_id))[:4]) if uri
    ]
    context = {
        **await _center(),
        "ticket": ticket,
        "photos": pictures,
        "closures": [row for row in await closures_of(ticket_id) if row["active"]],
        "locale": current_locale.get(),
    }
    return await render_pdf("pdf/work_order.html", context)


async def monthly_report_pdf(year: int, month: int) -> bytes:
    context = {
        **await _center(),
        **await month_figures(year, month),
        "month_title": month_title(year, month),
        "locale": current_locale.get(),
    }
    return await render_pdf("pdf/maintenance_report.html", context)
