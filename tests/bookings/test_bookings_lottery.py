"""The lottery (抽選): windows, applications, the seeded draw and its verification, confirmation and
forfeits, and the first-come rule for lottery rooms."""

import asyncio
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bookings import lottery
from bookings.fees import ensure_default_rules
from bookings.rules import BookingRequest, add_months
from bookings.service import ensure_default_refund_rules, request_booking
from bookings.tables import Booking, BookingPolicy, LotteryEntry, LotteryRoom, LotteryRound
from center.accounts.actors import ActorRef
from center.accounts.tables import AuditEntry, Group
from center.ledger.service import take_hold
from center.ledger.tables import Hold
from center.lib.dates import TOKYO, local_instant, today
from center.lib.errors import Conflict, NotFound, ValidationFailed
from center.notices.tables import Notice
from tests.helpers import make_calendar, make_group, make_room, make_user
from tests.snapshots import snapshot_fixture

pytestmark = pytest.mark.anyio

FEES = {"morning": (600, 200), "afternoon": (800, 250), "evening": (800, 250)}
MEMBER = ActorRef(None, "member")
MANAGER = ActorRef(None, "manager", staff=True)
DEFAULTS = {
    "lottery_months_ahead": 2,
    "lottery_open_day": 10,
    "lottery_close_day": 19,
    "lottery_draw_day": 20,
}


def month_after_next() -> str:
    """A month that has not begun, far enough for a round whose dates fall before it."""
    return lottery.month_key(add_months(today().replace(day=1), 2))


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
    await LotteryRoom.insert(LotteryRoom(room=hall, active=True))
    users = [await make_user(f"member{n}") for n in range(4)]
    groups = [await make_group(f"団体{n}", members=(users[n],)) for n in range(4)]
    month = month_after_next()
    round_id = await lottery.open_round(
        month, lottery.Window(today(), today(), today(), today() + timedelta(days=3)), MANAGER
    )
    day = lottery.first_day(month) + timedelta(days=9)
    return {
        "hall": hall,
        "meeting": meeting,
        "users": users,
        "groups": groups,
        "month": month,
        "round": round_id,
        "day": day,
    }


def application(center, **fields) -> lottery.Application:
    return lottery.Application(
        round_id=fields.pop("round_id", center["round"]),
        room_id=fields.pop("room_id", center["hall"]),
        day=fields.pop("day", center["day"]),
        slot_code=fields.pop("slot_code", "morning"),
        purpose=fields.pop("purpose", "ダンス発表会"),
        expected_head_count=fields.pop("expected_head_count", 40),
        **fields,
    )


async def apply_all(center, count=3, **fields) -> list[int]:
    return [
        await lottery.apply(
            application(center, **fields), center["groups"][n], ActorRef(center["users"][n], "m")
        )
        for n in range(count)
    ]


# --- windows ------------------------------------------------------------------------------------------


def test_the_default_window_for_a_month_is_the_10th_to_the_19th_two_months_before():
    window = lottery.window_for("2027-05", DEFAULTS)
    assert window == lottery.Window(
        date(2027, 3, 10), date(2027, 3, 19), date(2027, 3, 20), date(2027, 3, 31)
    )


def test_applications_for_february_open_in_december_of_the_year_before():
    window = lottery.window_for("2027-02", DEFAULTS)
    assert window == lottery.Window(
        date(2026, 12, 10), date(2026, 12, 19), date(2026, 12, 20), date(2026, 12, 31)
    )
    assert lottery.window_for("2027-01", DEFAULTS).opens_on == date(2026, 11, 10)
    assert lottery.month_applying_in(date(2026, 12, 15), DEFAULTS) == "2027-02"
    assert lottery.month_applying_in(date(2026, 11, 1), DEFAULTS) == "2027-01"


def test_the_window_follows_the_policy_days_and_confirm_by_is_the_month_end():
    policy = {**DEFAULTS, "lottery_months_ahead": 3, "lottery_open_day": 1, "lottery_close_day": 5}
    window = lottery.window_for("2027-05", policy)
    assert (window.opens_on, window.closes_on, window.confirm_by) == (
        date(2027, 2, 1),
        date(2027, 2, 5),
        date(2027, 2, 28),
    )


def test_a_round_must_end_before_its_month_and_keep_its_dates_in_order():
    errors = lottery.window_errors(
        "2027-02", lottery.Window(date(2027, 1, 10), date(2027, 1, 9), date(2027, 1, 8), date(2027, 2, 1))
    )
    assert set(errors) == {"closes_on", "draw_on", "confirm_by"}


def test_the_end_of_the_confirm_by_day_is_midnight_in_tokyo():
    assert lottery.lapse_instant(date(2026, 12, 31)) == datetime(2026, 12, 31, 15, 0, tzinfo=UTC)


# --- applications -------------------------------------------------------------------------------------


async def test_a_group_applies_and_no_hold_is_taken(center):
    entry_id = await lottery.apply(
        application(center), center["groups"][0], ActorRef(center["users"][0], "m")
    )
    entry = await LotteryEntry.select().where(LotteryEntry.id == entry_id).first()
    assert entry["status"] == "applied" and entry["slot_code"] == "morning" and entry["day"] == center["day"]
    assert await Hold.count() == 0
    assert await AuditEntry.count().where(AuditEntry.action == "lottery_apply") == 1


async def test_a_second_application_for_the_same_slot_is_refused_clearly(center):
    await lottery.apply(application(center), center["groups"][0], MEMBER)
    with pytest.raises(ValidationFailed) as refusal:
        await lottery.apply(application(center, purpose="別の目的"), center["groups"][0], MEMBER)
    assert refusal.value.errors == {"slot": lottery.ALREADY_APPLIED}
    assert await LotteryEntry.count() == 1


async def test_two_concurrent_applications_from_one_group_leave_exactly_one_row(center):
    results = await asyncio.gather(
        *(lottery.apply(application(center), center["groups"][0], MEMBER) for _ in range(2)),
        return_exceptions=True,
    )
    refusals = [r for r in results if isinstance(r, ValidationFailed)]
    assert len(refusals) == 1, results
    assert refusals[0].errors == {"slot": lottery.ALREADY_APPLIED}
    assert await LotteryEntry.count() == 1


async def test_applications_outside_the_window_are_refused(center):
    await LotteryRound.update(
        {
            LotteryRound.opens_on: today() + timedelta(days=1),
            LotteryRound.closes_on: today() + timedelta(days=2),
        }
    ).where(LotteryRound.id == center["round"])
    with pytest.raises(ValidationFailed) as refusal:
        await lottery.apply(application(center), center["groups"][0], MEMBER)
    assert "round" in refusal.value.errors
    assert await LotteryEntry.count() == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"expected_head_count": 101}, "expected_head_count"),
        ({"slot_code": "midnight"}, "slot"),
        ({"purpose": ""}, "purpose"),
        ({"purpose": "x" * 201}, "purpose"),
        ({"public": True, "public_title": ""}, "public_title"),
    ],
)
async def test_an_application_must_meet_the_booking_rules(center, fields, field):
    with pytest.raises(ValidationFailed) as refusal:
        await lottery.apply(application(center, **fields), center["groups"][0], MEMBER)
    assert field in refusal.value.errors
    assert await LotteryEntry.count() == 0


async def test_only_lottery_rooms_and_days_of_the_rounds_month(center):
    with pytest.raises(ValidationFailed) as refusal:
        await lottery.apply(application(center, room_id=center["meeting"]), center["groups"][0], MEMBER)
    assert "room" in refusal.value.errors
    with pytest.raises(ValidationFailed) as refusal:
        await lottery.apply(
            application(center, day=lottery.first_day(center["month"]) - timedelta(days=1)),
            center["groups"][0],
            MEMBER,
        )
    assert "day" in refusal.value.errors


async def test_a_group_withdraws_and_may_apply_again_while_the_window_is_open(center):
    entry_id = await lottery.apply(application(center), center["groups"][0], MEMBER)
    with pytest.raises(NotFound):
        await lottery.withdraw(entry_id, MEMBER, (center["groups"][1],))
    await lottery.withdraw(entry_id, MEMBER, (center["groups"][0],))
    assert (await LotteryEntry.select().first())["status"] == "withdrawn"
    assert await lottery.apply(application(center), center["groups"][0], MEMBER) == entry_id
    assert (await LotteryEntry.select().first())["status"] == "applied"


# --- the first-come rule ---------------------------------------------------------------------------------


def first_come(center, room=None, day=None) -> BookingRequest:
    return BookingRequest(
        room_id=room or center["hall"],
        day=day or center["day"],
        slot_codes=["afternoon"],
        purpose="会議",
        expected_head_count=10,
    )


async def test_first_come_requests_for_an_undrawn_lottery_month_are_refused(center):
    with pytest.raises(ValidationFailed) as refusal:
        await request_booking(first_come(center), center["groups"][0], MEMBER)
    assert refusal.value.errors == {"day": lottery.FIRST_COME_REFUSAL}
    assert await Booking.count() == 0
    # Other rooms are first-come as usual.
    await request_booking(first_come(center, room=center["meeting"]), center["groups"][0], MEMBER)


async def test_a_month_with_no_round_yet_is_refused_until_its_draw_day_passes(center):
    later = lottery.first_day(lottery.month_key(add_months(today().replace(day=1), 4))) + timedelta(days=3)
    assert await lottery.first_come_refusal(center["hall"], later) == lottery.FIRST_COME_REFUSAL
    # A lottery month whose draw day has passed without a round (the room joined too late): first-come.
    this_month = today().replace(day=28)
    assert (
        today()
        > lottery.window_for(
            lottery.month_key(this_month), await BookingPolicy.select().first() or DEFAULTS
        ).draw_on
    )
    assert await lottery.first_come_refusal(center["hall"], this_month) is None


async def test_first_come_opens_for_what_is_left_after_the_draw(center):
    await apply_all(center, 2)
    await lottery.draw(center["round"], MANAGER)
    booking_id = await request_booking(first_come(center), center["groups"][3], MEMBER)
    assert (await Booking.select().where(Booking.id == booking_id).first())["status"] == "requested"


# --- the draw --------------------------------------------------------------------------------------------


async def test_every_slot_with_applicants_gets_exactly_one_winner_among_them(center):
    await apply_all(center, 3)
    await apply_all(center, 2, slot_code="evening")
    await apply_all(center, 1, day=center["day"] + timedelta(days=1))
    result = await lottery.draw(center["round"], MANAGER)
    assert len(result.slots) == 3 and result.winners == 3
    entries = await LotteryEntry.select()
    per_slot = Counter((e["day"], e["slot_code"]) for e in entries if e["status"] == "won")
    assert set(per_slot.values()) == {1} and len(per_slot) == 3
    assert Counter(e["status"] for e in entries) == {"won": 3, "lost": 3}
    for entry in entries:
        if entry["status"] == "won":
            booking = await Booking.select().where(Booking.id == entry["booking"]).first()
            assert booking["status"] == "requested" and booking["group"] == entry["group"]
            assert booking["lottery_entry"] == entry["id"]
            assert booking["lapses_at"] == local_instant(today() + timedelta(days=4), time(0))
            assert booking["fee_total"] > 0
    assert await Hold.count().where(Hold.active == True) == 3
    round_ = await LotteryRound.select().first()
    assert round_["status"] == "drawn" and len(round_["seed"]) == 32 and round_["seed"] == result.seed


async def test_the_same_seed_gives_the_same_order_and_different_seeds_can_differ():
    ids = list(range(1, 21))
    day = date(2027, 2, 10)
    assert lottery.draw_order("abc", 3, day, "morning", ids) == lottery.draw_order(
        "abc", 3, day, "morning", ids[::-1]
    )
    assert sorted(lottery.draw_order("abc", 3, day, "morning", ids)) == ids
    orders = {tuple(lottery.draw_order(f"seed{n}", 3, day, "morning", ids)) for n in range(10)}
    assert len(orders) > 1
    firsts = Counter(lottery.draw_order(f"s{n}", 3, day, "morning", [1, 2, 3])[0] for n in range(3000))
    assert set(firsts) == {1, 2, 3} and min(firsts.values()) > 850  # each about a third


async def test_a_draw_with_a_given_seed_is_reproduced_and_verified(center):
    await apply_all(center, 4)
    result = await lottery.draw(center["round"], MANAGER, seed="0123456789abcdef")
    (slot,) = result.slots
    ids = sorted(e["id"] for e in await LotteryEntry.select())
    assert slot["order"] == lottery.draw_order(
        "0123456789abcdef", center["hall"], center["day"], "morning", ids
    )
    assert slot["winner"] == slot["order"][0]
    checks = await lottery.verify(center["round"])
    assert [check.ok for check in checks] == [True]
    # Tampering with the result shows up.
    await LotteryEntry.update({LotteryEntry.status: "lost"}).where(LotteryEntry.id == slot["winner"])
    await LotteryEntry.update({LotteryEntry.status: "won"}).where(LotteryEntry.id == slot["order"][1])
    assert [check.ok for check in await lottery.verify(center["round"])] == [False]


async def test_a_round_is_drawn_once_even_when_two_draws_race(center):
    await apply_all(center, 3)
    results = await asyncio.gather(
        lottery.draw(center["round"], MANAGER), lottery.draw(center["round"], MANAGER), return_exceptions=True
    )
    assert sum(isinstance(r, lottery.DrawResult) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert await Booking.count() == 1


async def test_a_held_slot_is_recorded_and_the_next_applicant_in_order_is_tried(center):
    entries = await apply_all(center, 2)
    # Staff booked the slot behind the lottery's back (e.g. a city event with an override).
    morning = local_instant(center["day"], time(9)), local_instant(center["day"], time(12))
    await take_hold(center["hall"], *morning, "closure", label="市の行事")
    # The first group in the seed's order is no longer approved: it is passed over too.
    result = await lottery.draw(center["round"], MANAGER, seed="feed")
    (slot,) = result.slots
    assert slot["winner"] is None
    assert [item["entry"] for item in slot["skipped"]] == slot["order"] and sorted(slot["order"]) == entries
    assert {item["reason"] for item in slot["skipped"]} == {lottery.SLOT_TAKEN}
    assert "市の行事" in slot["skipped"][0]["holds"][0]
    assert {e["status"] for e in await LotteryEntry.select()} == {"lost"}
    assert await Booking.count() == 0
    assert [check.ok for check in await lottery.verify(center["round"])] == [True]
    record = await lottery.draw_record(center["round"])
    assert record["slots"][0]["skipped"][0]["reason"] == lottery.SLOT_TAKEN


async def test_an_applicant_no_longer_eligible_is_passed_over_for_the_next_in_order(center):
    await apply_all(center, 2)
    seed = "cafe"
    ids = sorted(e["id"] for e in await LotteryEntry.select())
    first = lottery.draw_order(seed, center["hall"], center["day"], "morning", ids)[0]
    first_group = (await LotteryEntry.select().where(LotteryEntry.id == first).first())["group"]
    await Group.update({Group.status: "suspended"}).where(Group.id == first_group)
    result = await lottery.draw(center["round"], MANAGER, seed=seed)
    (slot,) = result.slots
    assert slot["skipped"][0]["entry"] == first and slot["winner"] == slot["order"][1]
    assert [check.ok for check in await lottery.verify(center["round"])] == [True]


async def test_winners_and_losers_are_told(center):
    await apply_all(center, 3)
    await lottery.draw(center["round"], MANAGER)
    notices = await Notice.select().order_by(Notice.id)
    assert Counter(n["kind"] for n in notices) == {"lottery.won": 1, "lottery.lost": 2}
    won = next(n for n in notices if n["kind"] == "lottery.won")
    assert "多目的ホール" in won["subject_ja"] and "当選" in won["subject_ja"]
    winner = (await LotteryEntry.select().where(LotteryEntry.status == "won").first())["group"]
    assert won["group"] == winner


async def test_the_draw_is_not_run_before_its_day(center):
    await LotteryRound.update({LotteryRound.draw_on: today() + timedelta(days=1)}).where(
        LotteryRound.id == center["round"]
    )
    with pytest.raises(Conflict):
        await lottery.draw(center["round"], MANAGER)
    assert (await LotteryRound.select().first())["status"] == "open"


# --- scheduled jobs ----------------------------------------------------------------------------------------


def at_noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=TOKYO).astimezone(UTC)


async def test_the_draw_job_draws_after_the_window_closes_and_only_once(center):
    await apply_all(center, 2)
    assert await lottery.draw_due(at_noon(today())) == []  # the window closes at the end of today
    assert await lottery.draw_due(at_noon(today() + timedelta(days=1))) == [center["month"]]
    assert await lottery.draw_due(at_noon(today() + timedelta(days=1))) == []
    assert await LotteryEntry.count().where(LotteryEntry.status == "won") == 1


async def test_the_open_job_creates_the_round_when_its_window_begins(db):
    await make_calendar()
    room = await make_room()
    assert await lottery.open_due(at_noon(date(2026, 12, 12))) == []  # no lottery room yet
    await LotteryRoom.insert(LotteryRoom(room=room, active=True))
    assert await lottery.open_due(at_noon(date(2026, 12, 9))) == []
    assert await lottery.open_due(at_noon(date(2026, 12, 12))) == ["2027-02"]
    assert await lottery.open_due(at_noon(date(2026, 12, 13))) == []
    round_ = await LotteryRound.select().first()
    assert (round_["opens_on"], round_["draw_on"], round_["confirm_by"]) == (
        date(2026, 12, 10),
        date(2026, 12, 20),
        date(2026, 12, 31),
    )


async def test_a_winner_confirms_and_the_booking_is_approved(center):
    await apply_all(center, 2)
    await lottery.draw(center["round"], MANAGER)
    won = await LotteryEntry.select().where(LotteryEntry.status == "won").first()
    with pytest.raises(NotFound):
        await lottery.confirm(won["id"], MEMBER, (-1,))
    await lottery.confirm(won["id"], MEMBER, (won["group"],))
    booking = await Booking.select().where(Booking.id == won["booking"]).first()
    assert booking["status"] == "approved" and booking["permit_number"] and booking["lapses_at"] is None
    assert (await LotteryEntry.select().where(LotteryEntry.id == won["id"]).first())["status"] == "confirmed"
    with pytest.raises(Conflict):
        await lottery.confirm(won["id"], MEMBER, (won["group"],))
    assert await lottery.forfeit_due(at_noon(today() + timedelta(days=10))) == {
        "forfeited": 0,
        "confirmed": 0,
    }


async def test_an_unconfirmed_win_is_forfeited_after_the_confirm_by_day(center):
    await apply_all(center, 2)
    await lottery.draw(center["round"], MANAGER)
    won = await LotteryEntry.select().where(LotteryEntry.status == "won").first()
    assert await lottery.forfeit_due(at_noon(today() + timedelta(days=3))) == {"forfeited": 0, "confirmed": 0}
    after = at_noon(today() + timedelta(days=4))
    assert await lottery.forfeit_due(after) == {"forfeited": 1, "confirmed": 0}
    assert await lottery.forfeit_due(after) == {"forfeited": 0, "confirmed": 0}
    assert (await LotteryEntry.select().where(LotteryEntry.id == won["id"]).first())["status"] == "forfeited"
    assert (await Booking.select().where(Booking.id == won["booking"]).first())["status"] == "lapsed"
    assert await Hold.count().where(Hold.active == True) == 0
    assert await Notice.count().where(Notice.kind == "lottery.forfeit") == 1


async def test_a_win_cannot_be_confirmed_after_the_confirm_by_day(center):
    await apply_all(center, 1)
    await lottery.draw(center["round"], MANAGER)
    won = await LotteryEntry.select().first()
    await LotteryRound.update({LotteryRound.confirm_by: today() - timedelta(days=1)}).where(
        LotteryRound.id == center["round"]
    )
    with pytest.raises(Conflict):
        await lottery.confirm(won["id"], MEMBER, (won["group"],))


# --- settings -------------------------------------------------------------------------------------------


async def test_the_manager_sets_the_window_days_and_lottery_rooms(center):
    values = {**DEFAULTS, "lottery_open_day": 5, "lottery_close_day": 14, "lottery_draw_day": 15}
    await lottery.save_settings(values, {center["meeting"]}, MANAGER)
    policy = await BookingPolicy.select().first()
    assert (policy["lottery_open_day"], policy["lottery_close_day"], policy["lottery_draw_day"]) == (
        5,
        14,
        15,
    )
    assert await lottery.lottery_room_ids() == {center["meeting"]}
    await lottery.save_settings(values, {center["meeting"], center["hall"]}, MANAGER)
    assert await lottery.lottery_room_ids() == {center["meeting"], center["hall"]}
    assert await LotteryRoom.count() == 2


async def test_bad_settings_are_refused_and_nothing_changes(center):
    with pytest.raises(ValidationFailed) as refusal:
        await lottery.save_settings(
            {**DEFAULTS, "lottery_close_day": 30, "lottery_months_ahead": 0}, set(), MANAGER
        )
    assert set(refusal.value.errors) == {"lottery_close_day", "lottery_months_ahead"}
    with pytest.raises(ValidationFailed):
        await lottery.save_settings({**DEFAULTS, "lottery_draw_day": 15}, set(), MANAGER)
    assert await lottery.lottery_room_ids() == {center["hall"]}
