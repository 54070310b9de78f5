"""What the front desk's pages share: the day asked for, the labels and choices for payments, and
PDF responses."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, Response

from bookings import desk, desk_payments
from bookings.fees import line_text
from bookings.web.common import page_helpers, parse_day
from center.lib import dates
from center.lib.i18n import gettext


def desk_helpers() -> dict[str, Any]:
    return {
        **page_helpers(),
        "state_labels": {key: gettext(value) for key, value in desk.STATE_LABELS.items()},
        "state_symbols": desk.STATE_SYMBOLS,
        "method_label": desk_payments.method_label,
        "kind_label": desk_payments.kind_label,
        "methods": list(desk_payments.METHODS),
        "fee_line_text": line_text,
    }


def desk_day(request: Request) -> date:
    return parse_day(request.query_params.get("date"), dates.today()) or dates.today()


def pdf_response(data: bytes, filename: str) -> Response[bytes]:
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "private"},
    )
