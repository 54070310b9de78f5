"""The rate limit on the public forms anyone can send without an account (group registration,
problem reports, flower-bed signups), so one person or script cannot flood the staff's queues.

Each accepted submission is one RateEvent row per (bucket, key): the bucket names the form, the
key is the client address. The count lives in the database so every app process sees the same
limit. `check_rate` runs in its own write transaction before the form's own transaction, so a
refused request changes nothing else; a refused request is not recorded, so retrying while
refused does not push the wait further out."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from center.accounts.tables import RateEvent
from center.lib.db import get_engine, is_postgres, write_transaction
from center.lib.errors import DomainError
from center.lib.i18n import N_

GROUP_APPLICATION = "groups.apply"
PROBLEM_REPORT = "maintenance.report"
FLOWERBED_SIGNUP = "flowerbeds.signup"

KEY_LENGTH = 64  # RateEvent.key; an IPv6 address is at most 45 characters


class TooManySubmissions(DomainError):
    """A public form sent too often from one connection; `retry_after` is in seconds."""

    status_code = 429
    message = N_(
        "Too many submissions from this connection. Please try again in %(minutes)s minutes, "
        "or call the center."
    )

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        minutes = max(1, math.ceil(retry_after / 60))
        if minutes == 1:
            super().__init__(
                N_(
                    "Too many submissions from this connection. Please try again in a minute, "
                    "or call the center."
                )
            )
        else:
            super().__init__(minutes=minutes)


async def check_rate(
    bucket: str, key: str, *, limit: int, window: timedelta, now: datetime | None = None
) -> None:
    """Allow at most `limit` submissions per `window` for one key in one bucket: raise
    TooManySubmissions past it, else record this one. Old rows of the bucket are pruned.
    Call it outside any transaction, before the form's own write transaction."""
    if get_engine().transaction_exists():
        # Joined to the caller's transaction, a refusal would roll back with it and the event
        # would only count if the caller commits: the limit needs its own commit.
        raise RuntimeError("check_rate must run before, not inside, a transaction")
    if limit < 1:
        raise ValueError("a rate limit allows at least one submission")
    now = (now or datetime.now(UTC)).astimezone(UTC)
    key = key[:KEY_LENGTH]
    since = now - window
    async with write_transaction():
        if is_postgres():
            # Two requests from one address must not both see limit - 1 and both get in.
            # (SQLite's immediate transaction already holds the database's write lock.)
            await RateEvent.raw("SELECT pg_advisory_xact_lock(hashtext({}), hashtext({}))", bucket, key)
        recent = await (
            RateEvent.select(RateEvent.at)
            .where((RateEvent.bucket == bucket) & (RateEvent.key == key) & (RateEvent.at > since))
            .order_by(RateEvent.at)
        )
        if len(recent) >= limit:
            # The next submission fits once enough of the oldest ones leave the window.
            frees_at = recent[len(recent) - limit]["at"] + window
            raise TooManySubmissions(retry_after=max(1, math.ceil((frees_at - now).total_seconds())))
        await RateEvent.delete().where((RateEvent.bucket == bucket) & (RateEvent.at <= since))
        await RateEvent.insert(RateEvent(bucket=bucket, key=key, at=now))
