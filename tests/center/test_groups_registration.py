"""Group registration (団体登録) from the public form: the happy path and every refusal."""

import pytest

from center.accounts.tables import AuditEntry, Group, GroupMember, RateEvent, User
from center.lib.settings import get_settings
from tests.helpers import PASSWORD, client_at, make_user, post_form, text_of

pytestmark = pytest.mark.anyio


def application(**overrides) -> dict:
    data = {
        "name": "苫小牧ハーモニカの会",
        "name_kana": "とまこまいはーもにかのかい",
        "representative": "山田 花子",
        "contact_phone": "０１４４－３２－１２３４",
        "contact_email": "harmonica@example.jp",
        "address": "苫小牧市若草町3丁目3-8",
        "activity": "毎週木曜日にハーモニカの練習をしています。",
        "member_count": "１２",
        "reduction": "welfare",
        "in_city": "yes",
        "commercial": "no",
        "member0_username": "hanako",
        "member0_display_name": "山田 花子",
        "member0_password": PASSWORD,
        "member0_confirm": PASSWORD,
        "member1_username": "taro",
        "member1_display_name": "山田 太郎",
        "member1_password": PASSWORD,
        "member1_confirm": PASSWORD,
    }
    data.update(overrides)
    return data


async def nothing_written() -> bool:
    return (
        await Group.count() == 0
        and await GroupMember.count() == 0
        and await User.count().where(User.username.is_in(["hanako", "taro"])) == 0
        and await AuditEntry.count().where(AuditEntry.entity == "group") == 0
    )


async def test_application_form_is_public_and_japanese(client):
    response = await client.get("/groups/apply")
    assert response.status_code == 200
    assert "<h1>団体登録の申請</h1>" in response.text
    assert 'name="member4_username"' in response.text
    assert 'for="name_kana"' in response.text


async def test_application_creates_pending_group_and_inactive_member_accounts(client):
    response = await post_form(client, "/groups/apply", application())
    assert response.status_code == 303
    group = await Group.select().first()
    assert group["status"] == "pending"
    assert group["name_kana"] == "トマコマイハーモニカノカイ"
    assert group["contact_phone"] == "0144-32-1234"
    assert group["member_count"] == 12
    assert group["reduction"] == "welfare"
    users = await User.select(User.username, User.active).order_by(User.username)
    assert users == [{"username": "hanako", "active": False}, {"username": "taro", "active": False}]
    members = await GroupMember.select(GroupMember.user.username, GroupMember.is_representative).where(
        GroupMember.group == group["id"]
    )
    assert {m["user.username"]: m["is_representative"] for m in members} == {"hanako": True, "taro": False}
    apply_entry = await AuditEntry.select().output(load_json=True).where(AuditEntry.action == "apply").first()
    assert apply_entry["entity_id"] == str(group["id"])
    assert apply_entry["after"]["members"] == ["hanako", "taro"]


async def test_confirmation_page_shows_the_reference_number(client):
    response = await post_form(client, "/groups/apply", application(), follow_redirects=True)
    group_id = (await Group.select(Group.id).first())["id"]
    assert response.status_code == 200
    assert f"G-{group_id:06d}" in response.text
    assert "申請を受け付けました" in response.text
    assert "苫小牧ハーモニカの会" in response.text


async def test_confirmation_page_without_an_application_sends_back_to_the_form(client):
    response = await client.get("/groups/apply/done")
    assert response.status_code == 303
    assert response.headers["location"] == "/groups/apply"


async def test_applicants_cannot_log_in_before_approval(client):
    await post_form(client, "/groups/apply", application())
    response = await post_form(client, "/login", {"username": "hanako", "password": PASSWORD})
    assert response.status_code == 400


async def test_empty_application_names_every_required_field_and_writes_nothing(client):
    response = await post_form(client, "/groups/apply", {})
    assert response.status_code == 400
    page = response.text
    assert 'role="alert"' in page
    for message in (
        "団体名を入力してください。",
        "団体名のふりがなを入力してください。",
        "代表者名を入力してください。",
        "電話番号を入力してください。",
        "団体の住所を入力してください。",
        "活動内容を入力してください。",
        "おおよその会員数を入力してください。",
        "苫小牧市内の団体かどうかを選んでください。",
        "営利目的の利用かどうかを選んでください。",
        "名前を入力してください。",
    ):
        assert message in page, message
    assert 'id="member0_username" name="member0_username" type="text" value="" required' in page
    assert 'aria-describedby="member0_username-error"' in page
    assert await nothing_written()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name_kana", "Harmonica", "ひらがなかカタカナで入力してください。"),
        ("contact_phone", "12345", "10桁か11桁の電話番号"),
        ("contact_email", "not-an-address", "name@example.jp"),
        ("member_count", "たくさん", "1から9999までの整数"),
        ("reduction", "everything", "選択肢から選んでください。"),
        ("in_city", "", "苫小牧市内の団体かどうかを選んでください。"),
    ],
)
async def test_bad_group_field_is_refused_with_its_own_message(client, field, value, message):
    response = await post_form(client, "/groups/apply", application(**{field: value}))
    assert response.status_code == 400
    assert message in response.text
    assert f'aria-describedby="{field}-error"' in response.text or f"{field}-error" in response.text
    assert await nothing_written()


async def test_error_summary_lists_problems_in_form_order_with_links(client):
    response = await post_form(client, "/groups/apply", {})
    summary = response.text.split('id="error-summary"')[1].split("</div>")[0]
    links = [part.split('"')[0] for part in summary.split('href="#')[1:]]
    assert links[:4] == ["name", "name_kana", "representative", "contact_phone"]
    assert links[-1].startswith("member0_")


async def test_commercial_use_cannot_claim_a_fee_reduction(client):
    response = await post_form(client, "/groups/apply", application(commercial="yes", reduction="welfare"))
    assert response.status_code == 400
    assert "営利目的の利用は使用料の減免を受けられません。" in response.text
    assert await nothing_written()


async def test_taken_user_name_is_refused(client):
    await make_user("taro")
    response = await post_form(client, "/groups/apply", application())
    assert response.status_code == 400
    assert "そのユーザー名はすでに使われています。" in response.text
    assert await Group.count() == 0
    assert await User.count() == 1


async def test_same_user_name_twice_in_one_application_is_refused(client):
    response = await post_form(client, "/groups/apply", application(member1_username="hanako"))
    assert response.status_code == 400
    assert "会員ごとに別のユーザー名にしてください。" in response.text
    assert await nothing_written()


async def test_weak_or_mismatched_passwords_are_refused(client):
    response = await post_form(
        client,
        "/groups/apply",
        application(member0_password="short", member0_confirm="short", member1_confirm="something else!"),
    )
    assert response.status_code == 400
    assert "パスワードは10文字以上にしてください。" in response.text
    assert "2つのパスワードが一致しません。" in response.text
    assert await nothing_written()


async def test_partly_filled_extra_member_row_is_refused(client):
    response = await post_form(client, "/groups/apply", application(member2_display_name="佐藤 一郎"))
    assert response.status_code == 400
    assert 'aria-describedby="member2_username-error"' in response.text
    assert await nothing_written()


async def test_refused_form_keeps_typed_values_but_not_passwords(client):
    response = await post_form(client, "/groups/apply", application(contact_phone="123"))
    assert response.status_code == 400
    assert 'value="苫小牧ハーモニカの会"' in response.text
    assert PASSWORD not in response.text


async def test_application_form_in_english(client):
    await post_form(client, "/lang", {"lang": "en", "next": "/"})
    response = await post_form(client, "/groups/apply", {})
    assert response.status_code == 400
    assert "Enter the group&#39;s name." in response.text or "Enter the group's name." in text_of(
        response.text
    )


# ---- the rate limit per client address --------------------------------------------------------


def nth_application(n: int) -> dict:
    return application(
        name=f"苫小牧ハーモニカの会{n}", member0_username=f"hanako{n}", member1_username=f"taro{n}"
    )


async def written() -> tuple[int, ...]:
    return (
        await Group.count(),
        await GroupMember.count(),
        await User.count(),
        await AuditEntry.count(),
        await RateEvent.count(),
    )


async def apply_up_to_the_limit(client) -> int:
    limit = get_settings().group_applications_per_hour
    for n in range(limit):
        response = await post_form(client, "/groups/apply", nth_application(n))
        assert response.status_code == 303, response.text[:500]
    return limit


async def test_applications_past_the_hourly_limit_from_one_address_are_refused_and_write_nothing(client):
    limit = await apply_up_to_the_limit(client)
    before = await written()
    response = await post_form(client, "/groups/apply", nth_application(limit))
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    text = text_of(response.text)
    assert "この接続からの送信が多すぎます。" in text and "分後にもう一度お試しいただくか" in text
    assert 'role="alert"' in response.text
    assert f'value="苫小牧ハーモニカの会{limit}"' in response.text  # the form keeps what was typed
    assert await written() == before
    assert await Group.count() == limit


async def test_the_refusal_is_in_english_when_the_language_is_english(client):
    limit = await apply_up_to_the_limit(client)
    await post_form(client, "/lang", {"lang": "en", "next": "/"})
    response = await post_form(client, "/groups/apply", nth_application(limit))
    assert response.status_code == 429
    assert "Too many submissions from this connection. Please try again in" in text_of(response.text)


async def test_the_limit_of_one_address_does_not_hold_back_another(client, app):
    limit = await apply_up_to_the_limit(client)
    async with client_at(app, "192.0.2.44") as neighbour:
        response = await post_form(neighbour, "/groups/apply", nth_application(limit))
    assert response.status_code == 303
    assert await Group.count() == limit + 1


async def test_refused_invalid_applications_do_not_count_towards_the_limit(client):
    for _ in range(get_settings().group_applications_per_hour + 1):
        assert (await post_form(client, "/groups/apply", {})).status_code == 400
    assert await RateEvent.count() == 0
    assert (await post_form(client, "/groups/apply", nth_application(0))).status_code == 303
