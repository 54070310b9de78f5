"""Closing a room for a ticket's work with the clash flow (each booking or screening holding the
time moved or cancelled in the same step), and reopening it."""

from __future__ import annotations

import re

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from center.accounts.guards import requires_facilities
from center.lib.errors import DomainError, ValidationFailed
from center.lib.i18n import N_, gettext
from center.places import forms
from center.web.templating import flash
from maintenance import closure_clashes, closures, tickets
from maintenance.web.common import Form, labels, redirect

DECISION = re.compile(r"^decision-(\d+)$")


SCREENING_DECISION = re.compile(r"^screening-(\d+)$")


def _field(row: dict) -> str:
    """The form field holding the choice for one clash."""
    return row["field"]


def _unchosen(row: dict) -> str:
    return gettext(closure_clashes.choice_missing(row["hold"]))


async def _closure_page(
    request: Request,
    ticket_id: int,
    *,
    values: dict,
    errors: dict | None = None,
    message: str = "",
    clashes: list | None = None,
    period: closures.Period | None = None,
    status_code: int = 200,
) -> Template:
    return Template(
        "maintenance/closure.html",
        context={
            "period": period,
            "ticket": await tickets.get_ticket(ticket_id),
            "rooms": await closures.room_choices(),
            "values": values,
            "errors": errors or {},
            "message": message,
            "clashes": clashes or [],
            **labels(),
        },
        status_code=status_code,
    )


class TicketClosureController(Controller):
    """Closing a room for one ticket's work."""

    path = "/maintenance/tickets/{ticket_id:int}/closure"
    guards = (requires_facilities,)

    @get("/", name="maintenance:closure_form")
    async def closure_form(self, request: Request, ticket_id: FromPath[int]) -> Template:
        """Close a room for this ticket's work."""
        ticket = await tickets.get_ticket(ticket_id)
        room = str(ticket["location_room"] or "")
        return await _closure_page(
            request, ticket_id, values={"room": room, "start_time": "09:00", "end_time": "21:00"}
        )

    @post("/", name="maintenance:closure")
    async def close_room(self, request: Request, ticket_id: FromPath[int], data: Form) -> Template | Redirect:
        """Check the period; if bookings hold it, show them with alternatives until each has a
        decision; then move or cancel them and close the room, all at once."""
        await tickets.get_ticket(ticket_id)
        values = {key: forms.text(data, key) for key in data}
        decisions = {int(m[1]): forms.text(data, key) for key in data if (m := DECISION.match(key))}
        screening_decisions = {
            int(m[1]): forms.text(data, key) for key in data if (m := SCREENING_DECISION.match(key))
        }
        found: list = []
        period = None
        try:
            await closures.open_ticket(ticket_id)
            period = closures.parse_period(data)
            found = await closures.clashes(period)
            pending = [row for row in found if not values.get(_field(row))]
            if pending:
                errors = {}
                if decisions or screening_decisions or "confirm" in data:
                    # A second round with some clashes left undecided: refused, nothing changed.
                    errors = {_field(row): _unchosen(row) for row in pending}
                return await _closure_page(
                    request,
                    ticket_id,
                    values=values,
                    errors=errors,
                    clashes=found,
                    period=period,
                    message=gettext(
                        N_("Bookings or screenings hold this room at that time: move or cancel each one.")
                    ),
                    status_code=409 if not errors else 400,
                )
            await closures.close_room(
                ticket_id,
                period,
                request.user,
                reason=forms.text(data, "reason"),
                decisions=decisions,
                screening_decisions=screening_decisions,
            )
        except ValidationFailed as invalid:
            return await _closure_page(
                request,
                ticket_id,
                values=values,
                errors=invalid.translated(),
                clashes=found,
                period=period,
                message=gettext(invalid.message),
                status_code=400,
            )
        except DomainError as refused:
            if refused.status_code == 404:
                raise
            return await _closure_page(
                request,
                ticket_id,
                values=values,
                clashes=found,
                period=period,
                message=gettext(refused.message, **refused.params),
                status_code=refused.status_code,
            )
        flash(request, N_("The room is closed for the work. Affected groups were notified."))
        return redirect(request, "maintenance:ticket", ticket_id=ticket_id)


class ClosureController(Controller):
    """Closures already made."""

    path = "/maintenance/closures"
    guards = (requires_facilities,)

    @post("/{closure_id:int}/end", name="maintenance:closure_end")
    async def end_closure(self, request: Request, closure_id: FromPath[int]) -> Redirect:
        """Reopen the room now."""
        ticket_id = await closures.ticket_of_closure(closure_id)
        await closures.end_closure(closure_id, request.user)
        flash(request, N_("The room is open again."))
        return redirect(request, "maintenance:ticket", ticket_id=ticket_id)


ROUTES = [TicketClosureController, ClosureController]
