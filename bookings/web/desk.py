"""The front desk's day (受付): today's board (refreshing itself so two desks agree; the scan field
is bookings.web.desk_scan), the day's cash summary, and the printouts. One booking at the desk is
bookings.web.desk_booking, walk-ins bookings.web.desk_walk_in."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from bookings import desk, desk_payments, desk_printouts, payment_status
from bookings.web.desk_common import desk_day, desk_helpers, pdf_response
from bookings.web.desk_scan import SCANNED_EVENT, last_scan_context
from center.accounts.guards import requires_front_desk
from center.lib import dates
from center.places import forms
from center.web.htmx import VARY, wants_partial

POLL_SECONDS = 5


async def _board_context(request: Request, day: date, **extra: Any) -> dict[str, Any]:
    params = request.query_params
    floor = forms.whole(params, "floor", forms.FieldErrors(), "", required=False, low=-9, high=99)
    state = params.get("state", "")
    if state not in desk.STATE_LABELS:
        state = ""
    order = "floor" if params.get("order") == "floor" else "time"
    day_board = await desk.board(day, floor=floor, state=state)
    return {
        "board": day_board,
        "payments": await payment_status.statuses([row.booking for row in day_board.rows if row.booking]),
        "day": day,
        "is_today": day == dates.today(),
        "floor": floor,
        "state": state,
        "order": order,
        "poll_seconds": POLL_SECONDS,
        "errors": {},
        "refreshed_at": datetime.now(UTC),
        "scanned_event": SCANNED_EVENT,
        **desk_helpers(),
        **extra,
    }


# --- The day's money and printouts ---


class DeskController(Controller):
    """The front desk's day: the board, the cash summary, the printouts and receipts."""

    path = "/desk"
    guards = (requires_front_desk,)

    @get("/", name="desk:board")
    async def board_page(self, request: Request) -> Template:
        """The day's board with the scan field (bookings/web/desk_scan.py) and this desk's last scan;
        htmx polls the board part every few seconds."""
        context = await _board_context(request, desk_day(request))
        if wants_partial(request):
            return Template("desk/_board.html", context=context, headers=VARY)
        context.update(await last_scan_context(request))
        return Template("desk/board.html", context=context, headers=VARY)

    @get("/cash", name="desk:cash")
    async def cash(self, request: Request) -> Template:
        """The day's payments and refunds with totals per method."""
        summary = await desk_payments.cash_summary(desk_day(request))
        return Template("desk/cash.html", context={"summary": summary, "day": summary.day, **desk_helpers()})

    @get("/day-sheet.pdf", name="desk:day_sheet")
    async def day_sheet(self, request: Request) -> Response[bytes]:
        day = desk_day(request)
        return pdf_response(await desk_printouts.day_sheet_pdf(day), f"day-sheet-{day.isoformat()}.pdf")

    @get("/key-log.pdf", name="desk:key_log")
    async def key_log(self, request: Request) -> Response[bytes]:
        day = desk_day(request)
        return pdf_response(await desk_printouts.key_log_pdf(day), f"key-log-{day.isoformat()}.pdf")

    @get("/payments/{payment_id:int}/receipt.pdf", name="desk:receipt")
    async def receipt(self, payment_id: FromPath[int]) -> Response[bytes]:
        from center.web.pdf import render_pdf

        context = await desk_payments.receipt_context(payment_id)
        data = await render_pdf("pdf/desk_receipt.html", context)
        return pdf_response(data, f"receipt-{context['payment']['receipt_number']}.pdf")


ROUTES = [DeskController]
