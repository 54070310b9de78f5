"""A group's application form checked: its fields, readings in katakana, and up to five members
with their accounts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from center.accounts.group_states import REDUCTIONS
from center.accounts.listing import normalise, to_katakana
from center.accounts.passwords import password_problem
from center.accounts.users import (
    email_problem,
    phone_problem,
    username_format_problem,
)
from center.lib.i18n import N_

MAX_MEMBER_ROWS = 5

GROUP_FIELDS = (
    "name",
    "name_kana",
    "representative",
    "contact_phone",
    "contact_email",
    "address",
    "activity",
    "member_count",
    "reduction",
    "in_city",
    "commercial",
)

KANA_RE = re.compile(r"^[\u30a1-\u30fa\u30fc\u30fb\u30fd\u30fe ]+$")
TOO_LONG = {
    120: N_("Use at most 120 characters."),
    200: N_("Use at most 200 characters."),
    300: N_("Use at most 300 characters."),
    2000: N_("Use at most 2000 characters."),
}


def reference(group_id: int) -> str:
    """The reference number an applicant quotes: G-000123."""
    return f"G-{group_id:06d}"


def _yes_no(value: Any) -> bool | None:
    text = str(value or "").strip().lower()
    if text in {"yes", "1", "true", "on"}:
        return True
    if text in {"no", "0", "false", "off"}:
        return False
    return None


def clean_group(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The group's fields from a form, normalised (full-width digits, ふりがな as katakana), and
    the problems found, as field -> English msgid."""
    text = {name: normalise(str(data.get(name, "") or "")) for name in GROUP_FIELDS}
    text["activity"] = str(data.get("activity", "") or "").strip()
    errors: dict[str, str] = {}

    def required(name: str, message: str, limit: int) -> None:
        if not text[name]:
            errors[name] = message
        elif len(text[name]) > limit:
            errors[name] = TOO_LONG[limit]

    required("name", N_("Enter the group's name."), 200)
    required("representative", N_("Enter the representative's name."), 120)
    required("address", N_("Enter the group's address."), 300)
    required("activity", N_("Describe what the group does."), 2000)

    kana = to_katakana(re.sub(r"\s+", " ", text["name_kana"]))
    if not kana:
        errors["name_kana"] = N_("Enter the group's name in kana.")
    elif len(kana) > 200:
        errors["name_kana"] = TOO_LONG[200]
    elif not KANA_RE.match(kana):
        errors["name_kana"] = N_("Write the name in hiragana or katakana only.")

    if problem := phone_problem(text["contact_phone"], required=True):
        errors["contact_phone"] = problem
    if problem := email_problem(text["contact_email"]):
        errors["contact_email"] = problem

    member_count = 0
    if not text["member_count"]:
        errors["member_count"] = N_("Enter the approximate number of members.")
    elif not text["member_count"].isdigit() or not 1 <= int(text["member_count"]) <= 9999:
        errors["member_count"] = N_("Enter a whole number from 1 to 9999.")
    else:
        member_count = int(text["member_count"])

    reduction = text["reduction"] or "none"
    if reduction not in REDUCTIONS:
        errors["reduction"] = N_("Choose one of the options.")
    in_city = _yes_no(text["in_city"])
    if in_city is None:
        errors["in_city"] = N_("Choose whether the group is based in Tomakomai.")
    commercial = _yes_no(text["commercial"])
    if commercial is None:
        errors["commercial"] = N_("Choose whether the rooms will be used for commercial purposes.")
    elif commercial and reduction != "none" and "reduction" not in errors:
        errors["reduction"] = N_("Commercial use cannot receive a fee reduction.")

    values = {
        "name": text["name"],
        "name_kana": kana,
        "representative": text["representative"],
        "contact_phone": text["contact_phone"],
        "contact_email": text["contact_email"],
        "address": text["address"],
        "activity": text["activity"],
        "member_count": member_count,
        "reduction": reduction,
        "in_city": bool(in_city),
        "commercial": bool(commercial),
    }
    # In the order of the form, so the error summary reads top to bottom.
    return values, {name: errors[name] for name in GROUP_FIELDS if name in errors}


@dataclass(frozen=True)
class MemberDraft:
    """One member account requested in an application."""

    row: int
    username: str
    display_name: str
    password: str


def member_field(row: int, name: str) -> str:
    return f"member{row}_{name}"


async def clean_members(data: dict[str, Any]) -> tuple[list[MemberDraft], dict[str, str]]:
    """The member accounts from the application's rows. The first row (the representative's
    account) is required; a later row counts when any of its fields is filled. Whether a name is
    taken is not looked at here: see `_first_taken`."""
    drafts: list[MemberDraft] = []
    errors: dict[str, str] = {}
    seen: set[str] = set()
    for row in range(MAX_MEMBER_ROWS):
        field = {
            name: member_field(row, name) for name in ("username", "display_name", "password", "confirm")
        }
        username = str(data.get(field["username"], "") or "").strip()
        display_name = str(data.get(field["display_name"], "") or "").strip()
        password = str(data.get(field["password"], "") or "")
        confirm = str(data.get(field["confirm"], "") or "")
        if row > 0 and not (username or display_name or password or confirm):
            continue
        if problem := username_format_problem(username):
            errors[field["username"]] = problem
        elif username in seen:
            errors[field["username"]] = N_("Each member needs a different user name.")
        seen.add(username)
        if not display_name:
            errors[field["display_name"]] = N_("Enter a name.")
        elif len(display_name) > 120:
            errors[field["display_name"]] = TOO_LONG[120]
        if problem := password_problem(password, username):
            errors[field["password"]] = problem
        elif password != confirm:
            errors[field["confirm"]] = N_("The two passwords differ.")
        drafts.append(MemberDraft(row, username, display_name, password))
    return drafts, errors
