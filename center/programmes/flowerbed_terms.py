"""The words and small rules of flower-bed days: age bands, rain plans, status labels, why a
signup is refused, a signup's party size and contact key, private-link hashing, a day's title in
both languages and its default rain date."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, time
from typing import Any

from center.lib.errors import DomainError
from center.lib.i18n import N_, both
from center.lib.tokens import hash_token  # noqa: F401  (the signup modules import it from here)

# Age bands asked at signup: (code, lowest age in the band, label). The points rule compares
# its minimum age with the band's lowest age, so a band counts only when all of it qualifies.
AGE_BANDS: tuple[tuple[str, int, str], ...] = (
    ("under_40", 0, N_("Under 40")),
    ("40s", 40, N_("40–49")),
    ("50s", 50, N_("50–59")),
    ("60s", 60, N_("60–64")),
    ("65_74", 65, N_("65–74")),
    ("75_plus", 75, N_("75 or over")),
)
AGE_BAND_FLOOR = {code: floor for code, floor, _ in AGE_BANDS}
RAIN_PLANS = (("postpone", N_("Postpone to the rain date")), ("cancel", N_("Cancel")))
MAX_COMPANIONS = 5
MAX_TEXT = 2000

STATUS_LABELS = {
    "confirmed": N_("Confirmed"),
    "waitlisted": N_("On the waiting list"),
    "cancelled": N_("Cancelled"),
}
DAY_STATUS_LABELS = {
    "planned": N_("Planned"),
    "cancelled": N_("Cancelled"),
    "held": N_("Held"),
}


class SignupRefused(DomainError):
    """A signup that cannot be taken, with the reason in words (Engelsystem-style: never a bare no)."""

    status_code = 409


REFUSALS = {
    "cancelled": N_("This flower-bed day has been cancelled, so signups are closed."),
    "ended": N_("This flower-bed day is over, so signups are closed."),
    "duplicate": N_(
        "You have already signed up for this day. Use the link you received to see or cancel it."
    ),
    "held": N_("This flower-bed day is over, so signups are closed."),
}


def party_size(signup: Mapping[str, Any]) -> int:
    return 1 + int(signup["companions"] or 0)


def contact_key(name: str, phone: str, email: str) -> str:
    """The same person written twice (full-width, spaces, hyphens, case) gives the same key."""
    norm_name = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).lower()
    norm_phone = re.sub(r"\D", "", unicodedata.normalize("NFKC", phone))
    norm_email = unicodedata.normalize("NFKC", email).strip().lower()
    return f"{norm_name}|{norm_phone or norm_email}"[:220]


def public_fields(signup: Mapping[str, Any]) -> dict:
    """A signup for the audit log: no contact details, no token hash."""
    return {
        k: signup[k]
        for k in ("id", "day", "status", "companions", "age_band", "attended", "minutes")
        if k in signup
    }


def day_title(day: Mapping[str, Any]) -> dict[str, str]:
    return both(day, "title")


def default_new_day(day: Mapping[str, Any]) -> date | None:
    rain = day.get("rain_date")
    return rain if rain and rain > day["day"] else None


def clock_text(value: time) -> str:
    return f"{value.hour}:{value.minute:02d}"
