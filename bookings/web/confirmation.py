"""The confirmation page (確認画面) a member sees before a request is sent: what was asked for, the
fee, the cancellation and refund rules, and the terms of use to agree to. It carries the form's
values in hidden fields; the confirm route reads them again through the form's own rules."""

from __future__ import annotations

from typing import Any

from litestar.response import Template

from bookings.fees import FeeQuote, line_text
from bookings.permits import refund_terms
from bookings.rules import Period
from bookings.terms import current_terms
from bookings.web.common import page_helpers
from bookings.web.forms import DETAIL_FIELDS
from center.lib.dates import to_local
from center.places.calendar import day_info
from center.places.equipment import equipment_label

# The form's fields carried through the confirmation page (lists are repeated hidden inputs).
CARRIED = ("group", "room", "day", *DETAIL_FIELDS)
CARRIED_LISTS = ("slots", "equipment")
CARRIED_FLAGS = ("public", "commercial")


async def confirmation_page(
    values: dict[str, Any],
    *,
    group: dict,
    room: dict,
    period: Period,
    fee: FeeQuote,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    """The confirmation page for a request the form's rules accepted (nothing written yet)."""
    info = await day_info(to_local(period.starts_at).date()) if period.slot_codes else None
    slot_names = [slot.name for slot in (info.slots if info else []) if slot.code in period.slot_codes]
    return Template(
        "bookings/confirm.html",
        context={
            "values": values,
            "errors": errors or {},
            "group": group,
            "room": room,
            "period": period,
            "slot_names": slot_names,
            "fee": fee,
            "fee_lines": [(line_text(line), line.amount) for line in fee.lines],
            "refund_terms": await refund_terms(),
            "terms": await current_terms(),
            "carried": CARRIED,
            "carried_lists": CARRIED_LISTS,
            "carried_flags": CARRIED_FLAGS,
            "equipment_label": equipment_label,
            **page_helpers(),
        },
        status_code=status_code,
    )
