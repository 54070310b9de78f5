"""The permit (使用許可書): a one-page PDF for an approved booking, with a signed QR code that the
front desk scans to check the booking in."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

from bookings.access_notes import access_warnings_for
from bookings.fees import FeeLine, Payer, line_text, quote
from bookings.payment_settings import load_settings, seal_data_uri
from bookings.payment_status import status_of
from bookings.service import get_booking
from bookings.tables import RefundRule
from center.accounts.tables import Group
from center.lib.dates import to_local
from center.lib.errors import DomainError
from center.lib.i18n import N_, current_locale, gettext, pick
from center.lib.settings import get_settings
from center.places.calendar import load_profile
from center.places.equipment import decode_codes
from center.places.tables import Room
from center.web.pdf import qr_data_uri, render_pdf

CODE_PREFIX = "CAC1"

# English msgids; the permit prints them in the reader's language.
CONDITIONS = (
    N_("Show this permit at the front desk on the day; the desk scans the QR code."),
    N_("Use the room only for the purpose and within the times stated here, including set-up and tidying."),
    N_("Do not pass this permit to another group or use the room for another purpose."),
    N_("Report the number of people who attended at the front desk when you leave."),
    N_("Food and drink only where the center allows it; take your rubbish home."),
    N_("Return the room to its original layout and hand the key back at the front desk."),
)


# Equipment fees follow the room fee's reduction and refund rates (see bookings.fees).
EQUIPMENT_TERMS = N_("Equipment fees are reduced and refunded at the same rates as the room fee.")


class PermitUnavailable(DomainError):
    status_code = 409
    message = N_("A permit is issued only for an approved booking.")


def permit_code(permit_number: str) -> str:
    """What the QR code carries: the permit number and a signature only the center can make."""
    signature = hmac.new(
        get_settings().secret_key.encode(), permit_number.encode(), hashlib.sha256
    ).hexdigest()
    return f"{CODE_PREFIX}:{permit_number}:{signature[:12]}"


def parse_permit_code(text: str) -> str | None:
    """The permit number from a scanned code (or a typed permit number), or None if forged."""
    text = text.strip()
    if text.startswith(f"{CODE_PREFIX}:"):
        parts = text.split(":")
        if len(parts) != 3:
            return None
        number = parts[1]
        return number if hmac.compare_digest(permit_code(number), text) else None
    return text or None


async def refund_terms() -> list[str]:
    """The refund rules as sentences in the current language, largest notice first."""
    rules = await RefundRule.select().order_by(RefundRule.min_days_before, ascending=False)
    terms = []
    for rule in rules:
        values = {
            "days": rule["min_days_before"],
            "room": rule["room_fee_percent"],
            "heating": rule["heating_fee_percent"],
        }
        if rule["min_days_before"] == 0:
            msgid = N_(
                "Cancelled later, up to the day of use: %(room)s%% of the room fee"
                " and %(heating)s%% of the heating fee are refunded."
            )
        else:
            msgid = N_(
                "Cancelled %(days)s or more days before use: %(room)s%% of the room fee"
                " and %(heating)s%% of the heating fee are refunded."
            )
        terms.append(gettext(msgid, **values))
    return terms


async def permit_context(booking_id: int) -> dict:
    booking = await get_booking(booking_id)
    if booking["status"] != "approved" or not booking["permit_number"]:
        raise PermitUnavailable()
    group = await Group.select().where(Group.id == booking["group"]).first()
    room = await Room.select().where(Room.id == booking["room"]).first()
    profile = await load_profile() or {}
    starts, ends = to_local(booking["starts_at"]), to_local(booking["ends_at"])
    fee = await quote(
        room,
        starts.date(),
        Payer(
            reduction=group["reduction"],
            in_city=not booking["outside_city"],
            commercial=booking["commercial"],
        ),
        slot_codes=[code for code in booking["slot_codes"].split(",") if code],
        minutes=int((booking["ends_at"] - booking["starts_at"]).total_seconds() // 60),
        equipment=decode_codes(booking["equipment"]),
    )
    # The permit shows the fees fixed at request time; the breakdown lines explain them.
    lines: list[FeeLine] = list(fee.lines)
    code = permit_code(booking["permit_number"])
    settings = await load_settings()
    return {
        "booking": booking,
        "group": group,
        "room": room,
        "room_name": pick(room["name_ja"], room["name_en"]),
        "profile": profile,
        "center_name": pick(profile.get("name_ja", ""), profile.get("name_en", "")),
        "starts": starts,
        "ends": ends,
        "issued": to_local(booking["decided_at"] or datetime.now(UTC)),
        "fee_lines": [(line_text(line), line.amount) for line in lines],
        "conditions": [gettext(condition) for condition in CONDITIONS]
        + await refund_terms()
        + ([gettext(EQUIPMENT_TERMS)] if booking["equipment_fee"] else []),
        "qr": qr_data_uri(code),
        "access_warnings": await access_warnings_for(booking),
        "code": code,
        "locale": current_locale.get(),
        # payment state, the ordinance line and the seal (bookings/payment_settings.py)
        "payment": await status_of(booking),
        "ordinance": settings["ordinance_text"],
        "payment_instructions": settings["payment_instructions"],
        "seal": seal_data_uri(settings),
    }


async def permit_pdf(booking_id: int) -> bytes:
    return await render_pdf("pdf/permit.html", await permit_context(booking_id), tagged=True)
