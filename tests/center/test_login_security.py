"""Logging in under attack: a burst of guesses is counted before any password is checked, waits
grow per (user name, address), and nobody can lock anyone else out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from piccolo.engine.postgres import PostgresEngine

import piccolo_conf
from center.accounts import service
from center.lib.settings import get_settings
from tests.helpers import PASSWORD, client_at, csrf_token, make_user, post_form

pytestmark = pytest.mark.anyio

WRONG = "wrong password!"
NOW = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)


@asynccontextmanager
async def pooled() -> AsyncIterator[None]:
    """A small PostgreSQL pool for this test's loop, so a burst of requests shares a few
    connections instead of opening one each."""
    engine = piccolo_conf.DB
    if not isinstance(engine, PostgresEngine):
        yield
        return
    await engine.start_connection_pool(min_size=1, max_size=10)
    try:
        yield
    finally:
        await engine.close_connection_pool()


def count_password_checks(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = service.verify_password

    def counting(password_hash: str, password: str) -> bool:
        calls.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(service, "verify_password", counting)
    return calls


async def try_login(client, username: str, password: str):
    return await post_form(client, "/login", {"username": username, "password": password})


async def test_sixty_simultaneous_wrong_logins_check_the_password_at_most_the_allowed_number_of_times(
    client, monkeypatch
):
    await make_user("desk1", ("front_desk",))
    checks = count_password_checks(monkeypatch)
    token = await csrf_token(client)
    form = {"username": "desk1", "password": WRONG, "_csrf_token": token}
    with time_machine.travel(NOW, tick=False):
        async with pooled():
            responses = await asyncio.gather(*(client.post("/login", data=form) for _ in range(60)))
    statuses = sorted(r.status_code for r in responses)
    allowed = get_settings().login_attempts
    assert len(checks) <= allowed
    assert statuses.count(400) == len(checks) and statuses.count(429) == 60 - len(checks)
    assert all(int(r.headers["retry-after"]) >= 1 for r in responses if r.status_code == 429)


async def test_after_the_free_failures_each_wait_doubles_and_is_said_with_retry_after(client):
    await make_user("desk1", ("front_desk",))
    with time_machine.travel(NOW, tick=False) as clock:
        for _ in range(get_settings().login_attempts):
            assert (await try_login(client, "desk1", WRONG)).status_code == 400
        waiting = await try_login(client, "desk1", PASSWORD)
        assert waiting.status_code == 429 and waiting.headers["retry-after"] == "1"
        assert "1秒後にもう一度お試しください" in waiting.text
        clock.shift(timedelta(seconds=1))
        assert (await try_login(client, "desk1", WRONG)).status_code == 400
        assert (await try_login(client, "desk1", PASSWORD)).headers["retry-after"] == "2"
        clock.shift(timedelta(seconds=2))
        assert (await try_login(client, "desk1", PASSWORD)).status_code == 303


async def test_a_strangers_failures_from_elsewhere_do_not_stop_the_user_at_their_own_address(client, app):
    await make_user("desk1", ("front_desk",))
    with time_machine.travel(NOW, tick=False):
        async with client_at(app, "203.0.113.9") as stranger:
            for _ in range(30):
                await try_login(stranger, "desk1", WRONG)
            assert (await try_login(stranger, "desk1", PASSWORD)).status_code == 429
        assert (await try_login(client, "desk1", PASSWORD)).status_code == 303


async def test_failures_for_one_name_at_a_shared_address_do_not_stop_another_user_there(client, app):
    await make_user("desk1", ("front_desk",))
    await make_user("desk2", ("front_desk",))
    with time_machine.travel(NOW, tick=False):
        async with client_at(app, "198.51.100.7") as first, client_at(app, "198.51.100.7") as second:
            for _ in range(30):
                await try_login(first, "desk1", WRONG)
            for name in ("nobody1", "nobody2", "nobody3", "nobody4", "nobody5"):
                for _ in range(5):
                    await try_login(first, name, WRONG)
            assert (await try_login(second, "desk2", PASSWORD)).status_code == 303
