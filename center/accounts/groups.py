"""Group registration (団体登録): a visitor applies with the group's details and its members'
accounts; a manager reviews, edits, approves, declines, suspends or reinstates it and manages its
members. Members' accounts stay inactive until the group is approved. Every change is one
transaction with its audit line (before and after)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from piccolo.query import OrderByRaw

from center.accounts import audit
from center.accounts.actors import Actor
from center.accounts.group_applications import submit_application  # noqa: F401
from center.accounts.group_forms import (  # noqa: F401
    GROUP_FIELDS,
    MAX_MEMBER_ROWS,
    TOO_LONG,
    clean_group,
    clean_members,
    member_field,
    reference,
)
from center.accounts.group_states import (  # noqa: F401
    APPROVED,
    DECISIONS,
    DECLINED,
    PENDING,
    REDUCTION_LABELS,
    REDUCTIONS,
    STATUS_LABELS,
    STATUSES,
    SUSPENDED,
)
from center.accounts.listing import PAGE_SIZE, Page, contains, normalise, to_katakana
from center.accounts.memberships import approved_groups_of
from center.accounts.tables import Group, GroupMember, User
from center.lib.db import write_transaction
from center.lib.errors import Conflict, NotFound, ValidationFailed
from center.lib.i18n import N_


async def list_groups(status: str = "", query: str = "", page: int = 1) -> Page:
    """Groups by status (all when empty: those awaiting review first) and a search on the name or
    its kana (hiragana and katakana match alike)."""
    select = Group.select(
        Group.id,
        Group.name,
        Group.name_kana,
        Group.representative,
        Group.status,
        Group.reduction,
        Group.applied_at,
        Group.decided_at,
    )
    count = Group.count()
    conditions = []
    if status in STATUSES:
        conditions.append(Group.status == status)
    if query := normalise(query):
        conditions.append(contains(Group.name, query) | contains(Group.name_kana, to_katakana(query)))
    for condition in conditions:
        select = select.where(condition)
        count = count.where(condition)
    total = await count
    result = Page(rows=[], total=total, number=page)
    rows = await (
        select.order_by(OrderByRaw("CASE status WHEN 'pending' THEN 0 ELSE 1 END"))
        .order_by(Group.applied_at, ascending=False)
        .order_by(Group.id, ascending=False)
        .limit(PAGE_SIZE)
        .offset(result.offset)
    )
    counts: dict[int, int] = {}
    if rows:
        for member in await GroupMember.select(GroupMember.group).where(
            GroupMember.group.is_in([row["id"] for row in rows])
        ):
            counts[member["group"]] = counts.get(member["group"], 0) + 1
    for row in rows:
        row["accounts"] = counts.get(row["id"], 0)
        row["reference"] = reference(row["id"])
    result.rows.extend(rows)
    return result


async def status_counts() -> dict[str, int]:
    """How many groups are in each status (for the filter's labels)."""
    counts = dict.fromkeys(STATUSES, 0)
    for row in await Group.select(Group.status):
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return counts


async def get_group(group_id: int) -> dict[str, Any]:
    """One group with every field; NotFound if there is none."""
    row = await Group.select().where(Group.id == group_id).first()
    if row is None:
        raise NotFound(N_("There is no such group."))
    row["reference"] = reference(group_id)
    if row["decided_by"]:
        decider = await User.select(User.display_name).where(User.id == row["decided_by"]).first()
        row["decided_by_name"] = decider["display_name"] if decider else ""
    else:
        row["decided_by_name"] = ""
    return row


async def members_of(group_id: int) -> list[dict[str, Any]]:
    """The group's member accounts, representative first."""
    return await (
        GroupMember.select(
            GroupMember.user.as_alias("user_id"),
            GroupMember.user.username.as_alias("username"),
            GroupMember.user.display_name.as_alias("display_name"),
            GroupMember.user.active.as_alias("active"),
            GroupMember.is_representative,
        )
        .where(GroupMember.group == group_id)
        .order_by(GroupMember.is_representative, ascending=False)
        .order_by(GroupMember.id)
    )


async def approved_groups_with_members(user_id: int) -> list[dict[str, Any]]:
    """The approved groups a member belongs to (by name then id), with their members."""
    groups = await approved_groups_of(user_id)
    for group in groups:
        group["reference"] = reference(group["id"])
        group["members"] = await members_of(group["id"])
    return groups


async def group_names(group_ids: Iterable[int]) -> dict[int, str]:
    """Each of these groups' name by its id; ids of no group are left out."""
    ids = list(group_ids)
    if not ids:
        return {}
    rows = await Group.select(Group.id, Group.name).where(Group.id.is_in(ids))
    return {row["id"]: row["name"] for row in rows}


def _snapshot(row: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: row[name] for name in names}


async def update_group(group_id: int, data: dict[str, Any], *, actor: Actor) -> None:
    """A manager corrects a group's details (same rules as the application)."""
    values, errors = clean_group(data)
    if errors:
        raise ValidationFailed(errors)
    async with write_transaction():
        before = (
            await Group.select(*[Group._meta.get_column_by_name(n) for n in GROUP_FIELDS])
            .where(Group.id == group_id)
            .first()
        )
        if before is None:
            raise NotFound(N_("There is no such group."))
        changed_before = {k: v for k, v in before.items() if values[k] != v}
        if not changed_before:
            return
        await Group.update({**values, "updated_at": datetime.now(UTC)}).where(Group.id == group_id)
        await audit.record(
            "update",
            "group",
            group_id,
            actor=actor,
            before=changed_before,
            after={k: values[k] for k in changed_before},
        )


DECISION_FIELDS = ("status", "decision_reason", "decided_at", "decided_by")


async def decide(group_id: int, decision: str, reason: str, *, actor: Actor) -> None:
    """Approve, decline, suspend or reinstate a group, recording when, by whom and why. Approving
    activates the members' accounts; the other decisions leave accounts as they are (a suspended
    group's members simply lose the member role through that group)."""
    if decision not in DECISIONS:
        raise NotFound()
    allowed, new_status, reason_required = DECISIONS[decision]
    reason = reason.strip()
    if reason_required and not reason:
        raise ValidationFailed({"reason": N_("Enter the reason; the group will be told it.")})
    if len(reason) > 2000:
        raise ValidationFailed({"reason": TOO_LONG[2000]})
    now = datetime.now(UTC)
    async with write_transaction():
        before = (
            await Group.select(*[Group._meta.get_column_by_name(n) for n in DECISION_FIELDS])
            .where(Group.id == group_id)
            .first()
        )
        if before is None:
            raise NotFound(N_("There is no such group."))
        after = {"status": new_status, "decision_reason": reason, "decided_at": now, "decided_by": actor.id}
        updated = (
            await Group.update({**after, "updated_at": now})
            .where((Group.id == group_id) & Group.status.is_in(list(allowed)))
            .returning(Group.id)
        )
        if not updated:
            raise Conflict(N_("This decision does not apply to the group's current status."))
        await audit.record(decision, "group", group_id, actor=actor, before=before, after=after, note=reason)
        if decision == "approve":
            member_ids = [m["user_id"] for m in await members_of(group_id)]
            inactive = [
                row["id"]
                for row in await User.select(User.id).where(
                    User.id.is_in(member_ids or [-1]) & (User.active == False)
                )
            ]
            if inactive:
                await User.update({User.active: True}).where(User.id.is_in(inactive))
            for user_id in inactive:
                await audit.record(
                    "activate",
                    "user",
                    user_id,
                    actor=actor,
                    before={"active": False},
                    after={"active": True},
                    note=reference(group_id),
                )


async def add_member(group_id: int, username: str, is_representative: bool, *, actor: Actor) -> None:
    """Add an existing account to the group. Naming a new representative replaces the old one."""
    username = username.strip()
    await get_group(group_id)
    user = await User.select(User.id).where(User.username == username).first() if username else None
    if user is None:
        raise ValidationFailed({"username": N_("There is no account with that user name.")})
    async with write_transaction():
        if await GroupMember.exists().where(
            (GroupMember.group == group_id) & (GroupMember.user == user["id"])
        ):
            raise ValidationFailed({"username": N_("That account is already a member of this group.")})
        if is_representative:
            await GroupMember.update({GroupMember.is_representative: False}).where(
                GroupMember.group == group_id
            )
        await GroupMember.insert(
            GroupMember(group=group_id, user=user["id"], is_representative=is_representative)
        )
        await Group.update({Group.updated_at: datetime.now(UTC)}).where(Group.id == group_id)
        await audit.record(
            "add_member",
            "group",
            group_id,
            actor=actor,
            after={"member": username, "is_representative": is_representative},
        )


async def remove_member(group_id: int, user_id: int, *, actor: Actor) -> None:
    """Take an account out of the group (the account itself stays). A group keeps at least one
    member account, or nobody could book for it."""
    async with write_transaction():
        members = await members_of(group_id)
        member = next((m for m in members if m["user_id"] == user_id), None)
        if member is None:
            raise NotFound(N_("That account is not a member of this group."))
        if len(members) == 1:
            raise Conflict(N_("A group needs at least one member account."))
        await GroupMember.delete().where((GroupMember.group == group_id) & (GroupMember.user == user_id))
        await Group.update({Group.updated_at: datetime.now(UTC)}).where(Group.id == group_id)
        await audit.record(
            "remove_member",
            "group",
            group_id,
            actor=actor,
            before={"member": member["username"], "is_representative": member["is_representative"]},
        )
