"""Accounts: log in with throttling, create users, change and reset passwords, load who is asking."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

import anyio

from center.accounts import audit, login_throttle
from center.accounts.actors import Actor, ActorRef
from center.accounts.login_throttle import LoginThrottled as LoginThrottled  # re-exported
from center.accounts.memberships import approved_group_ids
from center.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from center.accounts.roles import FRONT_DESK, MANAGER, MEMBER, STAFF_ROLES
from center.accounts.tables import Group, LoginAttempt, User, UserRole
from center.lib.db import is_postgres, read_transaction, write_transaction
from center.lib.errors import DomainError, NotFound, ValidationFailed
from center.lib.i18n import N_
from center.lib.prepared import Prepared


@dataclass(frozen=True)
class Principal:
    """The signed-in user as the web layer sees them; an `Actor` (center.accounts.actors)."""

    id: int
    username: str
    display_name: str
    roles: frozenset[str]
    group_ids: tuple[int, ...] = field(default=())
    language: str = "ja"
    # Changes whenever the password does: a session keeps the stamp it was signed in under, and
    # one with an older stamp is over (a password change or reset ends the other sessions).
    password_stamp: str = ""

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def staff(self) -> bool:
        """Whether the booking rules treat this user as staff (front desk or manager)."""
        return self.has(FRONT_DESK, MANAGER)


class LoginRefused(DomainError):
    status_code = 400
    message = N_("The user name or password is wrong.")


# Read on every signed-in request: compiled once (center.lib.prepared).
_ACTIVE_USER = Prepared(
    lambda user_id: User.select().where((User.id == user_id) & (User.active == True)).first()
)
_ROLES = Prepared(lambda user_id: UserRole.select(UserRole.role).where(UserRole.user == user_id))


async def load_principal(user_id: int) -> Principal | None:
    """The active user with their staff roles and approved groups, or None. Read on every
    signed-in request: three small reads, on one connection on SQLite (which would open one per
    query); on PostgreSQL each on a pooled connection as it comes, since a transaction around them
    would cost two round trips more and three reads of different rows need no common snapshot."""
    async with read_transaction() if not is_postgres() else contextlib.nullcontext():
        user = await _ACTIVE_USER.run(user_id=user_id)
        if user is None:
            return None
        roles = {row["role"] for row in await _ROLES.run(user_id=user_id)}
        group_ids = await approved_group_ids(user_id)
    if group_ids:
        roles.add(MEMBER)
    return Principal(
        id=user["id"],
        username=user["username"],
        display_name=user["display_name"],
        roles=frozenset(roles),
        group_ids=group_ids,
        language=user["language"],
        password_stamp=password_stamp_of(user["password_changed_at"]),
    )


def password_stamp_of(changed_at: datetime | None) -> str:
    """The stamp a session keeps of when its user's password last changed."""
    return changed_at.astimezone(UTC).isoformat() if changed_at else ""


async def authenticate(username: str, password: str, address: str = "") -> Principal:
    """Check a login. The attempt is recorded and counted per (user name, address) before the
    password is checked (LoginThrottled while that pair must wait); the Argon2 check runs in a
    worker thread so it never stalls the event loop."""
    username = username.strip()
    attempt_id = await login_throttle.begin_attempt(username, address)
    user = await User.select().where(User.username == username).first()
    # Verify against a hash even for unknown users so timing does not reveal who exists.
    ok = await anyio.to_thread.run_sync(
        verify_password, user["password_hash"] if user else _DUMMY_HASH(), password
    )
    if not (user and ok and user["active"]):
        raise LoginRefused()  # the attempt stays counted as a failure

    new_hash = (
        await anyio.to_thread.run_sync(hash_password, password)
        if needs_rehash(user["password_hash"])
        else None
    )
    async with write_transaction():
        await LoginAttempt.delete().where(LoginAttempt.id == attempt_id)
        await login_throttle.succeeded(username, address)
        changes = {User.last_login_at: datetime.now(UTC)}
        if new_hash:
            changes[User.password_hash] = new_hash
        await User.update(changes).where(User.id == user["id"])
    principal = await load_principal(user["id"])
    assert principal is not None
    return principal


_dummy: list[str] = []


def _DUMMY_HASH() -> str:
    if not _dummy:
        _dummy.append(hash_password("not a real password"))
    return _dummy[0]


async def create_user(
    username: str,
    display_name: str,
    password: str,
    roles: list[str] | tuple[str, ...] = (),
    *,
    email: str = "",
    phone: str = "",
    actor: Actor | None = None,
) -> int:
    """Create an account with staff roles. Raises ValidationFailed with per-field messages."""
    username = username.strip()
    errors: dict[str, str] = {}
    if not username or len(username) > 80 or not username.isascii() or " " in username:
        errors["username"] = N_("Use 1 to 80 letters, digits or symbols, without spaces.")
    elif await User.exists().where(User.username == username):
        errors["username"] = N_("That user name is already taken.")
    if not display_name.strip():
        errors["display_name"] = N_("Enter a name.")
    if problem := password_problem(password, username):
        errors["password"] = problem
    unknown = [role for role in roles if role not in STAFF_ROLES]
    if unknown:
        errors["roles"] = N_("Unknown role.")
    if errors:
        raise ValidationFailed(errors)
    now = datetime.now(UTC)
    async with write_transaction():
        rows = await User.insert(
            User(
                username=username,
                display_name=display_name.strip(),
                email=email.strip(),
                phone=phone.strip(),
                password_hash=hash_password(password),
                created_at=now,
                password_changed_at=now,
            )
        ).returning(User.id)
        user_id = rows[0]["id"]
        for role in dict.fromkeys(roles):
            await UserRole.insert(UserRole(user=user_id, role=role))
        await audit.record(
            "create",
            "user",
            user_id,
            actor=actor,
            after={"username": username, "display_name": display_name, "roles": list(roles)},
        )
    return user_id


async def set_roles(user_id: int, roles: list[str], *, actor: Actor | None) -> None:
    """Replace a user's staff roles."""
    if any(role not in STAFF_ROLES for role in roles):
        raise ValidationFailed({"roles": N_("Unknown role.")})
    async with write_transaction():
        before = sorted(
            r["role"] for r in await UserRole.select(UserRole.role).where(UserRole.user == user_id)
        )
        await UserRole.delete().where(UserRole.user == user_id)
        for role in dict.fromkeys(roles):
            await UserRole.insert(UserRole(user=user_id, role=role))
        await audit.record(
            "set_roles",
            "user",
            user_id,
            actor=actor,
            before={"roles": before},
            after={"roles": sorted(set(roles))},
        )


async def change_password(user_id: int, current: str, new: str, confirm: str) -> None:
    """The user changes their own password, proving the current one."""
    user = await User.select().where(User.id == user_id).first()
    if user is None:
        raise NotFound()
    errors: dict[str, str] = {}
    if not await anyio.to_thread.run_sync(verify_password, user["password_hash"], current):
        errors["current"] = N_("The current password is wrong.")
    if problem := password_problem(new, user["username"]):
        errors["new"] = problem
    elif new != confirm:
        errors["confirm"] = N_("The two new passwords differ.")
    if errors:
        raise ValidationFailed(errors)
    await _store_password(user_id, new, action="change_password", actor=ActorRef(user_id))


async def reset_password(user_id: int, new: str, *, actor: Actor | None) -> None:
    """A manager (or the CLI, with no actor) sets a new password for someone."""
    user = await User.select().where(User.id == user_id).first()
    if user is None:
        raise NotFound()
    if problem := password_problem(new, user["username"]):
        raise ValidationFailed({"password": problem})
    await _store_password(user_id, new, action="reset_password", actor=actor or ActorRef())


async def _store_password(user_id: int, new: str, *, action: str, actor: Actor) -> None:
    async with write_transaction():
        await User.update(
            {User.password_hash: hash_password(new), User.password_changed_at: datetime.now(UTC)}
        ).where(User.id == user_id)
        await LoginAttempt.delete().where(
            LoginAttempt.username.is_in(
                [row["username"] for row in await User.select(User.username).where(User.id == user_id)]
            )
        )
        await audit.record(action, "user", user_id, actor=actor)


async def group_name(group_id: int) -> str:
    row = await Group.select(Group.name).where(Group.id == group_id).first()
    return row["name"] if row else ""
