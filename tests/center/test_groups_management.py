"""Managers review group registrations; members see only their own groups."""

import pytest

from center.accounts.tables import AuditEntry, Group, GroupMember, User
from tests.center.test_groups_registration import application
from tests.helpers import PASSWORD, login, make_group, make_user, post_form, text_of

pytestmark = pytest.mark.anyio


async def applied_group(client) -> int:
    """A pending group from the public form, by a visitor on a separate session."""
    response = await post_form(client, "/groups/apply", application())
    assert response.status_code == 303
    client.cookies.clear()
    return (await Group.select(Group.id).first())["id"]


async def as_manager(client, username: str = "boss") -> int:
    user_id = await make_user(username, ("manager",), display_name="管理 一郎")
    await login(client, username)
    return user_id


async def test_visitor_gets_401_and_non_manager_gets_403_on_manager_pages(client):
    for path in ("/manage/groups", "/manage/users", "/manage/audit", "/manage/users/new"):
        assert (await client.get(path)).status_code == 401, path
    await make_user("desk", ("front_desk",))
    await login(client, "desk")
    for path in ("/manage/groups", "/manage/users", "/manage/audit", "/manage/users/new"):
        assert (await client.get(path)).status_code == 403, path
    group_id = await make_group()
    response = await post_form(client, f"/manage/groups/{group_id}/decision/approve", {})
    assert response.status_code == 403


async def test_group_list_shows_pending_first_and_searches_kana_in_either_script(client):
    await make_group("承認済みの会", status="approved", name_kana="ショウニンズミノカイ")
    group_id = await applied_group(client)
    await as_manager(client)
    page = await client.get("/manage/groups")
    assert page.status_code == 200
    text = text_of(page.text)
    assert text.index("苫小牧ハーモニカの会") < text.index("承認済みの会")
    assert f"G-{group_id:06d}" in text
    found = await client.get("/manage/groups", params={"q": "ハーモニカ"})
    assert "苫小牧ハーモニカの会" in found.text and "承認済みの会" not in found.text
    by_hiragana = await client.get("/manage/groups", params={"q": "しょうにん"})
    assert "承認済みの会" in by_hiragana.text and "苫小牧ハーモニカの会" not in by_hiragana.text
    approved_only = await client.get("/manage/groups", params={"status": "approved"})
    assert "承認済みの会" in approved_only.text and "苫小牧ハーモニカの会" not in approved_only.text


async def test_group_search_answers_htmx_with_the_results_partial(client):
    await applied_group(client)
    await as_manager(client)
    response = await client.get("/manage/groups", params={"q": "ハーモニカ"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "苫小牧ハーモニカの会" in response.text
    assert "HX-Request" in response.headers.get("vary", "")


async def test_group_detail_shows_details_members_and_history(client):
    group_id = await applied_group(client)
    await as_manager(client)
    page = await client.get(f"/manage/groups/{group_id}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "トマコマイハーモニカノカイ" in text
    assert "hanako" in text and "山田 太郎" in text
    assert "登録申請" in text  # the history shows the application
    assert "福祉団体（減免あり）" in text


async def test_approval_activates_members_who_can_then_log_in_as_members(client):
    group_id = await applied_group(client)
    manager_id = await as_manager(client)
    response = await post_form(client, f"/manage/groups/{group_id}/decision/approve", {"reason": ""})
    assert response.status_code == 303
    group = await Group.select().where(Group.id == group_id).first()
    assert group["status"] == "approved"
    assert group["decided_by"] == manager_id and group["decided_at"] is not None
    assert await User.count().where(User.active == False) == 0
    entry = await AuditEntry.select().output(load_json=True).where(AuditEntry.action == "approve").first()
    assert entry["before"]["status"] == "pending" and entry["after"]["status"] == "approved"
    assert entry["actor_id"] == manager_id
    assert await AuditEntry.count().where(AuditEntry.action == "activate") == 2

    client.cookies.clear()
    await login(client, "hanako")
    me = (await client.get("/api/me")).json()
    assert "member" in me["roles"] and me["group_ids"] == [group_id]
    mine = await client.get("/my/groups")
    assert mine.status_code == 200
    assert "苫小牧ハーモニカの会" in mine.text and "山田 太郎" in mine.text


async def test_decline_needs_a_reason_and_keeps_members_inactive(client):
    group_id = await applied_group(client)
    await as_manager(client)
    refused = await post_form(client, f"/manage/groups/{group_id}/decision/decline", {"reason": "  "})
    assert refused.status_code == 400
    assert "理由を入力してください。" in refused.text
    assert 'aria-describedby="decline_reason-hint decline_reason-error"' in refused.text
    assert (await Group.select(Group.status).where(Group.id == group_id).first())["status"] == "pending"

    response = await post_form(
        client, f"/manage/groups/{group_id}/decision/decline", {"reason": "活動実態が確認できないため"}
    )
    assert response.status_code == 303
    group = await Group.select().where(Group.id == group_id).first()
    assert group["status"] == "declined" and group["decision_reason"] == "活動実態が確認できないため"
    assert await User.count().where(User.active == True) == 1  # only the manager
    client.cookies.clear()
    assert (
        await post_form(client, "/login", {"username": "hanako", "password": PASSWORD})
    ).status_code == 400


async def test_a_decision_that_does_not_fit_the_status_is_refused(client):
    group_id = await make_group(status="approved")
    await as_manager(client)
    response = await post_form(client, f"/manage/groups/{group_id}/decision/decline", {"reason": "重複"})
    assert response.status_code == 409
    assert "この決定はできません" in response.text
    assert (await Group.select(Group.status).where(Group.id == group_id).first())["status"] == "approved"


async def test_suspended_group_gives_no_member_role_until_reinstated(client):
    member_id = await make_user("member1")
    group_id = await make_group(status="approved", members=(member_id,))
    await as_manager(client)
    assert (await post_form(client, f"/manage/groups/{group_id}/decision/suspend", {})).status_code == 400
    response = await post_form(
        client, f"/manage/groups/{group_id}/decision/suspend", {"reason": "使用料の未納"}
    )
    assert response.status_code == 303
    client.cookies.clear()
    await login(client, "member1")
    assert (await client.get("/my/groups")).status_code == 403
    assert (await client.get("/api/me")).json()["group_ids"] == []
    client.cookies.clear()
    await login(client, "boss")
    response = await post_form(
        client, f"/manage/groups/{group_id}/decision/reinstate", {"reason": "納付を確認"}
    )
    assert response.status_code == 303
    assert (await Group.select(Group.status).where(Group.id == group_id).first())["status"] == "approved"


async def test_manager_edits_details_and_the_audit_keeps_before_and_after(client):
    group_id = await applied_group(client)
    await as_manager(client)
    bad = await post_form(client, f"/manage/groups/{group_id}/edit", application(name=""))
    assert bad.status_code == 400
    assert "団体名を入力してください。" in bad.text
    assert "<details open>" in bad.text
    response = await post_form(
        client,
        f"/manage/groups/{group_id}/edit",
        application(name="苫小牧ハーモニカ同好会", member_count="15"),
    )
    assert response.status_code == 303
    entry = await AuditEntry.select().output(load_json=True).where(AuditEntry.action == "update").first()
    assert entry["before"] == {"name": "苫小牧ハーモニカの会", "member_count": 12}
    assert entry["after"] == {"name": "苫小牧ハーモニカ同好会", "member_count": 15}
    page = await client.get(f"/manage/groups/{group_id}")
    text = text_of(page.text)
    assert "苫小牧ハーモニカの会" in text and "苫小牧ハーモニカ同好会" in text  # shown in the history


async def test_manager_adds_and_removes_members_but_not_the_last_one(client):
    group_id = await make_group(status="approved")
    await make_user("newcomer", display_name="新人 三郎")
    await as_manager(client)
    unknown = await post_form(client, f"/manage/groups/{group_id}/members", {"username": "nobody"})
    assert unknown.status_code == 400
    assert "そのユーザー名のアカウントはありません。" in unknown.text
    added = await post_form(
        client, f"/manage/groups/{group_id}/members", {"username": "newcomer", "is_representative": "yes"}
    )
    assert added.status_code == 303
    again = await post_form(client, f"/manage/groups/{group_id}/members", {"username": "newcomer"})
    assert again.status_code == 400
    newcomer_id = (await User.select(User.id).where(User.username == "newcomer").first())["id"]
    last = await post_form(client, f"/manage/groups/{group_id}/members/{newcomer_id}/remove")
    assert last.status_code == 409
    assert "少なくとも1つ" in last.text
    assert await GroupMember.count().where(GroupMember.group == group_id) == 1


async def test_members_see_only_their_own_groups(client):
    mine = await make_user("mine")
    other = await make_user("other")
    await make_group("わたしの会", members=(mine,))
    await make_group("隣町の会", members=(other,))
    await make_group("審査中の会", status="pending", members=(mine,))
    await login(client, "mine")
    page = await client.get("/my/groups")
    assert page.status_code == 200
    assert "わたしの会" in page.text
    assert "隣町の会" not in page.text and "審査中の会" not in page.text
    assert (await client.get("/manage/groups")).status_code == 403


async def test_accounts_without_a_group_cannot_open_the_member_page(client):
    await make_user("lonely")
    await login(client, "lonely")
    assert (await client.get("/my/groups")).status_code == 403


async def test_group_names_gives_each_existing_groups_name_by_id(db):
    from center.accounts.groups import group_names

    sunflower = await make_group("ひまわり会")
    aoba = await make_group("あおば会", status="pending")
    missing = sunflower + aoba + 100
    assert await group_names([aoba, sunflower, missing]) == {sunflower: "ひまわり会", aoba: "あおば会"}
    assert await group_names([]) == {}
