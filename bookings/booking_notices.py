"""What a group is told about its booking: the notice texts of each change (request, approval
with how and by when to pay, decline, cancellation, lapse, move) and the one function that writes
the notice inside the change's transaction."""

from __future__ import annotations

from typing import Any

from bookings.payment_settings import load_settings
from bookings.payment_status import deadline_of
from center.lib.dates import TOKYO
from center.lib.i18n import N_, both
from center.lib.versions import reference_cached
from center.notices.service import notify
from center.places.tables import Room

NOTICE_TEXTS = {
    "request": (
        N_("Request received: %(room)s on %(date)s"),
        N_(
            "We received your request for %(room)s on %(date)s, %(time)s (request No. %(number)s). The "
            "slot is held for you until %(lapses)s; the center will approve or decline it by then."
        ),
    ),
    "approve": (
        N_("Booking approved: %(room)s on %(date)s"),
        N_(
            "Your booking of %(room)s on %(date)s, %(time)s was approved. Permit No. %(permit)s. "
            "Please show the permit at the front desk on the day."
        ),
    ),
    "decline": (
        N_("Request declined: %(room)s on %(date)s"),
        N_("Your request for %(room)s on %(date)s, %(time)s was declined. Reason: %(reason)s"),
    ),
    "cancel": (
        N_("Booking cancelled: %(room)s on %(date)s"),
        N_("The booking of %(room)s on %(date)s, %(time)s was cancelled. %(reason)s Refund due: %(refund)s."),
    ),
    "lapse": (
        N_("Request lapsed: %(room)s on %(date)s"),
        N_(
            "Your request for %(room)s on %(date)s, %(time)s was not approved in time and has lapsed. "
            "The slot is free again."
        ),
    ),
    "move": (
        N_("Booking changed: %(room)s on %(date)s"),
        N_("Your booking is now in %(room)s on %(date)s, %(time)s. Reason: %(reason)s"),
    ),
}


# An approval with a fee also says how, where and by when to pay (the deadline in the era form).
APPROVE_WITH_FEE = N_(
    "Your booking of %(room)s on %(date)s, %(time)s was approved. Permit No. %(permit)s. "
    "Please pay the fee of %(fee)s at the front desk by %(deadline)s. %(instructions)s "
    "Please show the permit at the front desk on the day."
)


async def notify_group(booking: dict, action: str, note: str = "") -> None:
    """Tell the group about a change to its booking (inside the change's transaction)."""
    if action not in NOTICE_TEXTS:
        return
    room = await reference_cached(
        f"room_names:{booking['room']}",
        Room.select(Room.name_ja, Room.name_en).where(Room.id == booking["room"]).first().run,
    )
    starts, ends = booking["starts_at"].astimezone(TOKYO), booking["ends_at"].astimezone(TOKYO)
    subject, body = NOTICE_TEXTS[action]
    paying: dict[str, Any] = {}
    if action == "approve" and booking["fee_total"] > 0:
        settings = await load_settings()
        body = APPROVE_WITH_FEE
        paying = {
            "fee": f"¥{booking['fee_total']:,}",
            "deadline": deadline_of(booking["starts_at"], settings["pay_days_before"])[0],
            "instructions": settings["payment_instructions"].replace("\n", " "),
        }
    await notify(
        kind=f"booking.{action}",
        subject=subject,
        body=body,
        params={
            "room": both(room),
            "date": starts.date(),
            "time": f"{starts:%H:%M}–{ends:%H:%M}",
            "reason": note or "-",
            "permit": booking["permit_number"] or "",
            "number": booking["request_number"] or "",
            "lapses": booking["lapses_at"] or "",
            "refund": f"¥{booking['refund_due']:,}",
            **paying,
        },
        group_id=booking["group"],
        link=f"/bookings/{booking['id']}",
        entity="booking",
        entity_id=booking["id"],
    )
