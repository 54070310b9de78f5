"""Group registration (団体登録): a visitor applies with the group's details and its members'
accounts; a manager reviews, edits, approves, declines, suspends or reinstates it and manages its
members. Members' accounts stay inactive until the group is approved. Every change is one
transaction with its audit line (before and after)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from piccolo.query import OrderByRaw

from center.accounts import audit, throttle
from center.accounts.listing import PAGE_SIZE, Page, contains, normalise, to_katakana
from center.accounts.passwords import hash_password, password_problem
from center.accounts.service import Principal
from center.accounts.tables import Group, GroupMember, User
from center.accounts.users import (
    USERNAME_TAKEN,
    email_problem,
    phone_problem,
    username_format_problem,
)
from center.lib.db import is_unique_violation, write_transaction
from center.lib.errors import Conflict, NotFound, ValidationFailed
from center.lib.i18n import N_
from center.lib.settings import get_settings

PENDING, APPROVED, DECLINED, SUSPENDED = "pending", "approved", "declined", "suspended"
STATUSES = (PENDING, APPROVED, DECLINED, SUSPENDED)
STATUS_LABELS = {
    PENDING: N_("Awaiting review"),
    APPROVED: N_("Approved"),
    DECLINED: N_("Declined"),
    SUSPENDED: N_("Suspended"),
}

REDUCTIONS = ("none", "welfare", "public_interest")
REDUCTION_LABELS = {
    "none": N_("No fee reduction"),
    "welfare": N_("Welfare group (fee reduction)"),
    "public_interest": N_("Public-interest group (fee reduction)"),
}

MAX_MEMBER_ROWS = 5

# decision -> (statuses it applies to, resulting status, reason required)
DECISIONS: dict[str, tuple[tuple[str, ...], str, bool]] = {
    "approve": ((PENDING, DECLINED), APPROVED, False),
    "decline": ((PENDING,), DECLINED, True),
    "suspend": ((APPROVED,), SUSPENDED, True),
    "reinstate": ((SUSPENDED,), APPROVED, True),
}

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


async def submit_application(data: dict[str, Any], *, address: str = "") -> int:
    """Register a group from the public form: the group (pending) and its members' accounts
    (inactive until approval), in one transaction. Returns the group's id. Applications from
    the web are limited per client `address` (TooManySubmissions, with nothing written)."""
    values, errors = clean_group(data)
    drafts, member_errors = await clean_members(data)
    errors.update(member_errors)
    if errors:
        raise ValidationFailed(errors)
    # The limit comes before any user name is looked up (and before hashing: a refused flood
    # should not cost Argon2 time either), so each lookup is a counted submission.
    if address:
        await throttle.check_rate(
            throttle.GROUP_APPLICATION,
            address,
            limit=get_settings().group_applications_per_hour,
            window=timedelta(hours=1),
        )
    # Hash before taking the write lock: Argon2 is deliberately slow.
    hashes = [hash_password(draft.password) for draft in drafts]
    now = datetime.now(UTC)
    try:
        async with write_transaction():
            if taken := await _first_taken(drafts):
                raise ValidationFailed({member_field(taken.row, "username"): USERNAME_TAKEN})
            rows = await Group.insert(
                Group(**values, status=PENDING, applied_at=now, updated_at=now)
            ).returning(Group.id)
            group_id = rows[0]["id"]
            for index, (draft, password_hash) in enumerate(zip(drafts, hashes, strict=True)):
                user_rows = await User.insert(
                    User(
                        username=draft.username,
                        display_name=draft.display_name,
                        email=values["contact_email"] if index == 0 else "",
                        phone=values["contact_phone"] if index == 0 else "",
                        password_hash=password_hash,
                        active=False,
                        created_at=now,
                        password_changed_at=now,
                    )
                ).returning(User.id)
                user_id = user_rows[0]["id"]
                await GroupMember.insert(
                    GroupMember(group=group_id, user=user_id, is_representative=index == 0)
                )
                await audit.record(
                    "create",
                    "user",
                    user_id,
                    after={
                        "username": draft.username,
                        "display_name": draft.display_name,
                        "active": False,
                        "group": reference(group_id),
                    },
                )
            await audit.record(
                "apply",
                "group",
                group_id,
                after={**values, "status": PENDING, "members": [d.username for d in drafts]},
            )
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
        # Another application took a user name between our check and our insert.
        taken = await _first_taken(drafts)
        raise ValidationFailed({member_field(taken.row if taken else 0, "username"): USERNAME_TAKEN}) from exc
    return group_id


async def _first_taken(drafts: list[MemberDraft]) -> MemberDraft | None:
    """The first member row whose user name is taken, or None. Only one is named per
    application, and only after the rate limit counted it, so the public form cannot be used to
    list which user names exist."""
    for draft in drafts:
        if await User.exists().where(User.username == draft.username):
            return draft
    return None


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


async def approved_groups_of(user_id: int) -> list[dict[str, Any]]:
    """The approved groups a member belongs to, with their members."""
    ids = [
        row["group"]
        for row in await GroupMember.select(GroupMember.group).where(
            (GroupMember.user == user_id) & (GroupMember.group.status == APPROVED)
        )
    ]
    if not ids:
        return []
    groups = await Group.select().where(Group.id.is_in(ids)).order_by(Group.name)
    for group in groups:
        group["reference"] = reference(group["id"])
        group["members"] = await members_of(group["id"])
    return groups


def _snapshot(row: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: row[name] for name in names}


async def update_group(group_id: int, data: dict[str, Any], *, actor: Principal) -> None:
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


async def decide(group_id: int, decision: str, reason: str, *, actor: Principal) -> None:
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


async def add_member(group_id: int, username: str, is_representative: bool, *, actor: Principal) -> None:
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


async def remove_member(group_id: int, user_id: int, *, actor: Principal) -> None:
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
