"""The login throttle: failed logins slow down guessing for one user name from one address.

Each login attempt is recorded BEFORE the password is checked, in the same write transaction that
counts the earlier ones, so a burst of simultaneous requests cannot all pass the count: the first
`login_attempts` go through, every later one waits. The wait grows with each failure (1 s, 2 s,
4 s ... up to `login_max_delay_seconds`) instead of a hard lock, and it is kept per (user name,
address): a stranger guessing from elsewhere never holds back the owner at their own address, and
one person's failures at a shared address (a NAT, the center's own Wi-Fi) never hold back anyone
else there. An attempt that succeeds deletes its row and the pair's failures; a failed one stays
counted until it leaves the window."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from center.accounts.tables import LoginAttempt
from center.lib.db import is_postgres, write_transaction
from center.lib.errors import DomainError
from center.lib.i18n import N_
from center.lib.settings import get_settings

NAME_LENGTH = 80  # LoginAttempt.username
ADDRESS_LENGTH = 64  # LoginAttempt.address


class LoginThrottled(DomainError):
    """Too many recent failures for this user name from this address; `retry_after` in seconds."""

    status_code = 429
    message = N_("Too many failed attempts. Please try again in %(minutes)s minutes.")

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        if retry_after < 60:
            super().__init__(
                N_("Too many failed attempts. Please try again in %(seconds)s seconds."),
                seconds=retry_after,
            )
        else:
            super().__init__(minutes=math.ceil(retry_after / 60))


def delay_after(failures: int) -> float:
    """Seconds to wait after the last failure, given how many failures are in the window."""
    settings = get_settings()
    if failures < settings.login_attempts:
        return 0.0
    return float(min(2 ** (failures - settings.login_attempts), settings.login_max_delay_seconds))


async def begin_attempt(username: str, address: str, *, now: datetime | None = None) -> int:
    """Record one login attempt for (username, address), counted as failed until `succeeded` is
    called, and return its id; raise LoginThrottled while the pair must still wait. Runs in its own
    transaction so the attempt is counted before any password is checked."""
    settings = get_settings()
    now = (now or datetime.now(UTC)).astimezone(UTC)
    username, address = username[:NAME_LENGTH], address[:ADDRESS_LENGTH]
    since = now - timedelta(minutes=settings.login_window_minutes)
    async with write_transaction():
        if is_postgres():
            # Simultaneous attempts for one pair queue here, so each sees the ones before it.
            # (SQLite's immediate transaction already holds the database's write lock.)
            await LoginAttempt.raw(
                "SELECT pg_advisory_xact_lock(hashtext({}), hashtext({}))", "login:" + username, address
            )
        recent = await (
            LoginAttempt.select(LoginAttempt.attempted_at)
            .where(
                (LoginAttempt.username == username)
                & (LoginAttempt.address == address)
                & (LoginAttempt.attempted_at > since)
            )
            .order_by(LoginAttempt.attempted_at)
        )
        if recent:
            free_at = recent[-1]["attempted_at"] + timedelta(seconds=delay_after(len(recent)))
            if free_at > now:
                raise LoginThrottled(retry_after=max(1, math.ceil((free_at - now).total_seconds())))
        await LoginAttempt.delete().where(LoginAttempt.attempted_at <= since)
        rows = await LoginAttempt.insert(
            LoginAttempt(username=username, address=address, attempted_at=now)
        ).returning(LoginAttempt.id)
    return rows[0]["id"]


async def succeeded(username: str, address: str) -> None:
    """The password was right: forget this pair's attempts (within the caller's transaction)."""
    await LoginAttempt.delete().where(
        (LoginAttempt.username == username[:NAME_LENGTH]) & (LoginAttempt.address == address[:ADDRESS_LENGTH])
    )
