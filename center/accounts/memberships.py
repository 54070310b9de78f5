"""The one reading of "the user's approved groups": the groups a user is a member of whose
registration stands approved, as Group rows by name then id. Every page, form and the principal
read them here (ids included: `approved_group_ids`)."""

from __future__ import annotations

from typing import Any

from center.accounts.group_states import APPROVED
from center.accounts.tables import Group, GroupMember
from center.lib.prepared import Prepared


def _approved_of(user_id: int) -> Any:
    """The one condition: the group stands approved and the user is one of its members."""
    return (Group.status == APPROVED) & Group.id.is_in(
        GroupMember.select(GroupMember.group).where(GroupMember.user == user_id)
    )


async def approved_groups_of(user_id: int) -> list[dict[str, Any]]:
    """The approved groups the user belongs to, as Group rows, by name then id."""
    return await _APPROVED_GROUPS.run(user_id=user_id)


# Read on every signed-in request (load_principal): the ids alone, compiled once (center.lib.prepared).
_APPROVED_IDS = Prepared(
    lambda user_id: Group.select(Group.id).where(_approved_of(user_id)).order_by(Group.id)
)
_APPROVED_GROUPS = Prepared(
    lambda user_id: Group.select().where(_approved_of(user_id)).order_by(Group.name).order_by(Group.id)
)


async def approved_group_ids(user_id: int) -> tuple[int, ...]:
    """The ids of the user's approved groups, ascending (as a principal carries them)."""
    return tuple(row["id"] for row in await _APPROVED_IDS.run(user_id=user_id))
