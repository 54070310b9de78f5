"""The feed links page: making, rotating and revoking tokens, who may make which, and that only a
token's hash is kept."""

import hashlib
import re

import pytest

from center.accounts.tables import AuditEntry
from center.shell.feeds import tokens
from center.shell.feeds.tables import FeedToken
from tests.feeds_support import small_center
from tests.helpers import login, post_form, text_of

pytestmark = pytest.mark.anyio

FEED_URL = re.compile(r'value="http://testserver(/feeds/t/([^"]+)\.ics)"')


async def _make(client, feed: str, language: str = "ja"):
    return await post_form(client, "/account/feeds", {"feed": feed, "language": language})


async def test_a_member_makes_a_group_link_shown_once_with_webcal_and_a_qr_code(db, client):
    center = await small_center()
    await login(client, "member1")

    made = await _make(client, f"group:{center['group']}")

    assert made.status_code == 200
    path, token = FEED_URL.search(made.text).groups()
    assert f"webcal://testserver{path}" in made.text
    assert 'src="data:image/svg+xml' in made.text
    assert (await client.get(path)).status_code == 200
    later = await client.get("/account/feeds")
    assert token not in later.text and "いきいきサロン" in text_of(later.text)
    row = await FeedToken.select().first()
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(row)
    assert row["kind"] == "group" and row["scope_id"] == center["group"] and row["user"] == center["member"]
    assert await AuditEntry.exists().where(AuditEntry.action == "feed_token_make")


async def test_rotating_a_link_stops_the_old_address_and_gives_a_new_one(db, client):
    center = await small_center()
    await login(client, "member1")
    old_path, _ = FEED_URL.search((await _make(client, f"group:{center['group']}")).text).groups()
    token_id = (await FeedToken.select(FeedToken.id).first())["id"]

    rotated = await post_form(client, f"/account/feeds/{token_id}/rotate")

    new_path, _ = FEED_URL.search(rotated.text).groups()
    assert new_path != old_path
    assert (await client.get(old_path)).status_code == 404
    assert (await client.get(new_path)).status_code == 200
    assert await AuditEntry.exists().where(AuditEntry.action == "feed_token_rotate")


async def test_revoking_a_link_makes_its_feed_404_and_removes_it_from_the_page(db, client):
    center = await small_center()
    await login(client, "member1")
    path, _ = FEED_URL.search((await _make(client, f"group:{center['group']}")).text).groups()
    token_id = (await FeedToken.select(FeedToken.id).first())["id"]

    revoked = await post_form(client, f"/account/feeds/{token_id}/revoke")

    assert revoked.status_code == 303
    assert (await client.get(path)).status_code == 404
    page = await client.get("/account/feeds")
    assert f"/account/feeds/{token_id}/revoke" not in page.text
    assert await AuditEntry.exists().where(AuditEntry.action == "feed_token_revoke")


async def test_a_member_may_not_make_staff_feeds_or_another_groups_feed(db, client):
    center = await small_center()
    await login(client, "member1")
    page = await client.get("/account/feeds")
    assert "desk:" not in page.text and "facilities:" not in page.text

    for feed in ("desk:", "facilities:", f"group:{center['other_group']}", "volunteer:1", "nonsense"):
        refused = await _make(client, feed)
        assert refused.status_code == 400, feed
    assert await FeedToken.count() == 0


async def test_staff_make_the_feeds_of_their_roles_only(db, client):
    await small_center()
    await login(client, "desk1")
    assert (await _make(client, "desk:")).status_code == 200
    assert (await _make(client, "facilities:")).status_code == 400
    client.cookies.clear()
    await login(client, "fac1")
    assert (await _make(client, "facilities:")).status_code == 200
    assert (await _make(client, "desk:")).status_code == 400
    assert sorted(r["kind"] for r in await FeedToken.select(FeedToken.kind)) == ["desk", "facilities"]


async def test_nobody_can_rotate_or_revoke_someone_elses_link(db, client):
    center = await small_center()
    _, token_id = await tokens.make_token("group", user_id=center["member"], scope_id=center["group"])
    await login(client, "member2")

    assert (await post_form(client, f"/account/feeds/{token_id}/revoke")).status_code == 404
    assert (await post_form(client, f"/account/feeds/{token_id}/rotate")).status_code == 404
    row = await FeedToken.select().where(FeedToken.id == token_id).first()
    assert row["revoked_at"] is None


async def test_the_links_page_needs_a_login_and_explains_the_calendar_apps(db, client):
    await small_center()
    anonymous = await client.get("/account/feeds", follow_redirects=False)
    assert anonymous.status_code in (302, 303, 401)
    await login(client, "member1")
    text = text_of((await client.get("/account/feeds")).text)
    for app_name in ("Google カレンダー", "Apple カレンダー", "Outlook", "Thunderbird"):
        assert app_name in text
    client.cookies.set("lang", "en")
    english = text_of((await client.get("/account/feeds")).text)
    assert "How to subscribe" in english and "Google Calendar" in english


async def test_the_public_feeds_page_lists_every_room_feed(db, client):
    await small_center()
    page = await client.get("/feeds")
    assert page.status_code == 200
    assert "/feeds/rooms/meeting1.ics" in page.text and "webcal://" in page.text
    calendar = await client.get("/calendar")
    assert "/feeds/public.ics" in calendar.text
