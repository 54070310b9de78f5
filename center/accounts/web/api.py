"""JSON API for accounts and groups: who am I, and the manager's view of registered groups."""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery

from center.accounts import groups
from center.accounts.guards import requires_login, requires_manager
from center.accounts.listing import page_number


class Me(msgspec.Struct):
    """The signed-in account."""

    id: int
    username: str
    display_name: str
    roles: list[str]
    group_ids: list[int]


class GroupSummary(msgspec.Struct):
    """A registered group as listed."""

    id: int
    reference: str
    name: str
    name_kana: str
    representative: str
    status: str
    reduction: str
    accounts: int
    applied_at: datetime
    decided_at: datetime | None


class GroupMemberOut(msgspec.Struct):
    user_id: int
    username: str
    display_name: str
    active: bool
    is_representative: bool


class GroupDetail(msgspec.Struct):
    """A registered group with every field and its member accounts."""

    id: int
    reference: str
    name: str
    name_kana: str
    representative: str
    contact_phone: str
    contact_email: str
    address: str
    activity: str
    member_count: int
    reduction: str
    in_city: bool
    commercial: bool
    status: str
    decision_reason: str
    decided_at: datetime | None
    decided_by: int | None
    applied_at: datetime
    updated_at: datetime
    members: list[GroupMemberOut]


class GroupPage(msgspec.Struct):
    """One page (50 groups) of a group search."""

    total: int
    page: int
    pages: int
    groups: list[GroupSummary]


class MeApiController(Controller):
    """The signed-in account."""

    path = "/api/me"
    guards = (requires_login,)

    @get("/", name="accounts:api_me")
    async def me(self, request: Request) -> Me:
        """The signed-in account: id, names, roles and approved groups."""
        principal = request.user
        return Me(
            id=principal.id,
            username=principal.username,
            display_name=principal.display_name,
            roles=sorted(principal.roles),
            group_ids=list(principal.group_ids),
        )


class GroupApiController(Controller):
    """The manager's view of registered groups."""

    path = "/api/groups"
    guards = (requires_manager,)

    @get("/", name="accounts:api_groups")
    async def list_groups(
        self, status: FromQuery[str] = "", q: FromQuery[str] = "", page: FromQuery[str] = "1"
    ) -> GroupPage:
        """Registered groups (those awaiting review first), filtered by status and name or kana."""
        found = await groups.list_groups(status, q, page_number(page))
        return GroupPage(
            total=found.total,
            page=found.number,
            pages=found.pages,
            groups=[
                GroupSummary(
                    id=row["id"],
                    reference=row["reference"],
                    name=row["name"],
                    name_kana=row["name_kana"],
                    representative=row["representative"],
                    status=row["status"],
                    reduction=row["reduction"],
                    accounts=row["accounts"],
                    applied_at=row["applied_at"],
                    decided_at=row["decided_at"],
                )
                for row in found.rows
            ],
        )

    @get("/{group_id:int}", name="accounts:api_group")
    async def group_detail(self, group_id: FromPath[int]) -> GroupDetail:
        """One registered group with its member accounts."""
        group = await groups.get_group(group_id)
        members = await groups.members_of(group_id)
        fields = {name: group[name] for name in GroupDetail.__struct_fields__ if name != "members"}
        return GroupDetail(**fields, members=[GroupMemberOut(**member) for member in members])


ROUTES = [MeApiController, GroupApiController]
