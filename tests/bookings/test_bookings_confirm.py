"""The confirmation step (確認画面) before a member's request is sent, the agreement to the terms of
use (利用規約) it records, the manager's versioned terms, and the same agreement through the API.
Every step is a plain form POST, as without JavaScript."""

import re
from datetime import timedelta

import pytest

from bookings.fees import ensure_default_rules
from bookings.service import ensure_default_refund_rules
from bookings.tables import Booking, BookingTerms
from bookings.terms import publish_terms
from center.accounts.actors import ActorRef
from center.ledger.tables import Hold
from center.lib.dates import today, wareki
from tests.helpers import (
    csrf_token,
    login,
    make_calendar,
    make_group,
    make_room,
    make_user,
    post_form,
    text_of,
)
from tests.snapshots import snapshot_fixture

pytestmark = pytest.mark.anyio

FORM = "/bookings/new"
CONFIRM = "/bookings/request/confirm"
FEES = {"morning": (600, 200), "afternoon": (800, 250), "evening": (800, 250)}
TERMS_JA = "第1条 部屋は申請した目的のとおりに使ってください。\n\n第2条 火気は使えません。"
TERMS_EN = "Article 1: Use the room for the purpose you requested.\n\nArticle 2: No open flames."


@pytest.fixture
@snapshot_fixture
async def center(db):
    slots = await make_calendar(heating=(1, 12))  # heating all year: fees do not depend on the date
    await ensure_default_rules()
    await ensure_default_refund_rules()
    await make_room(
        code="hall",
        name_ja="多目的ホール",
        capacity=100,
        floor=2,
        fees=FEES,
        slot_ids=slots,
        equipment=["projector"],
    )
    member = await make_user("member1")
    group = await make_group("子育てサークルひまわり", members=(member,), representative="日向 葵")
    await make_user("desk1", ("front_desk",))
    await make_user("boss", ("manager",))
    await publish_terms(TERMS_JA, TERMS_EN, ActorRef())
    return {"group": group, "day": today() + timedelta(days=14)}


def form(center, **changes):
    data = {
        "group": str(center["group"]),
        "room": "hall",
        "day": center["day"].isoformat(),
        "slots": ["morning"],
        "purpose": "子育て相談会",
        "expected_head_count": "20",
        "contact_name": "日向 葵",
        "contact_phone": "0144-11-2222",
        "equipment": ["projector"],
        "public": "on",
        "public_title": "子育て相談会（どなたでも）",
        "action": "request",
    }
    data.update(changes)
    return data


def confirmed(center, **changes):
    """What the confirmation page posts when the member ticks the agreement and confirms."""
    return form(center, **{"action": "confirm", "agree_to_terms": "on", "terms_version": "1", **changes})


def hidden_fields(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', html)


async def test_the_form_leads_to_a_confirmation_page_with_the_fee_and_the_terms_and_writes_nothing(
    client, center
):
    await login(client, "member1")
    response = await post_form(client, FORM, form(center))
    assert response.status_code == 200, text_of(response.text)[:400]
    page = text_of(response.text)
    assert "申込み内容の確認" in page and "多目的ホール" in page
    assert wareki(center["day"]) in page
    assert "午前" in page and "プロジェクター" in page
    assert "¥800" in page  # 600 + heating 200
    assert "取消し" in page and "還付" in page  # the refund rules
    assert 'href="/terms"' in response.text and "第1版" in page
    assert f'action="{CONFIRM}"' in response.text
    assert ("terms_version", "1") in hidden_fields(response.text)
    assert ("purpose", "子育て相談会") in hidden_fields(response.text)
    assert await Booking.count() == 0 and await Hold.count() == 0


async def test_confirming_with_the_agreement_makes_the_request_with_the_terms_version(client, center):
    await login(client, "member1")
    response = await post_form(client, CONFIRM, confirmed(center))
    assert response.status_code == 303, text_of(response.text)[:400]
    booking = await Booking.select().first()
    assert booking["terms_version"] == 1 and booking["terms_agreed_at"] is not None
    assert booking["status"] == "requested" and booking["equipment"] in (["projector"], '["projector"]')
    assert response.headers["location"] == f"/bookings/{booking['id']}"
    assert await Hold.count().where(Hold.active == True) == 1


async def test_the_confirmation_pages_own_fields_make_the_request(client, center):
    await login(client, "member1")
    page = await post_form(client, FORM, form(center))
    data: dict = {}
    for name, value in hidden_fields(page.text):
        data.setdefault(name, []).append(value)
    data.update(action="confirm", agree_to_terms="on")
    response = await post_form(client, CONFIRM, data)
    assert response.status_code == 303
    booking = await Booking.select().first()
    assert booking["purpose"] == "子育て相談会" and booking["public_title"] == "子育て相談会（どなたでも）"
    assert booking["public"] is True and booking["slot_codes"] == "morning"


async def test_confirming_without_the_agreement_shows_the_confirmation_again_and_writes_nothing(
    client, center
):
    await login(client, "member1")
    response = await post_form(client, CONFIRM, confirmed(center, agree_to_terms=""))
    assert response.status_code == 400
    page = text_of(response.text)
    assert "申込み内容の確認" in page and "利用規約への同意が必要です" in page
    assert 'href="#agree_to_terms"' in response.text  # the error summary links to the checkbox
    assert re.search(r'id="agree_to_terms"[^>]*aria-invalid="true"', response.text)
    assert await Booking.count() == 0 and await Hold.count() == 0


async def test_back_returns_to_the_form_with_everything_typed_kept(client, center):
    await login(client, "member1")
    response = await post_form(client, FORM, form(center, action="edit", contact_name="苫小牧 花子"))
    assert response.status_code == 200
    html = response.text
    assert "部屋の利用申込み" in text_of(html)
    assert 'value="子育て相談会"' in html and 'value="苫小牧 花子"' in html
    assert 'value="morning" checked' in html
    assert re.search(r'id="public" name="public" value="on" checked', html)
    assert re.search(r'id="equipment-projector" name="equipment" value="projector" checked', html)
    assert await Booking.count() == 0


async def test_values_altered_on_the_way_are_refused_as_the_form_refuses_them(client, center):
    await login(client, "member1")
    response = await post_form(client, CONFIRM, confirmed(center, expected_head_count="500"))
    assert response.status_code == 400
    assert "定員は100人" in text_of(response.text)
    assert await Booking.count() == 0 and await Hold.count() == 0


async def test_terms_published_after_the_confirmation_page_must_be_agreed_to_again(client, center):
    await login(client, "member1")
    await publish_terms("第1条 改定しました。", "", ActorRef())
    stale = await post_form(client, CONFIRM, confirmed(center))
    assert stale.status_code == 400 and "改定されました" in text_of(stale.text)
    assert ("terms_version", "2") in hidden_fields(stale.text)
    assert await Booking.count() == 0
    fresh = await post_form(client, CONFIRM, confirmed(center, terms_version="2"))
    assert fresh.status_code == 303
    assert (await Booking.select(Booking.terms_version).first())["terms_version"] == 2


async def test_the_manager_publishes_version_2_and_a_booking_keeps_the_version_it_agreed_to(client, center):
    await login(client, "member1")
    await post_form(client, CONFIRM, confirmed(center))
    booking = await Booking.select().first()
    client.cookies.clear()
    await login(client, "boss")
    editor = await client.get("/manage/terms")
    assert editor.status_code == 200 and "第1条 部屋は申請した目的" in editor.text
    saved = await post_form(client, "/manage/terms", {"body_ja": "第1条 新しい規約です。", "body_en": ""})
    assert saved.status_code == 303
    public = await client.get("/terms")
    page = text_of(public.text)
    assert "第2版" in page and "新しい規約です" in page and "火気" not in page
    assert wareki(today(), weekday=False) in page
    assert (await Booking.select(Booking.terms_version).first())["terms_version"] == 1
    staff_page = text_of((await client.get(f"/manage/bookings/{booking['id']}")).text)
    assert "第1版" in staff_page and "同意" in staff_page
    earlier = text_of((await client.get("/terms?version=1")).text)
    assert "火気" in earlier and "以前の版" in earlier


async def test_terms_without_japanese_are_refused_and_nothing_is_published(client, center):
    await login(client, "boss")
    response = await post_form(client, "/manage/terms", {"body_ja": "  ", "body_en": "Terms"})
    assert response.status_code == 400
    assert "利用規約（日本語）を入力してください" in text_of(response.text)
    assert 'href="#body_ja"' in response.text
    assert await BookingTerms.count() == 1


async def test_members_cannot_edit_the_terms(client, center):
    await login(client, "member1")
    assert (await client.get("/manage/terms")).status_code == 403
    response = await post_form(client, "/manage/terms", {"body_ja": "勝手な規約", "body_en": ""})
    assert response.status_code == 403
    assert await BookingTerms.count() == 1


async def test_the_terms_page_reads_in_english_by_switch(client, center):
    await post_form(client, "/lang", {"lang": "en", "next": "/terms"})
    page = text_of((await client.get("/terms")).text)
    assert "Version 1" in page and "No open flames." in page and "火気" not in page


async def test_a_staff_phone_booking_records_no_agreement_and_the_staff_page_says_so(client, center):
    await login(client, "desk1")
    response = await post_form(client, "/manage/bookings/new", form(center))
    assert response.status_code == 303, text_of(response.text)[:400]
    booking = await Booking.select().first()
    assert booking["terms_version"] is None and booking["terms_agreed_at"] is None
    staff_page = text_of((await client.get(response.headers["location"])).text)
    assert "同意の記録なし" in staff_page


async def test_without_published_terms_the_agreement_is_still_asked_and_no_version_recorded(client, center):
    await BookingTerms.delete(force=True)
    await login(client, "member1")
    page = await post_form(client, FORM, form(center))
    assert ("terms_version", "") in hidden_fields(page.text)
    refused = await post_form(client, CONFIRM, confirmed(center, terms_version="", agree_to_terms=""))
    assert refused.status_code == 400 and await Booking.count() == 0
    response = await post_form(client, CONFIRM, confirmed(center, terms_version=""))
    assert response.status_code == 303
    booking = await Booking.select().first()
    assert booking["terms_version"] is None and booking["terms_agreed_at"] is not None


# --- the JSON API ---


def body(center, **changes):
    data = {
        "group_id": center["group"],
        "room": "hall",
        "day": center["day"].isoformat(),
        "slots": ["morning"],
        "purpose": "子育て相談会",
        "expected_head_count": 20,
    }
    data.update(changes)
    return data


async def post_json(client, data):
    return await client.post("/api/bookings", json=data, headers={"x-csrftoken": await csrf_token(client)})


async def test_the_api_refuses_a_request_without_agree_to_terms_and_writes_nothing(client, center):
    await login(client, "member1")
    missing = await post_json(client, body(center))
    refused = await post_json(client, body(center, agree_to_terms=False))
    for response in (missing, refused):
        assert response.status_code == 400, response.text
        assert "利用規約への同意が必要です" in response.json()["errors"]["agree_to_terms"]
    assert await Booking.count() == 0 and await Hold.count() == 0


async def test_the_api_records_the_terms_version_agreed_to(client, center):
    await login(client, "member1")
    response = await post_json(client, body(center, agree_to_terms=True))
    assert response.status_code == 201, response.text
    assert response.json()["terms_version"] == 1 and response.json()["terms_agreed_at"].endswith("Z")
    assert (await Booking.select(Booking.terms_version).first())["terms_version"] == 1
