"""The front desk's scan field on the web: every scan is a POST that checks a permit in (or lists
the bookings a name matches, or says why the code was refused). The outcome is kept in the session
as "the last scan" and shown beside the field, which always comes back empty and focused: with
htmx only the result swaps in (and the board refreshes at once); without JavaScript the POST
redirects to the board (303), which renders the field empty with autofocus."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.response import Redirect, Template

from bookings import desk, desk_scan
from bookings.desk_scan import ScanOutcome
from bookings.web.common import actor_of, parse_day
from center.accounts.guards import requires_front_desk
from center.lib import dates
from center.lib.errors import NotFound
from center.places import forms
from center.web.forms import Form
from center.web.htmx import VARY, wants_partial

SESSION_KEY = "desk_last_scan"
MAX_MATCHES_SHOWN = 20
SCANNED_EVENT = "desk-scanned"  # the board listens for it and refreshes without waiting for its poll


async def _booking_view(booking_id: int) -> dict[str, Any] | None:
    try:
        found = await desk.desk_booking(booking_id)
    except NotFound:
        return None
    return {
        "id": booking_id,
        "name": found["name"],
        "room_name": found["room_name"],
        "starts_at": found["booking"]["starts_at"],
        "ends_at": found["booking"]["ends_at"],
        "state": found["state"],
        "state_label": desk.state_label(found["state"]),
        "symbol": desk.STATE_SYMBOLS[found["state"]],
    }


async def last_scan_context(request: Request) -> dict[str, Any]:
    """What the board shows of this desk's last scan (nothing before the first)."""
    session = request.scope.get("session")
    outcome = ScanOutcome.from_session(session.get(SESSION_KEY) if isinstance(session, dict) else None)
    if outcome is None:
        return {"last_scan": None}
    booking = await _booking_view(outcome.booking_id) if outcome.booking_id else None
    matches = []
    for booking_id in outcome.matches[:MAX_MATCHES_SHOWN]:
        if (view := await _booking_view(booking_id)) is not None:
            matches.append(view)
    return {"last_scan": {"outcome": outcome, "booking": booking, "matches": matches}}


class DeskScanController(Controller):
    """The desk's scan field."""

    path = "/desk/scan"
    guards = (requires_front_desk,)

    @post("/", name="desk:scan")
    async def scan(self, request: Request, data: Form) -> Template | Redirect:
        """One scan (or typed permit number or name); changes nothing unless a permit is checked in."""
        day = parse_day(forms.text(data, "date"), dates.today()) or dates.today()
        outcome = await desk_scan.scan(forms.text(data, "q", desk_scan.MAX_CODE), actor_of(request), day)
        session = request.scope.get("session")
        if isinstance(session, dict):
            session[SESSION_KEY] = outcome.to_session()
        if wants_partial(request):
            context = {"day": day, **await last_scan_context(request)}
            headers = {**VARY, "HX-Trigger": SCANNED_EVENT}
            return Template("desk/_scan_result.html", context=context, headers=headers)
        path = request.app.route_reverse("desk:board")
        if day != dates.today():
            path += f"?date={day.isoformat()}"
        return Redirect(path=path, status_code=303)


ROUTES = [DeskScanController]
