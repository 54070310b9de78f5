"""Account administration by managers: list and find accounts, create staff and member accounts,
edit profiles and roles, activate or deactivate, reset passwords. Every change is one transaction
with its audit line."""

from __future__ import annotations

import re
from typing import Any

from center.accounts import audit
from center.accounts import service as accounts
from center.accounts.actors import Actor
from center.accounts.listing import PAGE_SIZE, Page, contains, normalise
from center.accounts.passwords import password_problem
from center.accounts.roles import MANAGER, STAFF_ROLES
from center.accounts.tables import Group, GroupMember, User, UserRole
from center.lib.db import write_transaction
from center.lib.errors import NotFound, ValidationFailed
from center.lib.i18n import N_

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_CHARS_RE = re.compile(r"^[0-9()+\- ]+$")

USERNAME_FORMAT = N_("Use 1 to 80 letters, digits or symbols, without spaces.")
USERNAME_TAKEN = N_("That user name is already taken.")


def username_format_problem(username: str) -> str | None:
    """Why a user name is malformed (the same rule as create_user), or None."""
    if not username or len(username) > 80 or not username.isascii() or " " in username:
        return USERNAME_FORMAT
    return None


async def username_problem(username: str) -> str | None:
    """Why a new user name cannot be used (malformed or taken), or None."""
    if problem := username_format_problem(username):
        return problem
    if await User.exists().where(User.username == username):
        return USERNAME_TAKEN
    return None


def email_problem(email: str, *, required: bool = False) -> str | None:
    if not email:
        return N_("Enter an e-mail address.") if required else None
    if len(email) > 200 or not EMAIL_RE.match(email):
        return N_("Enter an e-mail address like name@example.jp.")
    return None


def phone_problem(phone: str, *, required: bool = False) -> str | None:
    """Japanese numbers have 10 digits (landlines, e.g. 0144-32-0000) or 11 (mobiles)."""
    if not phone:
        return N_("Enter a phone number.") if required else None
    digits = sum(ch.isdigit() for ch in phone)
    if not PHONE_CHARS_RE.match(phone) or not 10 <= digits <= 11 or len(phone) > 40:
        return N_("Enter a phone number with 10 or 11 digits, e.g. 0144-32-0000.")
    return None


def as_list(value: Any) -> list[str]:
    """Form values that may repeat (checkboxes) as a list of strings."""
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


async def _roles_by_user(user_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {uid: [] for uid in user_ids}
    if user_ids:
        for row in await UserRole.select(UserRole.user, UserRole.role).where(UserRole.user.is_in(user_ids)):
            found[row["user"]].append(row["role"])
    return {uid: sorted(roles, key=STAFF_ROLES.index) for uid, roles in found.items()}


async def _groups_by_user(user_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {uid: [] for uid in user_ids}
    if user_ids:
        rows = await (
            GroupMember.select(
                GroupMember.user,
                GroupMember.group.as_alias("group_id"),
                GroupMember.group.name.as_alias("name"),
                GroupMember.group.status.as_alias("status"),
                GroupMember.is_representative,
            )
            .where(GroupMember.user.is_in(user_ids))
            .order_by(GroupMember.group)
        )
        for row in rows:
            found[row["user"]].append(row)
    return found


async def list_users(query: str = "", role: str = "", page: int = 1) -> Page:
    """Accounts matching a search on user name, name or e-mail, optionally with one role
    ("member" means belonging to any group), by user name."""
    select = User.select(
        User.id, User.username, User.display_name, User.email, User.active, User.last_login_at
    )
    count = User.count()
    conditions = []
    if query := normalise(query):
        conditions.append(
            contains(User.username, query) | contains(User.display_name, query) | contains(User.email, query)
        )
    if role in STAFF_ROLES:
        holders = [r["user"] for r in await UserRole.select(UserRole.user).where(UserRole.role == role)]
        conditions.append(User.id.is_in(holders or [-1]))
    elif role == "member":
        members = [r["user"] for r in await GroupMember.select(GroupMember.user).distinct()]
        conditions.append(User.id.is_in(members or [-1]))
    for condition in conditions:
        select = select.where(condition)
        count = count.where(condition)
    total = await count
    result = Page(rows=[], total=total, number=page)
    rows = await select.order_by(User.username).limit(PAGE_SIZE).offset(result.offset)
    ids = [row["id"] for row in rows]
    roles = await _roles_by_user(ids)
    groups = await _groups_by_user(ids)
    for row in rows:
        row["roles"] = roles[row["id"]]
        row["groups"] = groups[row["id"]]
    result.rows.extend(rows)
    return result


async def get_user(user_id: int) -> dict[str, Any]:
    """One account with its staff roles and groups; NotFound if there is none."""
    row = (
        await User.select(
            User.id,
            User.username,
            User.display_name,
            User.email,
            User.phone,
            User.active,
            User.language,
            User.created_at,
            User.password_changed_at,
            User.last_login_at,
        )
        .where(User.id == user_id)
        .first()
    )
    if row is None:
        raise NotFound(N_("There is no such account."))
    row["roles"] = (await _roles_by_user([user_id]))[user_id]
    row["groups"] = (await _groups_by_user([user_id]))[user_id]
    return row


def _profile_values(data: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    values = {
        "display_name": str(data.get("display_name", "")).strip(),
        "email": normalise(str(data.get("email", ""))),
        "phone": normalise(str(data.get("phone", ""))),
    }
    errors: dict[str, str] = {}
    if not values["display_name"]:
        errors["display_name"] = N_("Enter a name.")
    elif len(values["display_name"]) > 120:
        errors["display_name"] = N_("Use at most 120 characters.")
    if problem := email_problem(values["email"]):
        errors["email"] = problem
    if problem := phone_problem(values["phone"]):
        errors["phone"] = problem
    return values, errors


async def create_account(data: dict[str, Any], *, actor: Actor) -> int:
    """Create a staff or member account from the manager's form: user name, name, e-mail, phone,
    password twice, staff roles, and optionally a group to join. One transaction."""
    username = str(data.get("username", "")).strip()
    password = str(data.get("password", ""))
    roles = as_list(data.get("roles"))
    values, errors = _profile_values(data)
    if problem := await username_problem(username):
        errors["username"] = problem
    if problem := password_problem(password, username):
        errors["password"] = problem
    elif password != str(data.get("confirm", "")):
        errors["confirm"] = N_("The two passwords differ.")
    if any(role not in STAFF_ROLES for role in roles):
        errors["roles"] = N_("Unknown role.")
    group_id = None
    if raw_group := str(data.get("group", "")).strip():
        group_id = int(raw_group) if raw_group.isdigit() else -1
        if not await Group.exists().where(Group.id == group_id):
            errors["group"] = N_("Choose a group from the list.")
    if errors:
        raise ValidationFailed(errors)
    async with write_transaction():
        user_id = await accounts.create_user(
            username,
            values["display_name"],
            password,
            roles,
            email=values["email"],
            phone=values["phone"],
            actor=actor,
        )
        if group_id is not None:
            await GroupMember.insert(GroupMember(group=group_id, user=user_id, is_representative=False))
            await audit.record(
                "add_member",
                "group",
                group_id,
                actor=actor,
                after={"member": username, "is_representative": False},
            )
    return user_id


async def update_profile(user_id: int, data: dict[str, Any], *, actor: Actor) -> None:
    """Change an account's name, e-mail and phone."""
    values, errors = _profile_values(data)
    if errors:
        raise ValidationFailed(errors)
    async with write_transaction():
        before = (
            await User.select(User.display_name, User.email, User.phone).where(User.id == user_id).first()
        )
        if before is None:
            raise NotFound(N_("There is no such account."))
        await User.update(values).where(User.id == user_id)
        await audit.record("update", "user", user_id, actor=actor, before=before, after=values)


async def change_roles(user_id: int, roles: list[str], *, actor: Actor) -> None:
    """Replace an account's staff roles. A manager may not take away their own manager role (so
    nobody locks themselves out by accident)."""
    roles = list(dict.fromkeys(roles))
    if any(role not in STAFF_ROLES for role in roles):
        raise ValidationFailed({"roles": N_("Unknown role.")})
    await get_user(user_id)
    if user_id == actor.id and MANAGER not in roles:
        raise ValidationFailed({"roles": N_("You cannot remove your own manager role.")})
    await accounts.set_roles(user_id, roles, actor=actor)


async def set_active(user_id: int, active: bool, *, actor: Actor) -> None:
    """Activate or deactivate an account. A deactivated account cannot log in and is signed out on
    its next request; a manager may not deactivate themselves."""
    if user_id == actor.id and not active:
        raise ValidationFailed({"active": N_("You cannot deactivate your own account.")})
    async with write_transaction():
        row = await User.select(User.active).where(User.id == user_id).first()
        if row is None:
            raise NotFound(N_("There is no such account."))
        if row["active"] == active:
            return
        await User.update({User.active: active}).where(User.id == user_id)
        await audit.record(
            "activate" if active else "deactivate",
            "user",
            user_id,
            actor=actor,
            before={"active": row["active"]},
            after={"active": active},
        )


async def reset_password(user_id: int, password: str, confirm: str, *, actor: Actor) -> None:
    """A manager sets a new password for someone (told to them in person or by phone)."""
    user = await get_user(user_id)
    if problem := password_problem(password, user["username"]):
        raise ValidationFailed({"password": problem})
    if password != confirm:
        raise ValidationFailed({"confirm": N_("The two passwords differ.")})
    await accounts.reset_password(user_id, password, actor=actor)


async def group_choices() -> list[dict[str, Any]]:
    """Groups a new account may join, by name."""
    return await Group.select(Group.id, Group.name, Group.status).order_by(Group.name)
