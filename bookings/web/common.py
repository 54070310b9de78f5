"""Small helpers the booking pages share (Form, VARY and wants_partial come from center.web)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from litestar import Request

from bookings import listing
from center.accounts.actors import Actor
from center.accounts.memberships import approved_groups_of
from center.accounts.roles import FRONT_DESK, MANAGER
from center.lib.i18n import N_, gettext
from center.places.display import display_helpers
from center.places.equipment import known_codes

DATE_PATTERN = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
STATUS_LABELS = {
    "requested": N_("Requested (awaiting approval)"),
    "approved": N_("Confirmed (approved)"),
    "declined": N_("Request declined"),
    "cancelled": N_("Booking cancelled"),
    "lapsed": N_("Lapsed (not approved in time)"),
}


def status_label(status: str) -> str:
    return gettext(STATUS_LABELS.get(status, status))


def is_staff(request: Request) -> bool:
    """Whether the user books as staff (front desk or manager)."""
    return request.user.has(FRONT_DESK, MANAGER)


def actor_of(request: Request) -> Actor:
    """The signed-in user as the actor: staff (front desk or manager) act as staff."""
    return request.user


async def member_groups(request: Request) -> list[dict]:
    """The user's own approved groups, by name then id."""
    return await approved_groups_of(request.user.id)


async def visible_booking(request: Request, booking_id: int, *, named: bool = False) -> dict:
    """The booking if the user may see it: staff, or a member of its group (`named`: with its
    room's and group's names)."""
    return await listing.visible_booking(
        booking_id, staff=is_staff(request), group_ids=request.user.group_ids, named=named
    )


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
