"""The reports' figures against hand-computed values on a small known data set.

The calendar is open every day 9:00–21:00 with three slots (午前 9–12, 午後 13–17, 夜間 18–21).
Room 会議室1 is booked by slot and offers 午前 and 午後; ホール is booked by the hour. October 2026
has 31 open days, so:

- 会議室1: 62 slots available, 31 × 7 h = 13,020 minutes; ホール: 93 slots (the center's slots),
  31 × 12 h = 22,320 minutes. Total 155 slots, 35,340 minutes.
- 会議室1: b1 10/2 午前 (10 people), b2 10/3 午前+午後 9:00–17:00 (welfare, full reduction, 20
  people), b3 10/4 午後 (no-show), b4 10/5 午前 cancelled, b7 10/6 午前 only requested.
  Booked: 4 slots, 180 + 420 + 240 = 840 minutes.
- ホール: b6 10/10 10:00–11:30 (5 people) = 1 slot (午前), 90 minutes; b5 10/31 20:00 – 11/1 11:00
  (commercial, 30 people) = 夜間 on 10/31, 60 minutes in October; 午前 on 11/1, 120 minutes in
  November, and one booking in October (where it starts).
- A year earlier: b8 2025-10-04 午前 (8 people).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bookings.tables import Booking, Payment
from center.ledger.service import release_hold, take_hold
from center.ledger.tables import Hold
from center.lib.dates import TOKYO
from center.lib.errors import ValidationFailed
from center.programmes.tables import FlowerbedDay, FlowerbedSignup, PointsEntry, Screening, Video
from center.shell.reports.income import income_report
from center.shell.reports.maintenance_report import maintenance_report
from center.shell.reports.periods import Period, parse_period
from center.shell.reports.programmes_report import programmes_report
from center.shell.reports.usage import usage_report
from maintenance.tables import Location, Project, Ticket
from tests.helpers import make_calendar, make_group, make_room

pytestmark = pytest.mark.anyio

OCTOBER = Period(2026, 10)
NOVEMBER = Period(2026, 11)
FY2026 = Period(2026)


def at(day: str, clock: str) -> datetime:
    """A Tokyo wall-clock time as a UTC instant."""
    y, m, d = map(int, day.split("-"))
    hh, mm = map(int, clock.split(":"))
    return datetime(y, m, d, hh, mm, tzinfo=TOKYO).astimezone(UTC)


async def _booking(group, room, day, start, end_day, end, **fields) -> int:
    now = datetime.now(UTC)
    fields.setdefault("status", "approved")
    fields.setdefault("purpose", "会議")
    room_fee = fields.setdefault("room_fee", 0)
    heating = fields.setdefault("heating_fee", 0)
    surcharge = fields.setdefault("surcharge_fee", 0)
    reduction = fields.setdefault("reduction_fee", 0)
    fields.setdefault("fee_total", room_fee + heating + surcharge - reduction)
    rows = await Booking.insert(
        Booking(
            group=group,
            room=room,
            starts_at=at(day, start),
            ends_at=at(end_day, end),
            created_at=now,
            updated_at=now,
            **fields,
        )
    ).returning(Booking.id)
    return rows[0]["id"]


async def _payment(booking: int, kind: str, amount: int, method: str, day: str, clock: str, n: int) -> None:
    await Payment.insert(
        Payment(
            booking=booking,
            kind=kind,
            amount=amount,
            method=method,
            receipt_number=f"T-{n}",
            paid_at=at(day, clock),
        )
    )


async def load_known_data() -> dict[str, int]:
    """The data set described in the module docstring; returns the ids the tests need."""
    slots = await make_calendar()
    room1 = await make_room(
        "meeting1", "会議室1", fees={"morning": (1000, 500), "afternoon": (1000, 500)}, slot_ids=slots
    )
    hall = await make_room("hall", "ホール", name_en="Hall", booked_by="hour", hourly_fee=500, sort_order=1)
    welfare = await make_group("福祉の会", reduction="welfare")
    general = await make_group("水彩画の会")
    commercial = await make_group("株式会社テスト", commercial=True)
    b1 = await _booking(
        general,
        room1,
        "2026-10-02",
        "09:00",
        "2026-10-02",
        "12:00",
        room_fee=1000,
        heating_fee=500,
        actual_head_count=10,
        checked_in_at=at("2026-10-02", "08:55"),
    )
    await _booking(
        welfare,
        room1,
        "2026-10-03",
        "09:00",
        "2026-10-03",
        "17:00",
        purpose="体操",
        room_fee=2000,
        heating_fee=1000,
        reduction_fee=3000,
        reduction_category="welfare",
        actual_head_count=20,
    )
    await _booking(
        general,
        room1,
        "2026-10-04",
        "13:00",
        "2026-10-04",
        "17:00",
        room_fee=1000,
        heating_fee=500,
        no_show_at=at("2026-10-04", "13:30"),
    )
    b4 = await _booking(
        general,
        room1,
        "2026-10-05",
        "09:00",
        "2026-10-05",
        "12:00",
        status="cancelled",
        room_fee=1000,
        heating_fee=500,
        refund_due=1500,
    )
    b5 = await _booking(
        commercial,
        hall,
        "2026-10-31",
        "20:00",
        "2026-11-01",
        "11:00",
        purpose="販売会",
        commercial=True,
        room_fee=7500,
        surcharge_fee=7500,
        actual_head_count=30,
    )
    b6 = await _booking(
        general, hall, "2026-10-10", "10:00", "2026-10-10", "11:30", room_fee=750, actual_head_count=5
    )
    await _booking(
        general,
        room1,
        "2026-10-06",
        "09:00",
        "2026-10-06",
        "12:00",
        status="requested",
        room_fee=1000,
        heating_fee=500,
    )
    await _booking(
        general,
        room1,
        "2025-10-04",
        "09:00",
        "2025-10-04",
        "12:00",
        room_fee=1000,
        heating_fee=500,
        actual_head_count=8,
    )
    await _payment(b1, "payment", 1500, "cash", "2026-10-02", "10:00", 1)
    await _payment(b5, "payment", 15000, "other", "2026-10-31", "19:00", 2)
    await _payment(b4, "payment", 1500, "cash", "2026-10-01", "12:00", 3)
    await _payment(b4, "refund", 1500, "cash", "2026-10-04", "09:30", 4)
    await _payment(b6, "payment", 750, "cash", "2026-11-01", "00:30", 5)  # 10/31 15:30 UTC: November
    await _maintenance(room1)
    await _programmes(hall)
    return {"room1": room1, "hall": hall}


async def _maintenance(room1: int) -> None:
    rows = await Location.insert(
        Location(code="room1", name_ja="会議室1", name_en="Room 1", room=room1)
    ).returning(Location.id)
    location = rows[0]["id"]

    async def ticket(title, category, created, status, resolved=None, cost=None, due=None):
        await Ticket.insert(
            Ticket(
                title=title,
                category=category,
                location=location,
                status=status,
                created_at=at(created, "10:00"),
                updated_at=at(created, "10:00"),
                resolved_at=at(resolved, "16:00") if resolved else None,
                actual_cost=cost,
                due_on=date.fromisoformat(due) if due else None,
            )
        )

    await ticket("窓の修理", "repair", "2026-10-05", "done", "2026-10-20", 30000)
    await ticket("スロープ手すり", "barrier_free", "2026-09-20", "done", "2026-10-10", 120000)
    await ticket("照明の交換", "repair", "2026-10-15", "in_progress", due="2026-10-20")
    await ticket("床の清掃", "cleaning", "2026-10-25", "rejected", "2026-10-26")
    now = datetime.now(UTC)
    await Project.insert(
        Project(
            title_ja="2階多目的トイレ",
            barrier_free=True,
            status="done",
            budget=800000,
            completed_on=date(2026, 10, 15),
            created_at=now,
            updated_at=now,
        )
    )


async def _programmes(room: int) -> None:
    now = datetime.now(UTC)

    async def day(on: str, status: str) -> int:
        rows = await FlowerbedDay.insert(
            FlowerbedDay(
                title_ja="秋の花壇づくり",
                day=date.fromisoformat(on),
                starts=time(9, 30),
                ends=time(11, 30),
                starts_at=at(on, "09:30"),
                ends_at=at(on, "11:30"),
                capacity=20,
                status=status,
                beds_planted=3 if status == "held" else None,
                created_at=now,
                updated_at=now,
            )
        ).returning(FlowerbedDay.id)
        return rows[0]["id"]

    held = await day("2026-10-11", "held")
    await day("2026-10-25", "cancelled")
    signups = []
    for n, (companions, attended, minutes, volunteer_no) in enumerate(
        [(1, True, 120, "V1"), (0, True, 90, ""), (0, False, None, "")]
    ):
        rows = await FlowerbedSignup.insert(
            FlowerbedSignup(
                day=held,
                name=f"花子{n}",
                contact_key=f"hanako{n}",
                age_band="65_74",
                volunteer_no=volunteer_no,
                companions=companions,
                status="confirmed",
                token_hash=f"{n:064d}",
                created_at=now,
                attended=attended,
                minutes=minutes,
            )
        ).returning(FlowerbedSignup.id)
        signups.append(rows[0]["id"])
    await PointsEntry.insert(
        PointsEntry(
            volunteer_no="V1",
            volunteer_name="花子0",
            signup=signups[0],
            day=date(2026, 10, 11),
            fiscal_year=2026,
            minutes=120,
            points=2,
            rule=None,
            created_at=now,
        )
    )
    rows = await Video.insert(Video(title="椅子体操", minutes=20, level="seated", created_at=now)).returning(
        Video.id
    )
    for on, status, attendance in (
        ("2026-10-14", "scheduled", 12),
        ("2026-10-21", "scheduled", None),
        ("2026-10-28", "cancelled", None),
    ):
        await Screening.insert(
            Screening(
                video=rows[0]["id"],
                room=room,
                starts_at=at(on, "10:00"),
                ends_at=at(on, "10:20"),
                status=status,
                attendance=attendance,
                created_at=now,
                updated_at=now,
            )
        )


async def test_usage_per_room_matches_the_hand_count(db):
    await load_known_data()
    report = await usage_report(OCTOBER)
    room1, hall = (room["figures"] for room in report.rooms)
    assert (room1.available_slots, room1.booked_slots) == (62, 4)
    assert (room1.available_minutes, room1.booked_minutes) == (13020, 840)
    assert (room1.bookings, room1.head_count, room1.counted) == (3, 30, 2)
    assert (room1.no_shows, room1.cancellations) == (1, 1)
    assert (hall.available_slots, hall.booked_slots) == (93, 2)
    assert (hall.available_minutes, hall.booked_minutes) == (22320, 150)
    assert (hall.bookings, hall.head_count, hall.no_shows, hall.cancellations) == (2, 35, 0, 0)


async def test_usage_total_and_occupancy_rates(db):
    await load_known_data()
    total = (await usage_report(OCTOBER)).total
    assert (total.available_slots, total.booked_slots) == (155, 6)
    assert (total.available_minutes, total.booked_minutes) == (35340, 990)
    assert round(total.slot_rate * 100, 2) == 3.87
    assert round(total.hour_rate * 100, 2) == 2.80
    assert (total.bookings, total.head_count, total.no_shows, total.cancellations) == (5, 65, 1, 1)


async def test_a_booking_across_the_month_end_counts_its_time_in_each_month_and_once_as_a_booking(db):
    await load_known_data()
    november = await usage_report(NOVEMBER)
    hall = november.rooms[1]["figures"]
    assert (hall.booked_slots, hall.booked_minutes) == (1, 120)
    assert (hall.bookings, hall.head_count) == (0, 0)
    assert november.total.available_slots == 30 * 5


async def _closure(room: int, start: tuple[str, str], end: tuple[str, str], released=None) -> None:
    """A maintenance closure's ledger hold; `released` ends it at that Tokyo instant."""
    hold = await take_hold(room, at(*start), at(*end), "closure", label="工事")
    if released:
        await release_hold(hold.id, reason="closure ended")
        # The ledger stamps a release with the wall clock; pin it to the instant the test means.
        await Hold.update({Hold.released_at: at(*released)}).where(Hold.id == hold.id)


async def test_slots_closed_for_works_are_taken_off_the_available_slots_and_hours(db):
    ids = await load_known_data()
    # 会議室1 closed all of 10/20 (午前 and 午後: 2 slots, 7 h) and for 午前 on 10/21 (1 slot, 3 h).
    await _closure(ids["room1"], ("2026-10-20", "00:00"), ("2026-10-21", "00:00"))
    await _closure(ids["room1"], ("2026-10-21", "09:00"), ("2026-10-21", "12:00"))
    report = await usage_report(OCTOBER)
    room1, hall = (room["figures"] for room in report.rooms)
    assert (room1.available_slots, room1.closed_slots, room1.booked_slots) == (59, 3, 4)
    assert (room1.available_minutes, room1.booked_minutes) == (13020 - 600, 840)
    assert room1.slot_rate == 4 / 59
    assert room1.hour_rate == 840 / 12420
    assert (hall.available_slots, hall.closed_slots) == (93, 0)
    total = report.total
    assert (total.available_slots, total.closed_slots, total.booked_slots) == (152, 3, 6)
    assert (total.available_minutes, total.booked_minutes) == (35340 - 600, 990)
    assert total.slot_rate == 6 / 152
    assert round(total.slot_rate * 100, 1) == 3.9


async def test_an_hourly_room_loses_the_overlapped_hours_and_every_slot_a_closure_touches(db):
    ids = await load_known_data()
    # ホール closed 10:00–11:00 on 10/21 (touches 午前: 1 slot, 1 h) and all of 10/22 (3 slots, 12 h).
    await _closure(ids["hall"], ("2026-10-21", "10:00"), ("2026-10-21", "11:00"))
    await _closure(ids["hall"], ("2026-10-22", "00:00"), ("2026-10-23", "00:00"))
    hall = (await usage_report(OCTOBER)).rooms[1]["figures"]
    assert (hall.available_slots, hall.closed_slots, hall.booked_slots) == (89, 4, 2)
    assert (hall.available_minutes, hall.booked_minutes) == (22320 - 60 - 720, 150)
    assert hall.slot_rate == 2 / 89
    assert hall.hour_rate == 150 / 21540


async def test_a_closure_counts_until_it_was_released_and_not_at_all_if_released_before_it_began(db):
    ids = await load_known_data()
    # Planned 10/23–10/25, ended on 10/24 at 10:30: all of 10/23 and 午前 of 10/24 were closed.
    await _closure(
        ids["room1"], ("2026-10-23", "00:00"), ("2026-10-26", "00:00"), released=("2026-10-24", "10:30")
    )
    # Cancelled on 10/20, before its day: the room was never closed.
    await _closure(
        ids["room1"], ("2026-10-27", "00:00"), ("2026-10-28", "00:00"), released=("2026-10-20", "15:00")
    )
    room1 = (await usage_report(OCTOBER)).rooms[0]["figures"]
    assert (room1.available_slots, room1.closed_slots) == (59, 3)
    assert room1.available_minutes == 13020 - 420 - 180
    assert room1.slot_rate == 4 / 59


async def test_the_fiscal_year_adds_up_its_months(db):
    await load_known_data()
    report = await usage_report(FY2026)
    assert len(report.months) == 12
    assert report.total.available_slots == 365 * 5
    assert (report.total.booked_slots, report.total.booked_minutes) == (7, 1110)
    assert (report.total.bookings, report.total.head_count) == (5, 65)
    october = dict((month.month, figures) for month, figures in report.months)[10]
    assert october.booked_slots == 6


async def test_the_comparison_is_the_same_month_a_year_earlier(db):
    await load_known_data()
    report = await usage_report(OCTOBER)
    assert report.previous is not None
    assert (report.previous.bookings, report.previous.booked_slots, report.previous.head_count) == (1, 1, 8)
    assert report.previous.available_slots == 155


async def test_bookings_by_kind_of_group_and_purpose(db):
    await load_known_data()
    report = await usage_report(OCTOBER)
    kinds = {k["kind"]: (k["bookings"], k["head_count"]) for k in report.by_kind}
    assert kinds == {
        "welfare": (1, 20),
        "public_interest": (0, 0),
        "general": (3, 15),
        "commercial": (1, 30),
        "individual": (0, 0),
    }
    assert [(p["purpose"], p["bookings"]) for p in report.by_purpose] == [
        ("会議", 3),
        ("体操", 1),
        ("販売会", 1),
    ]


async def test_income_matches_the_hand_count(db):
    await load_known_data()
    report = await income_report(OCTOBER)
    c = report.charges
    assert (c.bookings, c.room_fee, c.surcharge_fee, c.heating_fee) == (5, 12250, 7500, 2000)
    assert (c.reduction_fee, c.fee_total, c.reduced, c.full_reductions) == (3000, 18750, 1, 1)
    welfare = next(r for r in report.reductions if r["reason"] == "welfare")
    assert (welfare["bookings"], welfare["amount"], welfare["full"]) == (1, 3000, 1)
    assert (report.cancellations, report.cancelled_fees, report.refunds_due) == (1, 1500, 1500)


async def test_a_reduction_stays_under_the_category_it_was_granted_under(db):
    from bookings.fees import ensure_default_rules
    from bookings.rules import BookingRequest
    from bookings.service import approve, request_booking
    from center.accounts.actors import ActorRef
    from center.accounts.tables import Group
    from center.lib.dates import to_local, today

    slots = await make_calendar()
    await ensure_default_rules()
    room = await make_room(fees={"morning": (600, 200)}, slot_ids=slots)
    group = await make_group("いきいきサロン", reduction="welfare")
    booking_id = await request_booking(
        BookingRequest(
            room_id=room,
            day=today() + timedelta(days=14),
            slot_codes=["morning"],
            purpose="健康体操教室",
            expected_head_count=15,
        ),
        group,
        ActorRef(None, "member"),
    )
    booking = await approve(booking_id, ActorRef(None, "desk", staff=True))
    assert booking["reduction_fee"] > 0 and booking["reduction_category"] == "welfare"
    # Afterwards the group loses its welfare standing: its earlier reduction stays welfare.
    await Group.update({Group.reduction: "none"}).where(Group.id == group)
    local = to_local(booking["starts_at"])
    report = await income_report(Period(local.year, local.month))
    reasons = {r["reason"]: (r["bookings"], r["amount"]) for r in report.reductions}
    assert reasons == {
        "welfare": (1, booking["reduction_fee"]),
        "public_interest": (0, 0),
        "none": (0, 0),
    }


async def test_a_reduction_granted_under_no_category_shows_as_other_reductions(db):
    slots = await make_calendar()
    room = await make_room(fees={"morning": (1000, 500)}, slot_ids=slots)
    welfare = await make_group("福祉の会", reduction="welfare")
    await _booking(
        welfare, room, "2026-10-02", "09:00", "2026-10-02", "12:00", room_fee=1000, reduction_fee=400
    )  # reduction_category left "none": an override, whatever the group's category
    report = await income_report(OCTOBER)
    reasons = {r["reason"]: (r["bookings"], r["amount"]) for r in report.reductions}
    assert reasons == {"welfare": (0, 0), "public_interest": (0, 0), "none": (1, 400)}


async def test_desk_money_is_counted_by_tokyo_day_and_balances_with_the_cash_summaries(db):
    await load_known_data()
    report = await income_report(OCTOBER)
    methods = {m["method"]: (m["payments"], m["refunds"]) for m in report.methods}
    assert methods == {"cash": (3000, 1500), "other": (15000, 0)}
    assert (report.payments, report.refunds, report.net) == (18000, 1500, 16500)
    assert report.balances
    assert (report.desk_payments, report.desk_refunds) == (18000, 1500)
    november = await income_report(NOVEMBER)
    assert (november.payments, november.charges.bookings) == (750, 0)


async def test_the_batched_cash_summaries_equal_the_desks_summary_of_every_day(db):
    from bookings.desk_payments import cash_summaries, cash_summary

    await load_known_data()
    booking = (await Booking.select(Booking.id).first())["id"]
    # More movements: two on one day in one method, one each side of a Tokyo midnight, a refund
    # by another method on a day with a cash refund.
    await _payment(booking, "payment", 500, "cash", "2026-10-02", "23:59", 6)
    await _payment(booking, "payment", 700, "other", "2026-10-03", "00:00", 7)
    await _payment(booking, "refund", 200, "other", "2026-10-04", "18:00", 8)
    await _payment(booking, "payment", 300, "cash", "2026-10-04", "12:00", 9)
    first, last = date(2026, 9, 30), date(2026, 11, 2)
    batched = await cash_summaries(first, last)
    assert list(batched) == [date(2026, 10, d) for d in (1, 2, 3, 4, 31)] + [date(2026, 11, 1)]

    def figures(summary) -> tuple:
        methods = [(m.method, m.payments, m.refunds, m.net) for m in summary.methods]
        return summary.payments, summary.refunds, summary.net, summary.balances, methods

    for n in range((last - first).days + 1):
        day = first + timedelta(days=n)
        desk = await cash_summary(day)
        if not desk.rows:
            assert day not in batched, day
            continue
        assert figures(batched[day]) == figures(desk), day
    assert figures(batched[date(2026, 10, 4)]) == (
        300,
        1700,
        -1400,
        True,
        [("cash", 300, 1500, -1200), ("other", 0, 200, -200)],
    )


async def test_maintenance_matches_the_hand_count(db):
    await load_known_data()
    report = await maintenance_report(OCTOBER)
    rows = {c["category"]: (c["opened"], c["closed"], c["overdue"], c["cost"]) for c in report.categories}
    assert rows["repair"] == (2, 1, 1, 30000)
    assert rows["barrier_free"] == (0, 1, 0, 120000)
    assert rows["cleaning"] == (1, 1, 0, 0)
    assert (report.opened, report.closed, report.overdue, report.cost) == (3, 3, 1, 150000)
    assert [p["title"] for p in report.projects] == ["2階多目的トイレ"]
    assert [t["title"] for t in report.barrier_free_tickets] == ["スロープ手すり"]


async def test_programmes_match_the_hand_count(db):
    await load_known_data()
    report = await programmes_report(OCTOBER)
    t = report.total
    assert (t.days_held, t.days_cancelled, t.people, t.minutes, t.points, t.beds) == (1, 1, 3, 330, 2, 3)
    assert (report.volunteers, report.registered, report.point_earners) == (2, 1, 1)
    assert (t.screenings, t.screenings_counted, t.attendance, t.screenings_cancelled) == (2, 1, 12, 1)


def test_periods_are_read_from_the_query_and_bad_values_refused():
    assert parse_period({"month": "2026-10"}) == OCTOBER
    assert parse_period({"year": "2026"}) == FY2026
    assert parse_period({}, today=date(2026, 1, 15)) == Period(2025, 12)
    assert (FY2026.first, FY2026.last) == (date(2026, 4, 1), date(2027, 3, 31))
    for bad in ({"month": "2026-13"}, {"month": "x"}, {"year": "26"}, {"year": "1800"}):
        with pytest.raises(ValidationFailed):
            parse_period(bad)
