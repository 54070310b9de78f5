"""One scan at the front desk's scan field: a permit QR code or a typed permit number checks that
booking in at once; a group's (or walk-in person's) name lists the day's bookings it matches; a
code the desk cannot act on is refused with the reason. The outcome is a small plain record the
web layer keeps as "the last scan" and shows beside the field until the next one."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from bookings import desk, desk_checkin
from bookings.desk import LookupRefused
from bookings.service import get_booking
from center.accounts.actors import Actor
from center.lib.dates import format_time, today
from center.lib.i18n import N_, gettext

CHECKED_IN, REFUSED, MATCHES = "checked_in", "refused", "matches"
MAX_CODE = 200


@dataclass
class ScanOutcome:
    """What a scan did. `message`/`params` hold an English msgid (translated when shown, so the
    language switch applies); `booking_id` names the booking the code named, if any."""

    kind: str
    code: str
    message: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    booking_id: int | None = None
    matches: list[int] = field(default_factory=list)

    def to_session(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_session(cls, data: Any) -> ScanOutcome | None:
        """The outcome kept in the session, or None when there is none (or it is malformed)."""
        if not isinstance(data, dict) or data.get("kind") not in (CHECKED_IN, REFUSED, MATCHES):
            return None
        try:
            return cls(**data)
        except TypeError:
            return None

    @property
    def text(self) -> str:
        return gettext(self.message, **self.params) if self.message else ""


async def scan(text: str, actor: Actor, day: date | None = None) -> ScanOutcome:
    """Act on what the scanner (or the keyboard) typed into the scan field on the board of `day`.
    A permit checks its booking in (one transaction, through desk_checkin.check_in); nothing is
    changed when the code is refused."""
    day = day or today()
    code = desk.normalise(text)[:MAX_CODE]
    try:
        found = await desk.find(code, day)
    except LookupRefused as refused:
        return ScanOutcome(REFUSED, code, refused.message, dict(refused.field_params))
    if found.booking_id is None:  # a name, not a permit: the desk chooses among the matches
        return ScanOutcome(MATCHES, code, matches=list(found.matches))
    before = await get_booking(found.booking_id)
    if before["checked_out_at"]:
        when = {"time": format_time(before["checked_out_at"])}
        return ScanOutcome(REFUSED, code, N_("Already checked out at %(time)s."), when, found.booking_id)
    try:
        after = await desk_checkin.check_in(found.booking_id, actor)
    except desk_checkin.DeskRefused as refused:
        return ScanOutcome(REFUSED, code, refused.message, dict(refused.params), found.booking_id)
    return ScanOutcome(
        CHECKED_IN,
        code,
        N_("Checked in at %(time)s."),
        {"time": format_time(after["checked_in_at"])},
        found.booking_id,
    )
