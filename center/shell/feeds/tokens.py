"""Private feed tokens: made, rotated and revoked by their owner; only the SHA-256 is stored.

A token is the credential of a subscription (calendar apps fetch without cookies), so it is long
and random, shown once, compared by hash, and a revoked or unknown token opens nothing."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from center.accounts import audit
from center.accounts.actors import Actor
from center.lib.db import write_transaction
from center.lib.errors import NotFound
from center.lib.i18n import N_
from center.lib.tokens import hash_token
from center.shell.feeds.tables import FeedToken

KINDS = ("group", "volunteer", "desk", "facilities")
TOKEN_BYTES = 32
_TOUCH_EVERY = timedelta(hours=1)


def _new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _public(row: dict) -> dict:
    """A token row without its hash, for the audit log and the pages."""
    return {key: value for key, value in row.items() if key != "token_hash"}


async def make_token(
    kind: str,
    *,
    user_id: int | None,
    scope_id: int | None = None,
    label: str = "",
    language: str = "ja",
    actor: Actor | None = None,
    replace: bool = False,
) -> tuple[str, int]:
    """A new token for one private feed; returns the token (to show once) and its row id. With
    `replace`, the owner's earlier live tokens for the same feed are revoked (a volunteer has no
    account page to manage several)."""
    if kind not in KINDS:
        raise ValueError(f"unknown feed kind {kind!r}")
    token = _new_token()
    async with write_transaction():
        if replace:
            same = (FeedToken.kind == kind) & (FeedToken.revoked_at.is_null())
            same &= FeedToken.user.is_null() if user_id is None else FeedToken.user == user_id
            same &= FeedToken.scope_id.is_null() if scope_id is None else FeedToken.scope_id == scope_id
            revoked = (
                await FeedToken.update({FeedToken.revoked_at: datetime.now(UTC)})
                .where(same)
                .returning(FeedToken.id)
            )
            for row in revoked:
                await audit.record("feed_token_revoke", "center_feed_token", row["id"], actor=actor)
        rows = await FeedToken.insert(
            FeedToken(
                user=user_id,
                token_hash=hash_token(token),
                kind=kind,
                scope_id=scope_id,
                label=label[:120],
                language=language if language in ("ja", "en") else "ja",
                created_at=datetime.now(UTC),
            )
        ).returning(*FeedToken.all_columns())
        await audit.record(
            "feed_token_make", "center_feed_token", rows[0]["id"], actor=actor, after=_public(rows[0])
        )
    return token, rows[0]["id"]


async def _owned(token_id: int, user_id: int | None) -> dict:
    row = await FeedToken.select().where(FeedToken.id == token_id).first()
    if row is None or row["user"] != user_id or row["revoked_at"] is not None:
        raise NotFound(N_("That feed link does not exist or was revoked."))
    return row


async def revoke(token_id: int, *, user_id: int | None, actor: Actor | None = None) -> None:
    """Revoke one of the user's tokens: its feed answers 404 from now on (the row stays)."""
    async with write_transaction():
        row = await _owned(token_id, user_id)
        now = datetime.now(UTC)
        await FeedToken.update({FeedToken.revoked_at: now}).where(FeedToken.id == token_id)
        await audit.record(
            "feed_token_revoke", "center_feed_token", token_id, actor=actor, before=_public(row)
        )


async def rotate(token_id: int, *, user_id: int | None, actor: Actor | None = None) -> tuple[str, int]:
    """Revoke a token and make its replacement for the same feed, in one transaction."""
    token = _new_token()
    async with write_transaction():
        row = await _owned(token_id, user_id)
        now = datetime.now(UTC)
        await FeedToken.update({FeedToken.revoked_at: now}).where(FeedToken.id == token_id)
        rows = await FeedToken.insert(
            FeedToken(
                user=row["user"],
                token_hash=hash_token(token),
                kind=row["kind"],
                scope_id=row["scope_id"],
                label=row["label"],
                language=row["language"],
                created_at=now,
            )
        ).returning(*FeedToken.all_columns())
        await audit.record(
            "feed_token_rotate",
            "center_feed_token",
            token_id,
            actor=actor,
            before=_public(row),
            after=_public(rows[0]),
        )
    return token, rows[0]["id"]


async def verify(token: str) -> dict | None:
    """The live token row for a presented token, or None (unknown, revoked or malformed)."""
    if not token or len(token) > 100:
        return None
    row = await FeedToken.select().where(FeedToken.token_hash == hash_token(token)).first()
    if row is None or row["revoked_at"] is not None:
        return None
    return row


async def touch(row: dict, now: datetime | None = None) -> None:
    """Note when a token was last used, at most once an hour (a bookkeeping stamp, not a change
    of the subscription, so it is not audited and cannot slow every fetch)."""
    now = now or datetime.now(UTC)
    last = row["last_used_at"]
    if last is not None and now - last < _TOUCH_EVERY:
        return
    async with write_transaction():
        await FeedToken.update({FeedToken.last_used_at: now}).where(FeedToken.id == row["id"])


async def tokens_of(user_id: int) -> list[dict]:
    """The user's live tokens, newest first (without their hashes)."""
    rows = await (
        FeedToken.select()
        .where((FeedToken.user == user_id) & (FeedToken.revoked_at.is_null()))
        .order_by(FeedToken.created_at, ascending=False)
        .order_by(FeedToken.id, ascending=False)
    )
    return [_public(row) for row in rows]
