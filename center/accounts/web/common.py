"""What the accounts pages share: labels, form values, errors per field, the page context."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from center.accounts import audit_log, groups
from center.accounts.roles import ROLE_LABELS, STAFF_ROLES
from center.lib import dates
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_, gettext

APPLIED_KEY = "applied_group"
DECISION_DONE = {
    "approve": N_("The group was approved. Its members can now log in."),
    "decline": N_("The application was declined."),
    "suspend": N_("The group was suspended."),
    "reinstate": N_("The group was reinstated."),
}


# ---- display helpers shared by the templates ------------------------------------------------


def show_value(field: str, value: Any) -> str:
    """An audit value as people read it: labels for known codes, dates in the user's form."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if field == "status" and value in groups.STATUS_LABELS:
        return gettext(groups.STATUS_LABELS[value])
    if field == "reduction" and value in groups.REDUCTION_LABELS:
        return gettext(groups.REDUCTION_LABELS[value])
    if field == "roles" and isinstance(value, list):
        return "、".join(gettext(ROLE_LABELS.get(role, role)) for role in value) or "—"
    if isinstance(value, list):
        return ", ".join(show_value(field, item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {show_value(key, item)}" for key, item in value.items())
    if isinstance(value, str) and len(value) >= 16 and value[4:5] == "-" and value[10:11] == "T":
        try:
            return dates.format_datetime(datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-":
        try:
            return dates.format_date(date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def label_of(table: dict[str, str], key: str) -> str:
    return gettext(table[key]) if key in table else key


def page_context(**extra: Any) -> dict[str, Any]:
    return {
        "status_label": lambda s: label_of(groups.STATUS_LABELS, s),
        "reduction_label": lambda r: label_of(groups.REDUCTION_LABELS, r),
        "action_label": lambda a: label_of(audit_log.ACTION_LABELS, a),
        "entity_label": lambda e: label_of(audit_log.ENTITY_LABELS, e),
        "field_label": lambda f: label_of(audit_log.FIELD_LABELS, f),
        "show_value": show_value,
        "statuses": groups.STATUSES,
        "reductions": groups.REDUCTIONS,
        "staff_roles": STAFF_ROLES,
        "role_options": [(role, gettext(ROLE_LABELS[role])) for role in STAFF_ROLES],
        **extra,
    }


def field_errors(exc: ValidationFailed, rename: dict[str, str] | None = None) -> dict[str, str]:
    """Field -> message in the user's language, with field names mapped to the ids on the page."""
    rename = rename or {}
    return {rename.get(field, field): gettext(message) for field, message in exc.errors.items()}


def text_field(data: dict[str, Any], name: str) -> str:
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value or "")


def form_values(data: dict[str, Any]) -> dict[str, str]:
    """What to put back in a re-rendered form: everything except passwords."""
    return {
        key: text_field(data, key)
        for key in data
        if not key.startswith("_") and "password" not in key and "confirm" not in key
    }


def group_form_values(group: dict[str, Any]) -> dict[str, str]:
    values = {name: str(group[name]) for name in groups.GROUP_FIELDS}
    values["in_city"] = "yes" if group["in_city"] else "no"
    values["commercial"] = "yes" if group["commercial"] else "no"
    return values


# ---- group registration (visitors) ----------------------------------------------------------
