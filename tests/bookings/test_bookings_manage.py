"""Staff pages for bookings: approval, decline with a reason, phone bookings with overrides, moves,
staff cancellation, and the rules the manager edits."""

import re
from datetime import timedelta

import pytest

from bookings.fees import ensure_default_rules
from bookings.rules import BookingRequest
from bookings.service import ensure_default_refund_rules, request_booking
from bookings.tables import Booking, BookingPolicy, Surcharge
from center.accounts.actors import ActorRef
from center.accounts.tables import AuditEntry
from center.ledger.tables import Hold
from center.lib.dates import today
from tests.helpers import login, make_calendar, make_group, make_room, make_user, post_form
from tests.snapshots import snapshot_fixture

pytestmark = pytest.mark.anyio

FEES = {"morning": (600, 200), "afternoon": (800, 250), "evening": (800, 250)}
MEMBER = ActorRef(None, "member")


@pytest.fixture
@snapshot_fixture
async def center(db):
    slots = await make_calendar(heating=(1, 12))
    await ensure_default_rules()
    await ensure_default_refund_rules()
    hall = await make_room(
        code="hall", name_ja="多目的ホール", capacity=100, floor=2, fees=FEES, slot_ids=slots
    )
    meeting = await make_room(fees=FEES, slot_ids=slots)
    member = await make_user("member1")
    group = await make_group("いきいきシニアサロン若草", members=(member,), reduction="welfare")
    await make_user("manager1", ("manager",))
    await make_user("desk1", ("front_desk",))
    day = today() + timedelta(days=12)
    booking = await request_booking(
        BookingRequest(
            room_id=hall, day=day, slot_codes=["morning"], purpose="健康体操", expected_head_count=20
        ),
        group,
        MEMBER,
    )
    return {"hall": hall, "meeting": meeting, "group": group, "day": day, "booking": booking}


async def test_the_manager_sees_pending_requests_and_approves_one(client, center):
    await login(client, "manager1")
    listing = await client.get("/manage/bookings")
    assert "いきいきシニアサロン若草" in listing.text
    response = await post_form(client, f"/manage/bookings/{center['booking']}/approve")
    assert response.status_code == 303
    booking = await Booking.select().where(Booking.id == center["booking"]).first()
    assert booking["status"] == "approved" and booking["permit_number"]
    assert (
        await AuditEntry.count().where((AuditEntry.entity == "booking") & (AuditEntry.action == "approve"))
        == 1
    )


async def test_declining_needs_a_reason(client, center):
    await login(client, "manager1")
    response = await post_form(client, f"/manage/bookings/{center['booking']}/decline", {"reason": ""})
    assert response.status_code == 400
    assert "理由を入力してください" in response.text
    assert (await Booking.select(Booking.status).first())["status"] == "requested"
    response = await post_form(
        client, f"/manage/bookings/{center['booking']}/decline", {"reason": "館の行事と重なるため"}
    )
    assert response.status_code == 303
    assert await Hold.count().where(Hold.active == True) == 0


async def test_the_front_desk_cannot_approve(client, center):
    await login(client, "desk1")
    assert (await post_form(client, f"/manage/bookings/{center['booking']}/approve")).status_code == 403
    assert (await client.get("/manage/bookings")).status_code == 200


async def test_the_front_desk_books_by_phone_with_an_override_reason(client, center):
    await login(client, "desk1")
    data = {
        "group": str(center["group"]),
        "room": "meeting1",
        "day": (today() + timedelta(days=1)).isoformat(),
        "slots": ["evening"],
        "purpose": "臨時役員会",
        "expected_head_count": "6",
        "action": "request",
    }
    refused = await post_form(client, "/manage/bookings/new", data)
    assert refused.status_code == 400  # one day ahead is inside the 3-day rule
    response = await post_form(
        client, "/manage/bookings/new", {**data, "override_reason": "電話受付・管理者了承"}
    )
    assert response.status_code == 303
    booking = await Booking.select().where(Booking.purpose == "臨時役員会").first()
    assert booking["override_reason"] == "電話受付・管理者了承"


async def test_staff_move_a_booking_and_a_clash_is_refused(client, center):
    await login(client, "manager1")
    await request_booking(
        BookingRequest(
            room_id=center["meeting"],
            day=center["day"],
            slot_codes=["morning"],
            purpose="会議",
            expected_head_count=10,
        ),
        center["group"],
        MEMBER,
    )
    clash = await post_form(
        client,
        f"/manage/bookings/{center['booking']}/move",
        {"room": "meeting1", "day": center["day"].isoformat(), "slots": ["morning"], "reason": "部屋の変更"},
    )
    assert clash.status_code == 409
    moved = await post_form(
        client,
        f"/manage/bookings/{center['booking']}/move",
        {"room": "hall", "day": center["day"].isoformat(), "slots": ["afternoon"], "reason": "時間の変更"},
    )
    assert moved.status_code == 303
    assert (await Booking.select(Booking.slot_codes).where(Booking.id == center["booking"]).first())[
        "slot_codes"
    ] == "afternoon"


async def test_staff_cancel_needs_a_reason_and_releases_the_room(client, center):
    await login(client, "desk1")
    assert (
        await post_form(client, f"/manage/bookings/{center['booking']}/cancel", {"reason": ""})
    ).status_code == 400
    response = await post_form(
        client, f"/manage/bookings/{center['booking']}/cancel", {"reason": "団体より電話"}
    )
    assert response.status_code == 303
    assert await Hold.count().where(Hold.active == True) == 0


async def test_the_manager_edits_the_rules_and_bad_values_change_nothing(client, center):
    await login(client, "manager1")
    page = await client.get("/manage/booking-rules")
    assert page.status_code == 200
    policy = await BookingPolicy.select().first()
    surcharge = await Surcharge.select().where(Surcharge.code == "commercial").first()
    # the form as the page shows it, then the manager's changes
    form = dict(re.findall(r'name="([a-z_]+(?:-[a-z]+)*-?\d*)" type="number" value="(\d+)"', page.text))
    assert "book_from_days" in form and f"surcharge-{surcharge['id']}" in form
    form.update({"book_until_months": "3", f"surcharge-{surcharge['id']}": "150"})
    bad = await post_form(client, "/manage/booking-rules", {**form, "book_until_months": "-1"})
    assert bad.status_code == 400
    assert (await BookingPolicy.select().first())["book_until_months"] == policy["book_until_months"]
    ok = await post_form(client, "/manage/booking-rules", form)
    assert ok.status_code == 303
    assert (await BookingPolicy.select().first())["book_until_months"] == 3
    assert (await Surcharge.select().where(Surcharge.code == "commercial").first())["percent"] == 150
