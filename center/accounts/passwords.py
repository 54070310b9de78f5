"""Password hashing with Argon2id (argon2-cffi)."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from center.lib.i18n import N_
from center.lib.settings import get_settings

MIN_LENGTH = 10


@cache
def _hasher() -> PasswordHasher:
    if get_settings().password_hash_cheap:
        # Tests only: the same algorithm with the smallest cost, so a suite of logins stays fast.
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()  # argon2id, RFC 9106 low-memory profile


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def password_problem(password: str, username: str = "") -> str | None:
    """Why a new password is refused (an English msgid), or None."""
    if len(password) < MIN_LENGTH:
        return N_("The password must be at least 10 characters long.")
    if username and username.lower() in password.lower():
        return N_("The password must not contain the user name.")
    return None
