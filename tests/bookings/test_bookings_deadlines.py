"""The decision deadline: a request's hold lapses at the earliest of the tentative period, the
manager's cutoff before the day of use and the use's start; never after the use starts, and what
is stored is what the member is told."""

import asyncio
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.deadlines import (
    DeadlineRule,
    cutoff_instant,
    decision_deadline,
    load_rule,
    recompute_open_deadlines,
)
from bookings.fees import ensure_default_rules
from bookings.rules import BookingRequest
from bookings.service import request_booking
from bookings.tables import Booking, BookingPolicy
from center.accounts.actors import ActorRef
from center.accounts.tables import AuditEntry, Group
from center.ledger.tables import Hold
from center.lib.dates import TOKYO, format_datetime, local_instant, to_local
from center.lib.i18n import current_locale
from center.notices.tables import Notice
from center.places.calendar import CalendarData
from center.places.tables import OpeningHours, Room
from tests.helpers import login, make_calendar, make_group, make_room, make_user, post_form, text_of
from tests.snapshots import snapshot_fixture

pytestmark = pytest.mark.anyio

FEES = {"morning": (600, 200), "afternoon": (800, 250), "evening": (800, 250)}
SLOT_STARTS = {"morning": time(9), "afternoon": time(13), "evening": time(18)}


def calendar_of(closes: time, closed_weekday: int | None) -> CalendarData:
    hours = {
        weekday: {"opens": time(9), "closes": closes, "closed": weekday == closed_weekday}
        for weekday in range(7)
    }
    return CalendarData(hours, [], [], False)


# --- the pure rule, over many request times, days of use and policies --------------------------------


@settings(max_examples=300, deadline=None)
@given(
    requested_at=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31)),
    days_ahead=st.integers(min_value=0, max_value=200),
    slot=st.sampled_from(sorted(SLOT_STARTS)),
    tentative_days=st.integers(min_value=1, max_value=60),
    book_from_days=st.integers(min_value=0, max_value=14),
    decide_share=st.integers(min_value=0, max_value=14),
    closes_hour=st.integers(min_value=17, max_value=22),
    closed_weekday=st.none() | st.integers(min_value=0, max_value=6),
)
def test_no_deadline_falls_after_the_use_starts_or_before_the_request(
    requested_at, days_ahead, slot, tentative_days, book_from_days, decide_share, closes_hour, closed_weekday
):
    requested_at = requested_at.replace(tzinfo=UTC)
    use_day = to_local(requested_at).date() + timedelta(days=days_ahead)
    starts_at = local_instant(use_day, SLOT_STARTS[slot])
    if starts_at <= requested_at:
        starts_at = requested_at + timedelta(minutes=1)  # a use starting a moment after the request
    rule = DeadlineRule(
        tentative_days, min(decide_share, book_from_days), calendar_of(time(closes_hour), closed_weekday)
    )
    deadline = rule.for_request(starts_at, requested_at)
    cutoff = rule.cutoff(starts_at)
    assert requested_at <= deadline <= starts_at
    assert deadline <= requested_at + timedelta(days=tentative_days)
    if cutoff > requested_at:
        assert deadline <= cutoff
    # and no earlier than the earliest of those bounds: the group keeps all of the promised period
    assert deadline in {starts_at, requested_at + timedelta(days=tentative_days), cutoff, requested_at}


@settings(max_examples=200, deadline=None)
@given(
    use_day=st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)),
    days_before=st.integers(min_value=0, max_value=14),
    closed_weekday=st.none() | st.integers(min_value=0, max_value=6),
)
def test_the_cutoff_is_closing_time_on_the_last_open_day_by_the_cutoff_day(
    use_day, days_before, closed_weekday
):
    calendar = calendar_of(time(21), closed_weekday)
    cutoff = to_local(cutoff_instant(use_day, days_before, calendar))
    cutoff_day = use_day - timedelta(days=days_before)
    assert cutoff.time() == time(21)
    assert cutoff.date() <= cutoff_day and calendar.day(cutoff.date()).open
    assert all(
        not calendar.day(cutoff.date() + timedelta(days=n)).open
        for n in range(1, (cutoff_day - cutoff.date()).days + 1)
    )


def test_a_staff_request_inside_the_cutoff_is_held_until_its_use_starts():
    requested_at = datetime(2026, 12, 10, 3, 0, tzinfo=UTC)  # 12:00 in Tokyo, two days before
    starts_at = local_instant(date(2026, 12, 12), time(9))
    cutoff = local_instant(date(2026, 12, 9), time(21))
    assert decision_deadline(requested_at, starts_at, requested_at + timedelta(days=10), cutoff) == starts_at


# --- real requests through the service, on both engines ----------------------------------------------


async def _request_once(
    now: datetime, day: date, slot: str, override: bool, closed_weekday: int | None, policy: dict
) -> tuple[dict, DeadlineRule]:
    """One request on a clean slate: the center set up once, then per example only the bookings
    emptied and the policy and closing day set (fast on both engines)."""
    if not await Room.count():
        slots = await make_calendar(closes="21:00", heating=(1, 12))
        await ensure_default_rules()
        await make_room(fees=FEES, slot_ids=slots)
        await make_group("子育てサークルひまわり")
    for table in (Notice, AuditEntry, Booking, Hold, BookingPolicy):
        await table.delete(force=True)
    await OpeningHours.update({OpeningHours.closed: False}, force=True)
    if closed_weekday is not None:
        await OpeningHours.update({OpeningHours.closed: True}).where(OpeningHours.weekday == closed_weekday)
    await BookingPolicy.insert(BookingPolicy(updated_at=now, **policy))
    room = (await Room.select(Room.id).first())["id"]
    group = (await Group.select(Group.id).first())["id"]
    request = BookingRequest(room, day, [slot], purpose="子育て相談会", expected_head_count=5)
    actor = ActorRef(None, "desk", staff=override)
    booking_id = await request_booking(
        request, group, actor, override_reason="電話で受付" if override else ""
    )
    return await Booking.select().where(Booking.id == booking_id).first(), await load_rule()


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    minute_of_week=st.integers(min_value=0, max_value=7 * 24 * 60 - 1),
    days_ahead=st.integers(min_value=0, max_value=40),
    slot=st.sampled_from(sorted(SLOT_STARTS)),
    tentative_days=st.integers(min_value=1, max_value=20),
    book_from_days=st.integers(min_value=0, max_value=7),
    decide_share=st.integers(min_value=0, max_value=7),
    closed_weekday=st.none() | st.integers(min_value=0, max_value=6),
)
def test_real_requests_store_the_rule_s_deadline_and_never_outlive_their_use(
    db, minute_of_week, days_ahead, slot, tentative_days, book_from_days, decide_share, closed_weekday
):
    # Sync on purpose, like the ledger's model test: each example runs in its own event loop.
    now = datetime(2026, 11, 30, tzinfo=TOKYO) + timedelta(minutes=minute_of_week)
    day = now.date() + timedelta(days=days_ahead)
    if closed_weekday is not None and day.weekday() == closed_weekday:
        day += timedelta(days=1)  # the center is closed that day: ask for the next
    if local_instant(day, SLOT_STARTS[slot]) <= now.astimezone(UTC):
        day += timedelta(days=1 if closed_weekday != (day + timedelta(days=1)).weekday() else 2)
    online = (day - now.date()).days >= book_from_days  # otherwise staff override the cutoff
    policy = {
        "tentative_days": tentative_days,
        "book_from_days": book_from_days,
        "decide_days_before": min(decide_share, book_from_days),
    }
    with time_machine.travel(now, tick=False):
        booking, rule = asyncio.run(_request_once(now, day, slot, not online, closed_weekday, policy))
    told = rule.for_request(booking["starts_at"], now.astimezone(UTC))
    assert booking["lapses_at"] == told
    assert now <= booking["lapses_at"] <= booking["starts_at"]


# --- the example ------------------------------------------------------------------------------


@pytest.fixture
@snapshot_fixture
async def center(db):
    slots = await make_calendar(closes="21:00", heating=(1, 12))
    await ensure_default_rules()
    room = await make_room(code="hall", name_ja="多目的ホール", capacity=100, fees=FEES, slot_ids=slots)
    member = await make_user("member1")
    group = await make_group("子育てサークルひまわり", members=(member,))
    return {"room": room, "group": group}


async def test_a_request_on_friday_4_december_for_saturday_12_december_is_decided_before_the_day(
    client, center
):
    with time_machine.travel(datetime(2026, 12, 4, 12, 35, tzinfo=TOKYO), tick=True):
        await login(client, "member1")
        form = {
            "group": str(center["group"]),
            "room": "hall",
            "day": "2026-12-12",
            "slots": ["morning"],
            "purpose": "子育て相談会",
            "expected_head_count": "20",
            "contact_name": "日向 葵",
            "contact_phone": "0144-11-2222",
            "action": "confirm",
            "agree_to_terms": "on",
        }
        response = await post_form(client, "/bookings/request/confirm", form)
        assert response.status_code == 303, text_of(response.text)[:500]
        page = text_of((await client.get(response.headers["location"])).text)
    booking = await Booking.select().first()
    # three days before the day of use, at closing time: not 令和8年12月14日(月), after the use
    assert to_local(booking["lapses_at"]) == datetime(2026, 12, 9, 21, 0, tzinfo=TOKYO)
    assert "承認されない場合、令和8年12月9日(水) 21:00まで確保されます" in page
    notice = await Notice.select().where(Notice.kind == "booking.request").first()
    assert "令和8年12月9日(水) 21:00まで仮予約として確保します" in notice["body_ja"]


async def test_the_page_states_exactly_the_stored_deadline(client, center):
    with time_machine.travel(datetime(2026, 12, 4, 12, 35, 17, tzinfo=TOKYO), tick=False):
        day = date(2026, 12, 30)  # far enough ahead that the tentative period decides
        request = BookingRequest(center["room"], day, ["evening"], purpose="練習", expected_head_count=5)
        await request_booking(request, center["group"], ActorRef(None, "member"))
        await login(client, "member1")
        booking = await Booking.select().first()
        page = text_of((await client.get(f"/bookings/{booking['id']}")).text)
    token = current_locale.set("ja")
    try:
        told = format_datetime(booking["lapses_at"])
    finally:
        current_locale.reset(token)
    assert told == "令和8年12月14日(月) 12:35"
    assert f"承認されない場合、{told}まで確保されます" in page


# --- the data migration -------------------------------------------------------------------------------


async def test_the_migration_recompute_ends_old_holds_before_the_day_of_use_and_never_lengthens_them(center):
    created = datetime(2026, 12, 4, 12, 35, tzinfo=TOKYO).astimezone(UTC)
    with time_machine.travel(created, tick=False):
        request = BookingRequest(
            center["room"], date(2026, 12, 12), ["morning"], purpose="旧", expected_head_count=5
        )
        old_one = await request_booking(request, center["group"], ActorRef(None, "member"))
        later = BookingRequest(
            center["room"], date(2027, 1, 20), ["morning"], purpose="先", expected_head_count=5
        )
        far_one = await request_booking(later, center["group"], ActorRef(None, "member"))
    # as the old code stored them: ten days from the request, past the day of use for the first
    old_deadline = created + timedelta(days=10)
    await Booking.update({Booking.lapses_at: old_deadline}, force=True)
    changed = await recompute_open_deadlines(now=created + timedelta(hours=1))
    rows = {row["id"]: row for row in await Booking.select(Booking.id, Booking.lapses_at)}
    assert changed == 1
    assert to_local(rows[old_one]["lapses_at"]) == datetime(2026, 12, 9, 21, 0, tzinfo=TOKYO)
    assert rows[far_one]["lapses_at"] == old_deadline  # what the group was told still stands


async def test_the_migration_recompute_keeps_a_hold_whose_cutoff_has_passed_until_its_use(center):
    created = datetime(2026, 12, 4, 12, 35, tzinfo=TOKYO).astimezone(UTC)
    with time_machine.travel(created, tick=False):
        request = BookingRequest(
            center["room"], date(2026, 12, 12), ["morning"], purpose="旧", expected_head_count=5
        )
        booking_id = await request_booking(request, center["group"], ActorRef(None, "member"))
    await Booking.update({Booking.lapses_at: created + timedelta(days=10)}, force=True)
    await recompute_open_deadlines(now=datetime(2026, 12, 10, 10, 0, tzinfo=TOKYO).astimezone(UTC))
    row = await Booking.select(Booking.lapses_at).where(Booking.id == booking_id).first()
    assert to_local(row["lapses_at"]) == datetime(2026, 12, 12, 9, 0, tzinfo=TOKYO)
