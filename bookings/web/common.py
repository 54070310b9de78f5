"""Small helpers the booking pages share (Form, VARY and wants_partial come from center.web)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from litestar import Request

from center.places.display import display_helpers
from center.places.equipment import known_codes

DATE_PATTERN = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


def parse_day(raw: str | None, default: date | None = None) -> date | None:
    """A YYYY-MM-DD date (full-width digits allowed), or `default` when missing or malformed."""
    if not raw:
        return default
    import unicodedata

    raw = unicodedata.normalize("NFKC", raw).strip()
    if not DATE_PATTERN.match(raw):
        return default
    try:
        year, month, day = (int(part) for part in raw.split("-"))
        return date(year, month, day)
    except ValueError:
        return default


def booking_link(request: Request) -> str | None:
    """Where a free cell leads: staff book on a group's behalf, members request for their group,
    visitors are asked to log in by the request page; other staff (facilities) cannot book."""
    user = request.scope.get("user")
    if user is None or (user.has("member") and not user.has("front_desk", "manager")):
        return request.app.route_reverse("bookings:request_form")
    if user.has("front_desk", "manager"):
        return request.app.route_reverse("bookings:staff_form")
    return None


def equipment_query(request: Request) -> str:
    """The equipment filter of the page's own query, as "&equipment=..." to add to a request link,
    so that the request form comes pre-ticked with what the visitor filtered for."""
    from urllib.parse import urlencode

    codes = known_codes(request.query_params.getall("equipment", []))
    return "&" + urlencode([("equipment", code) for code in codes]) if codes else ""


def books_online(request: Request) -> bool:
    """Whether this user requests online, within the policy's request window (visitors and
    members), rather than booking as staff, who may override it."""
    user = request.scope.get("user")
    return user is None or not user.has("front_desk", "manager")


def page_helpers() -> dict[str, Any]:
    return {**display_helpers(), "booking_link": booking_link, "equipment_query": equipment_query}
