"""What the lottery pages share: the words and symbols for applications and rounds, months in
words, and the order of a form's errors."""

from __future__ import annotations

from typing import Any

from bookings import lottery
from bookings.web.common import page_helpers, status_label
from center.lib.dates import era_year, today
from center.lib.i18n import N_, current_locale, gettext
from center.places import forms

ENTRY_LABELS = {
    "applied": ("…", N_("Applied: waiting for the draw")),
    "won": ("★", N_("Won: please confirm")),
    "lost": ("✕", N_("Not drawn")),
    "confirmed": ("✓", N_("Won and confirmed")),
    "forfeited": ("✕", N_("Forfeited: not confirmed in time")),
    "withdrawn": ("−", N_("Withdrawn")),
}
FIELD_ORDER = ("round", "group", "room", "day", "slot", "purpose", "expected_head_count", "public_title")
WINDOW_FIELDS = ("opens_on", "closes_on", "draw_on", "confirm_by")


def entry_label(status: str) -> str:
    symbol, msgid = ENTRY_LABELS.get(status, ("", status))
    return f"{symbol} {gettext(msgid)}".strip()


def round_state(round_: dict) -> str:
    """The round's state in words for today."""
    if round_["status"] == "drawn":
        return gettext("Drawn")
    day = today()
    if day < round_["opens_on"]:
        return gettext("Applications not open yet")
    if day <= round_["closes_on"]:
        return gettext("Accepting applications")
    return gettext("Closed: waiting for the draw")


def ordered_errors(errors: dict[str, str]) -> dict[str, str]:
    return forms.in_order(errors, FIELD_ORDER + WINDOW_FIELDS)


def lottery_helpers() -> dict[str, Any]:
    return {
        **page_helpers(),
        "entry_label": entry_label,
        "round_state": round_state,
        "status_label": status_label,
        "month_label": month_label,
    }


def month_label(month: str) -> str:
    """令和9年2月 / February 2027."""
    first = lottery.first_day(month)
    if current_locale.get() == "en":
        return f"{first:%B %Y}"
    era, year = era_year(first)
    return f"{era}{'元' if year == 1 else year}年{first.month}月"
