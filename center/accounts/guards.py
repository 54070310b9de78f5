"""Who is asking, and what they may do. A middleware loads the signed-in user from the session
into `request.user` (None for visitors); guards named `requires_*` check roles on every route."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from center.accounts.roles import FACILITIES, FRONT_DESK, MANAGER, MEMBER
from center.accounts.service import Principal, load_principal
from center.accounts.sessions import LOGIN_AT, USER_KEY, mark_seen, rotate, signed_in, still_valid

SESSION_USER_KEY = USER_KEY

# Route handlers without a guard must say so: opt=PUBLIC. A test checks every route has one or the other.
PUBLIC = {"public": True}


class CurrentUserMiddleware(ASGIMiddleware):
    """Puts the active Principal (or None) in scope["user"]. Runs inside the session middleware."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        principal = None
        session = scope.get("session")
        if isinstance(session, dict) and (user_id := session.get(SESSION_USER_KEY)):
            principal = await load_principal(int(user_id))
            if principal is None or not still_valid(session, principal.password_stamp):
                # Deactivated or deleted account, a session past its lifetime or idle timeout, or
                # one signed in under a password since changed: sign out.
                principal = None
                session.clear()
            else:
                mark_seen(session)
        scope["user"] = principal
        await next_app(scope, receive, send)


async def sign_in(connection: ASGIConnection, principal: Principal) -> None:
    """Start a signed-in session under a new id (no session fixation)."""
    await rotate(connection, connection.app.stores.get("sessions"))
    connection.set_session(signed_in(principal.id, principal.password_stamp))


async def keep_session_after_password_change(connection: ASGIConnection) -> None:
    """The signed-in user's own password just changed: this session goes on, under a new id and
    the new password's stamp (so it keeps its login time); their other sessions are over."""
    principal = principal_of(connection)
    fresh = await load_principal(principal.id) if principal else None
    if fresh is None:
        return
    login_at = connection.session.get(LOGIN_AT)
    await rotate(connection, connection.app.stores.get("sessions"))
    connection.set_session(
        signed_in(fresh.id, fresh.password_stamp, login_at=login_at if isinstance(login_at, int) else None)
    )


def principal_of(connection: ASGIConnection) -> Principal | None:
    return connection.scope.get("user")


def _require(*roles: str):
    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        principal = principal_of(connection)
        if principal is None:
            raise NotAuthorizedException("Please log in.")
        if roles and not principal.has(*roles):
            raise PermissionDeniedException("Your account may not do this.")

    guard.__name__ = "requires_" + ("_or_".join(roles) or "login")
    guard.roles = roles  # type: ignore[attr-defined]
    return guard


requires_login = _require()
requires_member = _require(MEMBER)
requires_front_desk = _require(FRONT_DESK, MANAGER)
requires_facilities = _require(FACILITIES, MANAGER)
requires_manager = _require(MANAGER)
requires_staff = _require(FRONT_DESK, FACILITIES, MANAGER)
