"""Server-side sessions kept in the database, so several app processes share them, with the
session id rotated at login (no session fixation).

A signed-in session carries when it signed in, when it was last used and the password stamp it
signed in under: it ends `session_lifetime_hours` after login however busy it is, after
`session_idle_minutes` without a request, and as soon as its user's password changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.stores.base import Store
from litestar.types import Empty, Message, ScopeSession

from center.accounts.tables import SessionRecord
from center.lib.prepared import Prepared
from center.lib.settings import get_settings

ROTATE_FLAG = "rotate_session"
LOADED_FLAG = "loaded_session"

USER_KEY = "user_id"
LOGIN_AT = "login_at"  # POSIX seconds
SEEN_AT = "seen_at"  # POSIX seconds, refreshed at most once a minute (each refresh is a write)
PASSWORD_STAMP = "password_stamp"
SEEN_PRECISION = 60


def _now() -> int:
    return int(datetime.now(UTC).timestamp())


def signed_in(user_id: int, password_stamp: str, *, login_at: int | None = None) -> dict[str, Any]:
    """The data of a freshly signed-in session."""
    now = _now()
    return {
        USER_KEY: user_id,
        LOGIN_AT: now if login_at is None else login_at,
        SEEN_AT: now,
        PASSWORD_STAMP: password_stamp,
    }


def still_valid(session: dict[str, Any], password_stamp: str) -> bool:
    """Whether a signed-in session may go on: within its absolute lifetime and idle timeout, and
    signed in under the user's current password. A session without these marks is over."""
    left = seconds_left(session)
    return left is not None and left > 0 and session.get(PASSWORD_STAMP) == password_stamp


def seconds_left(session: dict[str, Any]) -> int | None:
    """How long a signed-in session may still go on unused (None for a visitor's session)."""
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return None
    settings = get_settings()
    lifetime_ends = login_at + settings.session_lifetime_hours * 3600
    idle_ends = seen_at + settings.session_idle_minutes * 60
    return min(lifetime_ends, idle_ends) - _now()


def mark_seen(session: dict[str, Any]) -> None:
    """Note that the session is in use (changing it only once a minute, to spare writes)."""
    now = _now()
    if now - int(session.get(SEEN_AT) or 0) >= SEEN_PRECISION:
        session[SEEN_AT] = now


# Read on every request that carries a session cookie: compiled once (center.lib.prepared).
_SESSION = Prepared(
    lambda key: (
        SessionRecord.select(SessionRecord.data, SessionRecord.expires_at)
        .where(SessionRecord.key == key)
        .first()
    )
)


class DatabaseStore(Store):
    """A Litestar store over the center_session table."""

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        if isinstance(value, bytes):
            value = value.decode("utf-8")
        if isinstance(expires_in, int):
            expires_in = timedelta(seconds=expires_in)
        expires_at = datetime.now(UTC) + expires_in if expires_in else None
        # One statement (an upsert on the unique key): one round trip, no transaction to open.
        await SessionRecord.insert(SessionRecord(key=key, data=value, expires_at=expires_at)).on_conflict(
            target=SessionRecord.key,
            action="DO UPDATE",
            values=[SessionRecord.data, SessionRecord.expires_at],
        )

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        row = await _SESSION.run(key=key)
        if row is None:
            return None
        if row["expires_at"] is not None and row["expires_at"] <= datetime.now(UTC):
            await self.delete(key)
            return None
        if renew_for:
            if isinstance(renew_for, int):
                renew_for = timedelta(seconds=renew_for)
            await SessionRecord.update({SessionRecord.expires_at: datetime.now(UTC) + renew_for}).where(
                SessionRecord.key == key
            )
        return row["data"].encode("utf-8")

    async def delete(self, key: str) -> None:
        await SessionRecord.delete().where(SessionRecord.key == key)

    async def delete_all(self) -> None:
        await SessionRecord.delete(force=True)

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        row = await SessionRecord.select(SessionRecord.expires_at).where(SessionRecord.key == key).first()
        if row is None or row["expires_at"] is None:
            return None
        return int((row["expires_at"] - datetime.now(UTC)).total_seconds())


async def purge_expired() -> int:
    """Delete expired sessions; returns how many."""
    rows = (
        await SessionRecord.delete()
        .where(SessionRecord.expires_at < datetime.now(UTC))
        .returning(SessionRecord.id)
    )
    return len(rows)


class RotatingSessionBackend(ServerSideSessionBackend):
    """Gives the session a fresh id when a handler sets the rotate flag (at login), and writes to
    the store only when the session changed: a visitor without a session costs no database write
    and gets no cookie."""

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        data = await super().load_from_connection(connection)
        connection.scope.setdefault("state", {})[LOADED_FLAG] = (
            self.serialize_data(data, connection.scope) if data else b""
        )
        return data

    async def set(self, session_id: str, data: bytes, store: Store) -> None:
        """Keep a signed-in session's row only until its idle timeout or lifetime ends (the
        clean-up job deletes it then); a visitor's for the configured max age."""
        expires_in = int(self.config.max_age)
        left = seconds_left(self.deserialize_data(data))
        if left is not None:
            expires_in = max(1, min(expires_in, left))
        await store.set(session_id, data, expires_in=expires_in)

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection
    ) -> None:
        state = connection.scope.setdefault("state", {})
        has_cookie = connection.cookies.get(self.config.key) not in (None, "", "null")
        if not state.get(ROTATE_FLAG) and scope_session is not Empty:
            if not scope_session and not has_cookie:
                return  # nothing to keep, nothing kept before
            if scope_session and self.serialize_data(scope_session, connection.scope) == state.get(
                LOADED_FLAG
            ):
                return  # unchanged: the stored copy and the cookie are still right
        if not scope_session and scope_session is not Empty:
            scope_session = Empty  # emptied (logout): delete it and expire the cookie
        await super().store_in_message(scope_session, message, connection)

    def get_session_id(self, connection: ASGIConnection) -> str:
        state = connection.scope.setdefault("state", {})
        if state.get(ROTATE_FLAG):
            if "rotated_session_id" not in state:
                state["rotated_session_id"] = self.generate_session_id()
            return state["rotated_session_id"]
        return super().get_session_id(connection)


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend  # type: ignore[assignment]


async def rotate(connection: ASGIConnection, store: Store) -> None:
    """Drop the current session id; the response carries a new one."""
    old = connection.cookies.get("session")
    if old and old != "null":
        await store.delete(old)
    connection.scope.setdefault("state", {})[ROTATE_FLAG] = True
