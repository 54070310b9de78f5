"""A group applies (団体登録): the application checked, its members' accounts made, all in one
transaction; rate-limited per address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from center.accounts import audit, throttle
from center.accounts.group_forms import MemberDraft, clean_group, clean_members, member_field, reference
from center.accounts.group_states import PENDING
from center.accounts.passwords import hash_password
from center.accounts.tables import Group, GroupMember, User
from center.accounts.users import (
    USERNAME_TAKEN,
)
from center.lib.db import is_unique_violation, write_transaction
from center.lib.errors import ValidationFailed
from center.lib.settings import get_settings


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
