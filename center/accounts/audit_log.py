"""Reading the audit log: filtered, paged searches, one record's history, and the changed fields of
an entry (field, before, after) for people to read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from center.accounts.listing import PAGE_SIZE, Page
from center.accounts.tables import AuditEntry
from center.lib.dates import local_day_bounds
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_

NO_ACTOR = "none"  # filter value for entries written by a visitor or by the system

ACTION_LABELS = {
    "apply": N_("Applied for registration"),
    "create": N_("Created"),
    "update": N_("Changed details"),
    "approve": N_("Approved"),
    "decline": N_("Declined"),
    "suspend": N_("Suspended"),
    "reinstate": N_("Reinstated"),
    "add_member": N_("Added a member"),
    "remove_member": N_("Removed a member"),
    "activate": N_("Activated the account"),
    "deactivate": N_("Deactivated the account"),
    "set_roles": N_("Changed roles"),
    "reset_password": N_("Reset the password"),
    "change_password": N_("Changed own password"),
}

ENTITY_LABELS = {
    "group": N_("Group"),
    "user": N_("Account"),
}

FIELD_LABELS = {
    "name": N_("Group name"),
    "name_kana": N_("Name in kana"),
    "representative": N_("Representative"),
    "contact_phone": N_("Contact phone"),
    "contact_email": N_("Contact e-mail"),
    "address": N_("Address"),
    "activity": N_("Activities"),
    "member_count": N_("Approximate number of members"),
    "reduction": N_("Fee reduction"),
    "in_city": N_("Based in Tomakomai"),
    "commercial": N_("Commercial use"),
    "status": N_("Status"),
    "decision_reason": N_("Reason"),
    "decided_at": N_("Decided on"),
    "decided_by": N_("Decided by (account number)"),
    "members": N_("Member accounts"),
    "member": N_("Member"),
    "is_representative": N_("Representative's account"),
    "username": N_("User name"),
    "display_name": N_("Name"),
    "email": N_("E-mail"),
    "phone": N_("Phone"),
    "active": N_("Active"),
    "roles": N_("Roles"),
    "group": N_("Group"),
}


@dataclass(frozen=True)
class Change:
    """One field of an audit entry: its value before and after (None when absent)."""

    field: str
    before: Any
    after: Any


def changes(before: Any, after: Any) -> list[Change]:
    """The fields an entry changed. When both sides are records, only the fields that differ;
    when one side is missing (a creation or a removal), every field of the other side."""
    if before is None and after is None:
        return []
    if isinstance(before, dict) or isinstance(after, dict):
        old = before if isinstance(before, dict) else {}
        new = after if isinstance(after, dict) else {}
        both = isinstance(before, dict) and isinstance(after, dict)
        found = []
        for field in [*old, *(k for k in new if k not in old)]:
            if both and old.get(field) == new.get(field):
                continue
            found.append(Change(field, old.get(field), new.get(field)))
        return found
    return [] if before == after else [Change("value", before, after)]


def _row_with_changes(row: dict[str, Any]) -> dict[str, Any]:
    row["changes"] = changes(row["before"], row["after"])
    return row


def _parse_day(value: str, field: str, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[field] = N_("Enter a date like 2026-11-26.")
        return None


async def search(
    *,
    entity: str = "",
    entity_id: str = "",
    action: str = "",
    actor: str = "",
    date_from: str = "",
    date_to: str = "",
    page: int = 1,
) -> Page:
    """Entries newest first, filtered by what they are about, the action, who did it and the
    Tokyo calendar days [date_from, date_to]. Bad filter values raise ValidationFailed."""
    errors: dict[str, str] = {}
    first = _parse_day(date_from.strip(), "date_from", errors)
    last = _parse_day(date_to.strip(), "date_to", errors)
    if first and last and first > last:
        errors["date_to"] = N_("The end date must not be before the start date.")
    actor = actor.strip()
    if actor and actor != NO_ACTOR and not actor.isdigit():
        errors["actor"] = N_("Choose someone from the list.")
    if errors:
        raise ValidationFailed(errors)

    conditions = []
    if entity:
        conditions.append(AuditEntry.entity == entity)
    if entity_id.strip():
        conditions.append(AuditEntry.entity_id == entity_id.strip())
    if action:
        conditions.append(AuditEntry.action == action)
    if actor == NO_ACTOR:
        conditions.append(AuditEntry.actor_id.is_null())
    elif actor:
        conditions.append(AuditEntry.actor_id == int(actor))
    if first:
        conditions.append(AuditEntry.at >= local_day_bounds(first)[0])
    if last:
        conditions.append(AuditEntry.at < local_day_bounds(last)[1])

    select = AuditEntry.select().output(load_json=True)
    count = AuditEntry.count()
    for condition in conditions:
        select = select.where(condition)
        count = count.where(condition)
    result = Page(rows=[], total=await count, number=page)
    rows = await (
        select.order_by(AuditEntry.at, ascending=False)
        .order_by(AuditEntry.id, ascending=False)
        .limit(PAGE_SIZE)
        .offset(result.offset)
    )
    result.rows.extend(_row_with_changes(row) for row in rows)
    return result


async def history(entity: str, entity_id: Any, limit: int = 100) -> list[dict[str, Any]]:
    """The latest entries about one record, newest first."""
    rows = await (
        AuditEntry.select()
        .output(load_json=True)
        .where((AuditEntry.entity == entity) & (AuditEntry.entity_id == str(entity_id)))
        .order_by(AuditEntry.at, ascending=False)
        .order_by(AuditEntry.id, ascending=False)
        .limit(limit)
    )
    return [_row_with_changes(row) for row in rows]


async def filter_choices() -> dict[str, list[Any]]:
    """The entities, actions and actors that appear in the log, for the filter's lists."""
    entities = [
        r["entity"] for r in await AuditEntry.select(AuditEntry.entity).distinct().order_by(AuditEntry.entity)
    ]
    actions = [
        r["action"] for r in await AuditEntry.select(AuditEntry.action).distinct().order_by(AuditEntry.action)
    ]
    actors: dict[int, str] = {}
    for row in (
        await AuditEntry.select(AuditEntry.actor_id, AuditEntry.actor_name)
        .distinct()
        .where(AuditEntry.actor_id.is_not_null())
    ):
        actors.setdefault(row["actor_id"], row["actor_name"])
    return {
        "entities": entities,
        "actions": actions,
        "actors": sorted(actors.items(), key=lambda item: (item[1], item[0])),
    }
