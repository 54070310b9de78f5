"""How to reach the center, from the data the manager edits (the profile's phone number and the
opening hours per weekday), for confirmations that tell people whom to call."""

from __future__ import annotations

from dataclasses import dataclass

from center.lib.dates import format_time, weekday_name
from center.lib.i18n import N_, gettext
from center.places.tables import CenterProfile, OpeningHours


@dataclass(frozen=True)
class Contact:
    """The center's phone number (may be empty before set-up) and its hours, one line per run of
    weekdays with the same hours, in the current language."""

    phone: str
    hours: list[str]

    @property
    def tel(self) -> str:
        """The number for a tel: link (digits and a leading +)."""
        return "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")


def _hours_text(row: dict | None) -> str:
    if row is None or row["closed"] or not row["opens"] or not row["closes"]:
        return gettext(N_("Closed"))
    return f"{format_time(row['opens'])}–{format_time(row['closes'])}"


def _days_text(first: int, last: int) -> str:
    if first == last:
        return weekday_name(first)
    return gettext(N_("%(first)s to %(last)s"), first=weekday_name(first), last=weekday_name(last))


async def center_contact() -> Contact:
    """The center's phone number and opening hours (Monday first) as people should read them."""
    profile = await CenterProfile.select(CenterProfile.phone).first()
    by_day = {row["weekday"]: row for row in await OpeningHours.select()}
    runs: list[tuple[int, int, str]] = []
    for weekday in range(7):
        text = _hours_text(by_day.get(weekday))
        if runs and runs[-1][2] == text:
            runs[-1] = (runs[-1][0], weekday, text)
        else:
            runs.append((weekday, weekday, text))
    if len(runs) == 1:
        hours = [gettext(N_("Every day %(hours)s"), hours=runs[0][2])]
    else:
        hours = [f"{_days_text(first, last)} {text}" for first, last, text in runs]
    return Contact(phone=profile["phone"] if profile else "", hours=hours)
