"""Telling the groups: when a barrier-free feature goes out of order (a ticket with a feature opens,
gets one, or is reopened), every group with a booking in the rooms it affects within the next two
weeks gets a notice (inbox and e-mail) saying what is broken, what it means for getting to the
room and whom to ask; when the ticket is finished, those still booked are told it works again.
Called inside the ticket's transaction, so the notices go out exactly when the change lands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from center.ledger import owners
from center.ledger.service import holds_between
from center.lib.dates import TOKYO, format_date
from center.lib.i18n import N_, current_locale, gettext, pick
from center.notices.service import notify
from center.places.tables import CenterProfile, Room
from maintenance.accessibility import affected, feature_tickets
from maintenance.tables import Ticket
from maintenance.workflow import FEATURES

NOTICE_WINDOW = timedelta(days=14)

OUT_OF_ORDER = (
    N_("Access to your booked room: the %(feature)s is out of order"),
    N_(
        "%(warning)s\n\nYour bookings in the rooms this affects:\n%(bookings)s\n\n"
        "If anyone coming cannot use stairs, please call the front desk (%(phone)s) before the day: "
        "we will help you to another room or date. We will tell you when it works again."
    ),
)
WORKS_AGAIN = (
    N_("Access to your booked room: the %(feature)s works again"),
    N_(
        "The %(feature)s works again, so the rooms of your bookings below can be reached as usual.\n\n"
        "%(bookings)s\n\nQuestions: the front desk (%(phone)s)."
    ),
)


async def _feature_ticket(ticket_id: int) -> dict | None:
    return await feature_tickets().where(Ticket.id == ticket_id).first()


async def _in_both(render) -> dict[str, str]:
    """A text rendered in each language (notices keep both; each recipient reads their own).
    `render` is an async function of no arguments, run with the locale set."""
    texts = {}
    for locale in ("ja", "en"):
        token = current_locale.set(locale)
        try:
            texts[locale] = await render()
        finally:
            current_locale.reset(token)
    return texts


async def _bookings_by_group(room_ids: list[int]) -> dict[int, list[dict]]:
    """group id -> its active bookings in these rooms within the notice window, soonest first,
    each with its link and room names (the bookings described by their owner)."""
    now = datetime.now(UTC)
    holds = [
        hold
        for hold in await holds_between(now, now + NOTICE_WINDOW, room_ids)
        if hold.kind == "booking" and hold.ref is not None
    ]
    if not holds:
        return {}
    described = await owners.describe("booking", [hold.ref for hold in holds])
    booked = sorted(
        (held for held in described.values() if held.active and held.group_id is not None),
        key=lambda held: (held.starts_at, held.ref),
    )
    rooms = {
        row["id"]: row
        for row in await Room.select(Room.id, Room.name_ja, Room.name_en).where(
            Room.id.is_in(sorted({held.room_id for held in booked}) or [-1])
        )
    }
    found: dict[int, list[dict]] = {}
    for held in booked:
        room = rooms.get(held.room_id, {})
        found.setdefault(held.group_id, []).append(
            {
                "id": held.ref,
                "link": held.link,
                "starts_at": held.starts_at,
                "ends_at": held.ends_at,
                "room_name_ja": room.get("name_ja", ""),
                "room_name_en": room.get("name_en", ""),
            }
        )
    return found


def _booking_line(row: dict) -> str:
    starts, ends = row["starts_at"].astimezone(TOKYO), row["ends_at"].astimezone(TOKYO)
    room = pick(row["room_name_ja"], row["room_name_en"])
    return f"・{room}  {format_date(starts)} {starts:%H:%M}–{ends:%H:%M}"


async def tell_groups(ticket_id: int, *, works_again: bool, feature: str | None = None) -> int:
    """Notify each group booked in the affected rooms within two weeks; returns how many groups.
    `feature` names the feature when it is no longer the ticket's own (the ticket was edited)."""
    ticket = await _feature_ticket(ticket_id)
    if ticket is None:
        return 0
    if feature:
        ticket = {**ticket, "accessibility_feature": feature}
    if not ticket["accessibility_feature"]:
        return 0
    by_room = await affected([ticket])
    if not by_room:
        return 0
    profile = await CenterProfile.select(CenterProfile.phone).first() or {}
    phone = profile.get("phone") or "-"
    feature_msgid = FEATURES.get(ticket["accessibility_feature"], ticket["accessibility_feature"])
    subject, body = WORKS_AGAIN if works_again else OUT_OF_ORDER
    groups = await _bookings_by_group(list(by_room))
    if not groups:
        return 0

    async def warning_text() -> str:
        # The same words the room pages show, in the language being rendered.
        return next(text for items in (await affected([ticket])).values() for _ticket, text in items)

    async def feature_text() -> str:
        return gettext(feature_msgid).lower() if current_locale.get() == "en" else gettext(feature_msgid)

    warning = await _in_both(warning_text)
    feature = await _in_both(feature_text)
    for group_id, rows in groups.items():

        async def bookings_text(rows: list[dict] = rows) -> str:
            return "\n".join(_booking_line(row) for row in rows)

        await notify(
            kind="access.restored" if works_again else "access.outage",
            subject=subject,
            body=body,
            params={
                "feature": feature,
                "warning": warning,
                "bookings": await _in_both(bookings_text),
                "phone": phone,
            },
            group_id=group_id,
            link=rows[0]["link"],
            entity="maintenance_ticket",
            entity_id=ticket_id,
        )
    return len(groups)
