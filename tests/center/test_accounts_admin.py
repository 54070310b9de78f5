"""Managers create and manage accounts, read the audit log, and the accounts JSON API."""

from datetime import UTC, datetime

import pytest

from center.accounts.tables import AuditEntry, GroupMember, User, UserRole
from tests.helpers import PASSWORD, login, make_group, make_user, post_form, text_of

pytestmark = pytest.mark.anyio

NEW_PASSWORD = "another long password"


async def as_manager(client, username: str = "boss") -> int:
    user_id = await make_user(username, ("manager",), display_name="管理 一郎")
    await login(client, username)
    return user_id


async def test_manager_creates_a_staff_account_that_can_log_in(client):
    await as_manager(client)
    response = await post_form(
        client,
        "/manage/users/new",
        {
            "username": "desk2",
            "display_name": "受付 二郎",
            "email": "desk2@example.jp",
            "phone": "0144-32-0000",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "roles": ["front_desk", "facilities"],
        },
    )
    assert response.status_code == 303
    user = await User.select().where(User.username == "desk2").first()
    assert response.headers["location"] == f"/manage/users/{user['id']}"
    roles = {r["role"] for r in await UserRole.select(UserRole.role).where(UserRole.user == user["id"])}
    assert roles == {"front_desk", "facilities"}
    client.cookies.clear()
    await login(client, "desk2", NEW_PASSWORD)


async def test_new_member_account_can_join_a_group_at_once(client):
    group_id = await make_group("体操の会")
    await as_manager(client)
    response = await post_form(
        client,
        "/manage/users/new",
        {
            "username": "gym1",
            "display_name": "体操 花子",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "group": str(group_id),
        },
    )
    assert response.status_code == 303
    user_id = (await User.select(User.id).where(User.username == "gym1").first())["id"]
    assert await GroupMember.exists().where((GroupMember.group == group_id) & (GroupMember.user == user_id))


async def test_new_account_form_refuses_bad_input_and_creates_nothing(client):
    await as_manager(client)
    before = await User.count()
    response = await post_form(
        client,
        "/manage/users/new",
        {
            "username": "has space",
            "display_name": "",
            "email": "nope",
            "phone": "12",
            "password": NEW_PASSWORD,
            "confirm": "different password",
            "roles": "wizard",
        },
    )
    assert response.status_code == 400
    for message in (
        "半角英数字・記号で1～80文字",
        "名前を入力してください。",
        "name@example.jp",
        "10桁か11桁",
        "2つのパスワードが一致しません。",
    ):
        assert message in response.text, message
    assert 'id="username" name="username" type="text" value="has space"' in response.text
    assert await User.count() == before


async def test_user_list_shows_roles_and_groups_and_searches(client):
    member = await make_user("harmonica", display_name="山田 花子")
    await make_group("ハーモニカの会", members=(member,))
    await make_user("desk", ("front_desk",), display_name="受付 太郎")
    await as_manager(client)
    page = await client.get("/manage/users")
    text = text_of(page.text)
    assert "山田 花子" in text and "ハーモニカの会" in text and "受付 太郎" in text and "受付" in text
    found = await client.get("/manage/users", params={"q": "HARMON"})
    assert "山田 花子" in found.text and "受付 太郎" not in found.text
    staff = await client.get("/manage/users", params={"role": "front_desk"})
    assert "受付 太郎" in staff.text and "山田 花子" not in staff.text


async def test_manager_edits_profile_and_roles_with_audit_before_and_after(client):
    user_id = await make_user("desk", ("front_desk",), display_name="受付 太郎")
    await as_manager(client)
    bad = await post_form(client, f"/manage/users/{user_id}/profile", {"display_name": "", "email": "x"})
    assert bad.status_code == 400 and "名前を入力してください。" in bad.text
    ok = await post_form(
        client, f"/manage/users/{user_id}/profile", {"display_name": "受付 次郎", "email": "d@example.jp"}
    )
    assert ok.status_code == 303
    assert (await User.select(User.display_name).where(User.id == user_id).first())[
        "display_name"
    ] == "受付 次郎"
    roles = await post_form(client, f"/manage/users/{user_id}/roles", {"roles": ["facilities", "manager"]})
    assert roles.status_code == 303
    entry = await AuditEntry.select().output(load_json=True).where(AuditEntry.action == "set_roles").first()
    assert entry["before"] == {"roles": ["front_desk"]}
    assert entry["after"] == {"roles": ["facilities", "manager"]}


async def test_manager_cannot_deactivate_themselves_or_drop_their_manager_role(client):
    me = await as_manager(client)
    refused = await post_form(client, f"/manage/users/{me}/active", {"active": "no"})
    assert refused.status_code == 400
    assert "ご自身のアカウントは無効にできません。" in refused.text
    assert (await User.select(User.active).where(User.id == me).first())["active"] is True
    drop = await post_form(client, f"/manage/users/{me}/roles", {"roles": "front_desk"})
    assert drop.status_code == 400
    assert "ご自身の管理者権限は外せません。" in drop.text
    assert await UserRole.exists().where((UserRole.user == me) & (UserRole.role == "manager"))


async def test_deactivated_account_is_signed_out_and_cannot_log_in(client, app):
    import httpx

    user_id = await make_user("desk", ("front_desk",))
    transport = httpx.ASGITransport(app=app, client=("127.0.0.2", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as desk:
        await login(desk, "desk")
        await as_manager(client)
        response = await post_form(client, f"/manage/users/{user_id}/active", {"active": "no"})
        assert response.status_code == 303
        assert (await desk.get("/account/password")).status_code == 401
        refused = await post_form(desk, "/login", {"username": "desk", "password": PASSWORD})
        assert refused.status_code == 400
    entry = await AuditEntry.select().output(load_json=True).where(AuditEntry.action == "deactivate").first()
    assert entry["before"] == {"active": True} and entry["after"] == {"active": False}
    reactivated = await post_form(client, f"/manage/users/{user_id}/active", {"active": "yes"})
    assert reactivated.status_code == 303


async def test_manager_resets_a_password(client):
    user_id = await make_user("forgetful")
    await as_manager(client)
    mismatch = await post_form(
        client, f"/manage/users/{user_id}/password", {"password": NEW_PASSWORD, "confirm": "nope nope nope"}
    )
    assert mismatch.status_code == 400
    short = await post_form(
        client, f"/manage/users/{user_id}/password", {"password": "short", "confirm": "short"}
    )
    assert short.status_code == 400 and "10文字以上" in short.text
    ok = await post_form(
        client, f"/manage/users/{user_id}/password", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert ok.status_code == 303
    client.cookies.clear()
    await login(client, "forgetful", NEW_PASSWORD)
    assert await AuditEntry.exists().where(
        (AuditEntry.action == "reset_password") & (AuditEntry.entity_id == str(user_id))
    )


async def test_unknown_account_page_is_404(client):
    await as_manager(client)
    assert (await client.get("/manage/users/99999")).status_code == 404


async def test_audit_log_shows_changes_as_a_table_in_japanese_era_dates(client):
    user_id = await make_user("desk", ("front_desk",), display_name="受付 太郎")
    await as_manager(client)
    await post_form(client, f"/manage/users/{user_id}/profile", {"display_name": "受付 次郎"})
    page = await client.get("/manage/audit")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "令和" in text
    assert "内容の変更" in text
    assert "変更前 変更後" in text
    assert "名前 受付 太郎 受付 次郎" in text
    assert "管理 一郎" in text


async def test_audit_log_filters_by_entity_action_actor_and_date(client):
    user_id = await make_user("desk", ("front_desk",), display_name="受付 太郎")
    manager_id = await as_manager(client)
    await post_form(client, f"/manage/users/{user_id}/profile", {"display_name": "受付 次郎"})
    by_action = await client.get("/manage/audit", params={"action": "update"})
    assert "操作記録（1件）" in text_of(by_action.text)
    by_actor = await client.get("/manage/audit", params={"actor": str(manager_id), "entity": "user"})
    assert "操作記録（1件）" in text_of(by_actor.text)
    by_system = await client.get("/manage/audit", params={"actor": "none"})
    assert "操作記録（2件）" in text_of(by_system.text)  # the two accounts made by the test set-up
    future = await client.get("/manage/audit", params={"date_from": "2100-12-31"})
    assert "該当する記録はありません。" in future.text
    bad = await client.get("/manage/audit", params={"date_from": "yesterday"})
    assert bad.status_code == 400
    assert "2026-11-26 のように日付を入力してください。" in bad.text


async def test_audit_log_is_paginated_by_50(client):
    await as_manager(client)
    for number in range(55):
        await AuditEntry.insert(
            AuditEntry(
                at=datetime.now(UTC),
                action="update",
                entity="room",
                entity_id=str(number),
            )
        )
    first = await client.get("/manage/audit", params={"entity": "room"})
    assert first.text.count("<time ") == 50
    assert "2ページ中1ページ目" in first.text
    second = await client.get("/manage/audit", params={"entity": "room", "page": "2"})
    assert second.text.count("<time ") == 5


async def test_api_me_returns_json_for_the_signed_in_user(client):
    assert (await client.get("/api/me")).status_code == 401
    user_id = await make_user("desk", ("front_desk",), display_name="受付 太郎")
    await login(client, "desk")
    response = await client.get("/api/me")
    assert response.status_code == 200
    assert response.json() == {
        "id": user_id,
        "username": "desk",
        "display_name": "受付 太郎",
        "roles": ["front_desk"],
        "group_ids": [],
    }


async def test_api_groups_is_for_managers_and_returns_details(client):
    member = await make_user("harmonica", display_name="山田 花子")
    group_id = await make_group("ハーモニカの会", members=(member,))
    await login(client, "harmonica")
    assert (await client.get("/api/groups")).status_code == 403
    client.cookies.clear()
    await as_manager(client)
    listing = (await client.get("/api/groups")).json()
    assert listing["total"] == 1
    assert listing["groups"][0]["reference"] == f"G-{group_id:06d}"
    detail = (await client.get(f"/api/groups/{group_id}")).json()
    assert detail["name"] == "ハーモニカの会"
    assert detail["members"][0]["username"] == "harmonica"
    missing = await client.get("/api/groups/99999")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


async def test_accounts_api_appears_in_the_openapi_schema(client):
    await make_user("schema_reader", ("front_desk",))  # the schema is for staff
    await login(client, "schema_reader")
    schema = (await client.get("/schema/openapi.json")).json()
    assert {"/api/me", "/api/groups", "/api/groups/{group_id}"} <= set(schema["paths"])
    assert {"Me", "GroupDetail", "GroupPage"} <= set(schema["components"]["schemas"])
