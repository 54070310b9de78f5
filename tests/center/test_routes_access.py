"""Every route states who may use it, and the app keeps to it.

The routes come from the app itself (`app.routes`), so a route added later is walked too. For
each HTTP route and method (outside /static and /schema): it has a guard or says opt={"public": True};
each role account gets 401/403 exactly when the guards' roles leave it out; and no unsafe method
goes through without a CSRF token, even for a manager."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.handlers.http_handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute

from center.accounts.passwords import hash_password
from center.accounts.tables import Group, GroupMember, LoginAttempt, User, UserRole
from center.lib.db import write_transaction
from center.lib.i18n import translations
from tests.helpers import PASSWORD, csrf_token, login, make_group, make_user

pytestmark = pytest.mark.anyio

SKIPPED_PREFIXES = ("/static", "/schema")
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_REFUSAL = "The form has expired. Please reload the page and try again."

# Who tries every route: the roles each account holds (None: not logged in).
ACCOUNTS: dict[str, frozenset[str] | None] = {
    "visitor": None,
    "member": frozenset({"member"}),
    "desk": frozenset({"front_desk"}),
    "facilities": frozenset({"facilities"}),
    "manager": frozenset({"manager"}),
}
STAFF_ROLES = {"desk": ("front_desk",), "facilities": ("facilities",), "manager": ("manager",)}

SAMPLE_VALUES: dict[type, Any] = {
    int: 1,
    str: "x",
    Path: "x",
    float: 1.0,
    Decimal: "1",
    uuid.UUID: "00000000-0000-4000-8000-000000000001",
    date: "2026-12-01",
    datetime: "2026-12-01T09:00:00+09:00",
    time: "09:00:00",
    timedelta: "3600",
}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path_format: str
    route: HTTPRoute
    handler: HTTPRouteHandler
    guards: tuple[Callable, ...]

    @property
    def label(self) -> str:
        return f"{self.method} {self.route.path} ({self.handler.name or self.handler.handler_name})"

    @property
    def public(self) -> bool:
        return bool((self.handler.opt or {}).get("public"))

    def sample_path(self) -> str:
        values = {}
        for name, parameter in self.route.path_parameters.items():
            values[name] = SAMPLE_VALUES.get(parameter.type, "x")
        return self.path_format.format(**values)

    def admits(self, roles: frozenset[str] | None) -> bool:
        """Whether the guards let these roles in (None: a visitor)."""
        if not self.guards:
            return True
        if roles is None:
            return False
        return all(not guard.roles or roles & set(guard.roles) for guard in self.guards)


def _is_automatic_options(handler: HTTPRouteHandler) -> bool:
    return handler.http_methods == {"OPTIONS"} and "create_options_handler" in handler.fn.__qualname__


def endpoints(app: Litestar) -> list[Endpoint]:
    """Every HTTP route and method the app serves, outside static files and the schema."""
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith(SKIPPED_PREFIXES):
            continue
        for handler in route.route_handlers:
            if _is_automatic_options(handler):
                continue
            guards = tuple(guard for layer in handler.ownership_layers for guard in (layer.guards or []))
            for method in sorted(handler.http_methods):
                found.append(Endpoint(method, route.path_format, route, handler, guards))
    return found


def test_the_walk_finds_the_routes_it_should(app):
    labels = {(e.method, e.route.path) for e in endpoints(app)}
    assert ("GET", "/") in labels
    assert ("POST", "/login") in labels
    assert ("GET", "/account/password") in labels
    assert not any(path.startswith(SKIPPED_PREFIXES) for _, path in labels)


def test_every_route_has_a_guard_or_says_it_is_public(app):
    offenders = [e.label for e in endpoints(app) if not e.guards and not e.public]
    assert offenders == [], "routes with neither a guard nor opt=PUBLIC:\n" + "\n".join(offenders)


def test_no_route_is_both_guarded_and_marked_public(app):
    offenders = [e.label for e in endpoints(app) if e.guards and e.public]
    assert offenders == [], "routes with a guard that also say public:\n" + "\n".join(offenders)


def test_every_guard_names_the_roles_it_admits(app):
    # The access walk below reads `.roles` (center.accounts.guards._require); a guard without it could
    # not be checked, so it is not allowed.
    offenders = sorted(
        {
            f"{e.label}: {getattr(g, '__name__', g)!r}"
            for e in endpoints(app)
            for g in e.guards
            if not hasattr(g, "roles")
        }
    )
    assert offenders == [], "guards without a `.roles` attribute:\n" + "\n".join(offenders)


# --- The walk ------------------------------------------------------------------------------------------


@dataclass
class People:
    """The role accounts and the group that makes `member` a member."""

    user_ids: dict[str, int] = field(default_factory=dict)
    group_id: int = 0
    password_hash: str = ""

    async def restore(self) -> None:
        """Undo whatever an earlier request did to the accounts (a deactivation, a role change,
        a changed password, a removed member, a declined group, failed logins), so each request
        is judged on the accounts as set up. One transaction: one connection on PostgreSQL."""
        ids = list(self.user_ids.values())
        async with write_transaction():
            await LoginAttempt.delete(force=True)
            await User.update({User.active: True, User.password_hash: self.password_hash}).where(
                User.id.is_in(ids)
            )
            await UserRole.delete().where(UserRole.user.is_in(ids))
            await UserRole.insert(
                *(
                    UserRole(user=self.user_ids[name], role=role)
                    for name, roles in STAFF_ROLES.items()
                    for role in roles
                )
            )
            await Group.update({Group.status: "approved"}).where(Group.id == self.group_id)
            member = self.user_ids["member"]
            if not await GroupMember.exists().where(
                (GroupMember.group == self.group_id) & (GroupMember.user == member)
            ):
                await GroupMember.insert(GroupMember(group=self.group_id, user=member))


async def set_up_people() -> People:
    people = People(password_hash=hash_password(PASSWORD))
    # The member and their group come first so that the sample id 1 is theirs: a member asking
    # for group 1 asks for their own group.
    people.user_ids["member"] = await make_user("member")
    people.group_id = await make_group("テスト団体", members=(people.user_ids["member"],))
    for name, roles in STAFF_ROLES.items():
        people.user_ids[name] = await make_user(name, roles)
    return people


def new_client(app: Litestar, account: str) -> httpx.AsyncClient:
    # One address per account, so failed logins of one never throttle another.
    address = f"127.0.0.{list(ACCOUNTS).index(account) + 10}"
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def logged_in_client(app: Litestar, account: str) -> httpx.AsyncClient:
    client = new_client(app, account)
    if account != "visitor":
        await login(client, account)
    return client


async def send(client: httpx.AsyncClient, endpoint: Endpoint, with_csrf: bool = True) -> httpx.Response:
    path = endpoint.sample_path()
    if endpoint.method not in UNSAFE:
        return await client.request(endpoint.method, path)
    if not with_csrf:
        await csrf_token(client)  # the cookie is there; only the token is missing
        return await client.request(endpoint.method, path, data={})
    token = await csrf_token(client)
    return await client.request(
        endpoint.method, path, data={"_csrf_token": token}, headers={"x-csrftoken": token}
    )


@dataclass(frozen=True)
class Outcome:
    account: str
    endpoint: Endpoint
    status: int
    cache_control: str = ""


def by_account(names) -> pytest.MarkDecorator:
    """One test per account: the walks (a few hundred requests each) spread over the workers."""
    return pytest.mark.parametrize("account", list(names))


async def _walk(app: Litestar, account: str) -> list[Outcome]:
    people = await set_up_people()
    # Safe methods first: they change nothing, so one login serves them all.
    ordered = sorted(endpoints(app), key=lambda e: e.method in UNSAFE)
    outcomes = []
    client = await logged_in_client(app, account)
    try:
        for endpoint in ordered:
            response = await send(client, endpoint)
            cache_control = response.headers.get("cache-control", "")
            outcomes.append(Outcome(account, endpoint, response.status_code, cache_control))
            if endpoint.method in UNSAFE and endpoint.admits(ACCOUNTS[account]):
                # The handler ran and may have changed things (logged out, deactivated the
                # account, removed the member): start the next request from the set-up state.
                await client.aclose()
                await people.restore()
                client = await logged_in_client(app, account)
    finally:
        await client.aclose()
    await people.restore()
    return outcomes


def wrong_admissions(outcomes: list[Outcome]) -> list[str]:
    """Each role is let in exactly where the guards say: 401 for a visitor and 403 for a signed-in
    account the guards leave out, and never 401/403 where they let it in."""
    wrong = []
    for outcome in outcomes:
        roles = ACCOUNTS[outcome.account]
        if not outcome.endpoint.admits(roles):
            expected = 401 if roles is None else 403
            if outcome.status != expected:
                wrong.append(
                    f"{outcome.account}: {outcome.endpoint.label} -> {outcome.status}, expected {expected}"
                )
        elif outcome.status in (401, 403):
            wrong.append(
                f"{outcome.account}: {outcome.endpoint.label} -> {outcome.status}, expected to be let in"
            )
    return wrong


def server_errors(outcomes: list[Outcome]) -> list[str]:
    """Sample ids, empty forms: a refusal is fine; a crash is not."""
    return [
        f"{o.account}: {o.endpoint.label} {o.endpoint.sample_path()} -> {o.status}"
        for o in outcomes
        if o.status >= 500
    ]


def cacheable_answers(outcomes: list[Outcome]) -> list[str]:
    """Pages, partials, the API, PDFs, refusals and error pages alike: nothing a signed-in person
    was shown may stay in a browser's or a proxy's cache."""
    return [
        f"{o.account}: {o.endpoint.label} -> {o.status}, Cache-Control: {o.cache_control or '(none)'}"
        for o in outcomes
        if o.account != "visitor" and o.cache_control != "no-store"
    ]


@by_account(ACCOUNTS)
async def test_every_route_admits_exactly_the_guarded_roles_never_crashes_and_says_no_store_when_signed_in(
    db, app, account
):
    # One walk per account judged three ways (a walk is a few hundred requests; three tests
    # sharing it could not share it across xdist workers).
    outcomes = await _walk(app, account)
    assert outcomes, "the walk found no routes"
    failures = {
        "let in or refused against the guards": wrong_admissions(outcomes),
        "server errors": server_errors(outcomes),
        "signed-in answers without Cache-Control: no-store": cacheable_answers(outcomes),
    }
    report = "\n".join(f"{kind}:\n  " + "\n  ".join(found) for kind, found in failures.items() if found)
    assert report == ""


async def test_every_unsafe_route_refuses_a_request_without_csrf_token_even_for_a_manager(db, app):
    await set_up_people()
    refusal = translations("ja").ugettext(CSRF_REFUSAL)
    wrong = []
    # The CSRF check comes before any handler runs, so nothing changes and one login will do.
    async with new_client(app, "manager") as client:
        await login(client, "manager")
        for endpoint in endpoints(app):
            if endpoint.method not in UNSAFE:
                continue
            response = await send(client, endpoint, with_csrf=False)
            if response.status_code != 403 or refusal not in response.text:
                wrong.append(f"{endpoint.label} -> {response.status_code}")
    assert wrong == [], "unsafe routes that did not refuse a missing CSRF token:\n" + "\n".join(wrong)
