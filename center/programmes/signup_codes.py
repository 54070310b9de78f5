"""Finding a flower-bed signup by its short code, for a volunteer who closed the page of their
private link, or phoned the desk. A volunteer proves the signup is theirs with the code and the
last four digits of the phone number they gave; a wrong code and wrong digits get the same
answer, so the page never tells a guesser which half was right, and attempts are limited per
client address by the shared rate limit. Staff at the desk find a signup by its code alone."""

from __future__ import annotations

import hmac
import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from center.accounts import throttle
from center.lib import codes
from center.lib.errors import DomainError, NotFound, ValidationFailed
from center.lib.i18n import N_
from center.lib.settings import get_settings
from center.places import forms
from center.programmes import flowerbeds
from center.programmes.tables import FlowerbedSignup

FLOWERBED_LOOKUP = "flowerbeds.lookup"  # the rate limit's bucket (center/accounts/throttle.py)

MSG_DIGITS = N_("Enter the last four digits of the phone number you gave when you signed up, e.g. 7111.")
MSG_NO_MATCH = N_(
    "No signup matches that code and those phone digits. Please check both, or call the center."
)
MSG_STAFF_NOT_FOUND = N_("No signup has that code. Please check it with the caller.")


class NoMatch(DomainError):
    """The code and the phone digits do not belong to one signup (never says which is wrong)."""

    status_code = 404
    message = MSG_NO_MATCH


def last_four(phone: str) -> str:
    """The last four digits of a phone number as written (full-width digits count)."""
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", phone or ""))[-4:]


def parse_lookup(data: Mapping[str, Any]) -> tuple[str, str]:
    """The code (shown form) and the four digits from a form; ValidationFailed names each bad field."""
    errors = forms.FieldErrors()
    code = ""
    try:
        code = codes.parse(forms.text(data, "code", 40))
    except codes.CodeInvalid as invalid:
        errors.add("code", invalid.message)
    digits = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", forms.text(data, "digits", 20)))
    if not re.fullmatch(r"[0-9]{4}", digits):
        errors.add("digits", MSG_DIGITS)
    if errors:
        raise ValidationFailed(dict(errors))
    return code, digits


async def find_signup(
    code: str, digits: str, *, address: str = "", now: datetime | None = None
) -> tuple[dict, dict]:
    """The signup and its day for a code and the phone's last four digits, or NoMatch. Attempts
    from the web count against the client address (TooManySubmissions past the limit)."""
    if address:
        await throttle.check_rate(
            FLOWERBED_LOOKUP,
            address,
            limit=get_settings().flowerbed_lookups_per_hour,
            window=timedelta(hours=1),
            now=now,
        )
    signup = await FlowerbedSignup.select().where(FlowerbedSignup.code == code).first()
    expected = last_four(signup["phone"]) if signup else ""
    # Compared in constant time; a signup without a phone number cannot be found this way.
    if signup is None or len(expected) != 4 or not hmac.compare_digest(expected, digits):
        raise NoMatch()
    return signup, await flowerbeds.get_day(signup["day"])


async def cancel_with_code(code: str, digits: str, *, address: str = "") -> dict:
    """Cancel the signup a volunteer proved theirs; returns it (as it was before)."""
    signup, _day = await find_signup(code, digits, address=address)
    await flowerbeds.cancel_signup_by_id(signup["id"])
    return signup


async def staff_find(raw_code: str) -> tuple[dict, dict]:
    """The signup and its day for a code read out to the desk (any formatting), or an error on
    the "code" field."""
    try:
        code = codes.parse(raw_code)
    except codes.CodeInvalid as invalid:
        raise ValidationFailed({"code": invalid.message}) from None
    signup = await FlowerbedSignup.select().where(FlowerbedSignup.code == code).first()
    if signup is None:
        raise NotFound(MSG_STAFF_NOT_FOUND)
    return signup, await flowerbeds.get_day(signup["day"])
