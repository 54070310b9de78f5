"""Sessions end when they should: at a password change or reset (the user's other sessions), after
the idle timeout, and at the absolute lifetime however busy they are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from center.accounts.tables import SessionRecord
from center.lib.settings import get_settings
from tests.helpers import PASSWORD, client_at, login, make_user, post_form

pytestmark = pytest.mark.anyio

NEW_PASSWORD = "a new long password"
NOW = datetime(2026, 12, 4, 0, 0, tzinfo=UTC)


async def signed_in(client) -> bool:
    """Whether this browser is signed in: a page only a signed-in user may see answers 200."""
    return (await client.get("/account/password")).status_code == 200


async def test_changing_ones_password_ends_the_other_sessions_and_keeps_this_one_under_a_new_id(client, app):
    await make_user("member1")
    async with client_at(app, "192.0.2.20") as other_browser:
        await login(other_browser, "member1")
        await login(client, "member1")
        before = client.cookies.get("session")
        changed = await post_form(
            client,
            "/account/password",
            {"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        )
        assert changed.status_code == 303
        assert client.cookies.get("session") not in (None, before)
        assert await signed_in(client)
        assert not await signed_in(other_browser)


async def test_a_managers_password_reset_ends_every_session_of_that_user(client, app):
    member = await make_user("member1")
    await make_user("boss", ("manager",))
    async with client_at(app, "192.0.2.21") as members_browser:
        await login(members_browser, "member1")
        await login(client, "boss")
        reset = await post_form(
            client, f"/manage/users/{member}/password", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        )
        assert reset.status_code == 303
        assert not await signed_in(members_browser)
        assert await signed_in(client)


async def test_a_session_left_idle_past_the_timeout_is_over(client):
    await make_user("member1")
    with time_machine.travel(NOW, tick=False) as clock:
        await login(client, "member1")
        clock.shift(timedelta(minutes=119))
        assert await signed_in(client)
        clock.shift(timedelta(minutes=121))
        assert not await signed_in(client)


async def test_a_busy_session_still_ends_twelve_hours_after_login(client):
    await make_user("member1")
    with time_machine.travel(NOW, tick=False) as clock:
        await login(client, "member1")
        for _ in range(10):
            clock.shift(timedelta(hours=1))
            assert await signed_in(client)
        clock.shift(timedelta(hours=1))  # 11 h: a write to the session (the flash of a change)
        changed = await post_form(
            client,
            "/account/password",
            {"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        )
        assert changed.status_code == 303
        assert await signed_in(client)
        clock.shift(timedelta(minutes=59))
        assert await signed_in(client)
        clock.shift(timedelta(minutes=2))  # 12 h 1 min after login
        assert not await signed_in(client)


async def test_a_signed_in_sessions_stored_row_expires_with_its_idle_timeout(client):
    await make_user("member1")
    with time_machine.travel(NOW, tick=False):
        await login(client, "member1")
        row = await SessionRecord.select(SessionRecord.expires_at).first()
    assert row["expires_at"] == NOW + timedelta(minutes=get_settings().session_idle_minutes)
