"""Request numbers from the moment a booking is made, and what staff see first: the queue by
decision deadline, and the home page's counts that lead to exactly the rows they count."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine

from bookings.fees import ensure_default_rules
from bookings.request_numbers import backfill_request_numbers, request_number
from bookings.rules import BookingRequest
from bookings.service import approve, request_booking
from bookings.tables import Booking, BookingPolicy, Payment
from center.accounts.actors import ActorRef
from center.lib.dates import TOKYO
from center.lib.db import get_engine
from center.notices.tables import Notice
from maintenance.tables import Location, Ticket
from tests.helpers import login, make_calendar, make_group, make_room, make_user, post_form, text_of
from tests.snapshots import snapshot

pytestmark = pytest.mark.anyio

FEES = {"morning": (600, 200), "afternoon": (800, 250), "evening": (800, 250)}
NOW = datetime(2026, 12, 4, 12, 35, tzinfo=TOKYO)
MEMBER = ActorRef(None, "member")
MANAGER = ActorRef(None, "manager", staff=True)


@pytest.fixture
async def center(db):
    with time_machine.travel(NOW, tick=True):
        yield await snapshot(_center)  # built once per worker, then restored


async def _center():
    slots = await make_calendar(closes="21:00", heating=(1, 12))
    await ensure_default_rules()
    room = await make_room(code="hall", name_ja="多目的ホール", capacity=100, fees=FEES, slot_ids=slots)
    member = await make_user("member1")
    await make_user("manager1", ("manager",))
    await make_user("desk1", ("front_desk",))
    await make_user("facilities1", ("facilities",))
    group = await make_group("子育てサークルひまわり", members=(member,))
    return {"room": room, "group": group}


async def _request(center, day: date, slot: str = "morning", purpose: str = "子育て相談会") -> int:
    request = BookingRequest(center["room"], day, [slot], purpose=purpose, expected_head_count=5)
    return await request_booking(request, center["group"], MEMBER)


# --- the request number ------------------------------------------------------------------------------


async def test_a_request_gets_its_number_at_once_in_the_year_it_was_made(center):
    booking_id = await _request(center, date(2026, 12, 12))
    row = await Booking.select().where(Booking.id == booking_id).first()
    assert row["status"] == "requested" and row["permit_number"] is None
    assert row["request_number"] == f"R-2026-{booking_id:05d}"
    assert re.fullmatch(r"R-\d{4}-\d{5,}", request_number(123456, datetime(2027, 1, 1, tzinfo=UTC)))


async def test_the_database_refuses_a_second_booking_with_the_same_request_number(center):
    first = await _request(center, date(2026, 12, 12))
    second = await _request(center, date(2026, 12, 13))
    number = (await Booking.select(Booking.request_number).where(Booking.id == first).first())[
        "request_number"
    ]
    with pytest.raises(Exception, match=r"(?i)unique"):
        await get_engine().run_ddl(
            f"UPDATE bookings_booking SET request_number = '{number}' WHERE id = {second}"
        )


async def test_the_number_shows_on_the_member_s_page_list_and_notice_and_on_the_staff_page(client, center):
    booking_id = await _request(center, date(2026, 12, 12))
    number = f"R-2026-{booking_id:05d}"
    await login(client, "member1")
    assert number in text_of((await client.get(f"/bookings/{booking_id}")).text)
    assert number in text_of((await client.get("/bookings/mine")).text)
    notice = await Notice.select().where(Notice.kind == "booking.request").first()
    assert f"申込番号 {number}" in notice["body_ja"] and f"request No. {number}" in notice["body_en"]
    await client.post("/logout", headers={"x-csrftoken": client.cookies.get("csrftoken", "")})
    client.cookies.clear()
    await login(client, "desk1")
    staff_page = text_of((await client.get(f"/manage/bookings/{booking_id}")).text)
    assert f"申込番号 {number}" in staff_page and "承認期限 令和8年12月9日(水) 21:00" in staff_page


async def test_the_api_gives_the_number_and_the_deadline_only_while_the_request_is_open(client, center):
    open_id = await _request(center, date(2026, 12, 12))
    approved_id = await _request(center, date(2026, 12, 13))
    await approve(approved_id, MANAGER)
    await login(client, "member1")
    open_one = (await client.get(f"/api/bookings/{open_id}")).json()
    assert open_one["request_number"] == f"R-2026-{open_id:05d}"
    assert datetime.fromisoformat(open_one["lapses_at"]) == datetime(2026, 12, 9, 21, 0, tzinfo=TOKYO)
    listed = {item["id"]: item for item in (await client.get("/api/bookings")).json()["bookings"]}
    assert listed[approved_id]["request_number"] == f"R-2026-{approved_id:05d}"
    assert listed[approved_id]["lapses_at"] is None
    assert listed[approved_id]["permit_number"] != listed[approved_id]["request_number"]


async def test_the_backfill_numbers_bookings_made_before_numbers_existed(center):
    booking_id = await _request(center, date(2026, 12, 12))
    await Booking.update({Booking.request_number: None}, force=True)
    assert await backfill_request_numbers() == 1
    row = await Booking.select(Booking.request_number, Booking.created_at).first()
    assert row["request_number"] == request_number(booking_id, row["created_at"])
    assert await backfill_request_numbers() == 0


# --- the manager's queue -----------------------------------------------------------------------------


async def test_the_queue_puts_the_most_urgent_decision_first(client, center):
    # requested in this order at 12/4 12:35. Deadlines: 1/20 -> 12/14 12:35 (ten days), both 12/15
    # uses -> 12/12 21:00 (the cutoff; the morning one first by its use), 12/12 -> 12/9 21:00
    later = await _request(center, date(2027, 1, 20), purpose="一月の会")
    soon_evening = await _request(center, date(2026, 12, 15), slot="evening", purpose="十五日の夜")
    soon_morning = await _request(center, date(2026, 12, 15), slot="morning", purpose="十五日の朝")
    urgent = await _request(center, date(2026, 12, 12), purpose="十二日の会")
    await login(client, "manager1")
    page = (await client.get("/manage/bookings?status=requested")).text
    order = [int(found) for found in re.findall(r'/manage/bookings/(\d+)">', page)]
    assert list(dict.fromkeys(order)) == [urgent, soon_morning, soon_evening, later]
    assert "令和8年12月9日(水) 21:00" in text_of(page)


# --- the staff home page -----------------------------------------------------------------------------


async def _urgent_picture(center) -> dict:
    """Two open requests (one due within 48 hours), two approved bookings within a week (one
    paid in full, one short after a refund), one paid-for use later, and urgent tickets."""
    due_soon = await _request(center, date(2026, 12, 8), purpose="八日の会")  # cutoff 12/5 21:00
    await _request(center, date(2027, 1, 20), purpose="一月の会")
    paid, short, later = (
        await _request(center, date(2026, 12, 8), slot="evening", purpose="支払済"),
        await _request(center, date(2026, 12, 9), purpose="未納"),
        await _request(center, date(2026, 12, 20), purpose="再来週"),
    )
    for booking_id in (paid, short, later):
        await approve(booking_id, MANAGER)
    now = datetime.now(UTC)
    fee = (await Booking.select(Booking.fee_total).where(Booking.id == short).first())["fee_total"]
    await Payment.insert(
        Payment(booking=paid, kind="payment", amount=5000, receipt_number="P-1", paid_at=now),
        Payment(booking=short, kind="payment", amount=fee, receipt_number="P-2", paid_at=now),
        Payment(booking=short, kind="refund", amount=100, receipt_number="P-3", paid_at=now),
    )
    rows = await Location.insert(Location(code="entrance", name_ja="玄関", name_en="Entrance")).returning(
        Location.id
    )
    for title, priority, status in (
        ("自動ドアが閉まらない", "urgent", "new"),
        ("非常灯の点検", "urgent", "done"),
        ("壁紙のはがれ", "normal", "new"),
    ):
        await Ticket.insert(
            Ticket(
                title=title,
                category="repair",
                location=rows[0]["id"],
                priority=priority,
                status=status,
                created_at=now,
                updated_at=now,
            )
        )
    return {"due_soon": due_soon, "short": short}


async def test_the_home_page_counts_what_needs_staff_attention(client, center):
    await _urgent_picture(center)
    await login(client, "manager1")
    page = text_of((await client.get("/")).text)
    assert "承認待ちの申込み: 2件" in page
    assert "48時間以内に承認期限: 1件" in page
    assert "承認済み・未納で7日以内に利用: 1件" in page
    assert "未完了の緊急の修繕チケット: 1件" in page


async def test_each_home_count_links_to_a_list_of_exactly_those_rows(client, center):
    picture = await _urgent_picture(center)
    await login(client, "manager1")
    home = (await client.get("/")).text
    links = dict(re.findall(r'<li><a href="([^"]+)">([^<:]+):', home))
    by_label = {label: href.replace("&amp;", "&") for href, label in links.items()}
    due_page = (await client.get(by_label["48時間以内に承認期限"])).text
    assert set(map(int, re.findall(r'/manage/bookings/(\d+)">', due_page))) == {picture["due_soon"]}
    unpaid_page = (await client.get(by_label["承認済み・未納で7日以内に利用"])).text
    assert set(map(int, re.findall(r'/manage/bookings/(\d+)">', unpaid_page))) == {picture["short"]}
    pending_page = text_of((await client.get(by_label["承認待ちの申込み"])).text)
    assert "八日の会" in pending_page and "一月の会" in pending_page and "支払済" not in pending_page
    tickets_page = text_of((await client.get(by_label["未完了の緊急の修繕チケット"])).text)
    assert "自動ドアが閉まらない" in tickets_page
    assert "非常灯の点検" not in tickets_page and "壁紙のはがれ" not in tickets_page


async def test_counts_follow_the_roles_and_are_not_shown_to_members(client, center):
    await _urgent_picture(center)
    await login(client, "desk1")
    desk = text_of((await client.get("/")).text)
    assert "承認待ちの申込み" in desk and "修繕チケット" not in desk
    client.cookies.clear()
    await login(client, "facilities1")
    facilities = text_of((await client.get("/")).text)
    assert "修繕チケット" in facilities and "承認待ち" not in facilities
    client.cookies.clear()
    await login(client, "member1")
    assert "職員向け" not in text_of((await client.get("/")).text)


# --- the rule the manager sets -----------------------------------------------------------------------


async def test_the_manager_sets_the_decision_cutoff_and_one_past_the_online_cutoff_is_refused(client, center):
    await login(client, "manager1")
    page = await client.get("/manage/booking-rules")
    form = dict(re.findall(r'name="([a-z_]+(?:-[a-z]+)*-?\d*)" type="number" value="(\d+)"', page.text))
    assert form["decide_days_before"] == "3"
    bad = await post_form(client, "/manage/booking-rules", {**form, "decide_days_before": "5"})
    assert bad.status_code == 400
    assert "オンライン申込みを締め切る日数以下の日数を入力してください" in text_of(bad.text)
    assert (await BookingPolicy.select().first())["decide_days_before"] == 3
    ok = await post_form(client, "/manage/booking-rules", {**form, "decide_days_before": "2"})
    assert ok.status_code == 303
    assert (await BookingPolicy.select().first())["decide_days_before"] == 2
    booking_id = await _request(center, date(2026, 12, 12))
    row = await Booking.select(Booking.lapses_at).where(Booking.id == booking_id).first()
    assert row["lapses_at"] == datetime(2026, 12, 10, 21, 0, tzinfo=TOKYO)
