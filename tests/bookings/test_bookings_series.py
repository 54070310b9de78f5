"""Recurring series: the dates each rule makes, the preview of every date's status, booking the
free dates all or nothing, and cancelling one date or every date from a day on."""

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest

from bookings import series
from bookings.fees import ensure_default_rules
from bookings.rules import BookingRequest, load_policy
from bookings.series import booking as series_booking
from bookings.service import approve, ensure_default_refund_rules, request_booking
from bookings.tables import Booking, BookingPolicy, BookingSeries
from center.accounts.actors import ActorRef
from center.accounts.tables import AuditEntry
from center.ledger.service import take_hold
from center.ledger.tables import Hold
from center.lib.dates import holiday_name, today
from center.lib.errors import NotFound, ValidationFailed
from center.lib.i18n import current_locale
from center.notices.tables import Notice
from center.places.tables import ClosedDay
from tests.helpers import make_calendar, make_group, make_room, make_user
from tests.snapshots import snapshot_fixture

pytestmark = pytest.mark.anyio

FEES = {"morning": (600, 200), "afternoon": (800, 250), "evening": (800, 250)}
D = date.fromisoformat


# ---- the dates -----------------------------------------------------------------------------------


def days_of(pattern, weekday, start, end, nth=None):
    return list(series.generate(series.Recurrence(pattern, weekday, D(start), D(end), nth)).days)


def test_weekly_dates_run_across_a_month_boundary():
    # 2027-01-20 is a Wednesday; weekly on Wednesdays to 2027-02-17.
    assert days_of("weekly", 2, "2027-01-20", "2027-02-17") == [
        D("2027-01-20"),
        D("2027-01-27"),
        D("2027-02-03"),
        D("2027-02-10"),
        D("2027-02-17"),
    ]


def test_weekly_starts_on_the_first_chosen_weekday_on_or_after_the_first_date():
    # 2027-01-18 is a Monday; Fridays start on the 22nd; the end date is inclusive.
    assert days_of("weekly", 4, "2027-01-18", "2027-02-05") == [
        D("2027-01-22"),
        D("2027-01-29"),
        D("2027-02-05"),
    ]


def test_every_other_week_skips_a_week():
    assert days_of("biweekly", 1, "2027-03-01", "2027-04-30") == [
        D("2027-03-02"),
        D("2027-03-16"),
        D("2027-03-30"),
        D("2027-04-13"),
        D("2027-04-27"),
    ]


def test_monthly_second_tuesday():
    assert days_of("monthly", 1, "2027-01-01", "2027-04-30", 2) == [
        D("2027-01-12"),
        D("2027-02-09"),
        D("2027-03-09"),
        D("2027-04-13"),
    ]


def test_monthly_last_friday_takes_the_last_one_even_in_a_four_friday_month():
    assert days_of("monthly", 4, "2027-01-01", "2027-04-30", -1) == [
        D("2027-01-29"),
        D("2027-02-26"),
        D("2027-03-26"),
        D("2027-04-30"),
    ]


def test_a_fifth_weekday_that_a_month_lacks_is_skipped_and_reported():
    schedule = series.generate(series.Recurrence("monthly", 4, D("2027-01-01"), D("2027-04-30"), 5))
    assert list(schedule.days) == [D("2027-01-29"), D("2027-04-30")]
    assert list(schedule.skipped) == [D("2027-02-01"), D("2027-03-01")]


def test_monthly_dates_outside_the_period_are_left_out():
    # The 2nd Tuesday of January 2027 is the 12th, before the first date.
    assert days_of("monthly", 1, "2027-01-13", "2027-03-08", 2) == [D("2027-02-09")]


def test_nth_weekday_knows_month_lengths():
    assert series.nth_weekday(2027, 2, 1, 5) is None  # February 2027 has four Tuesdays
    assert series.nth_weekday(2028, 2, 1, 5) == D("2028-02-29")  # a leap year's has five
    assert series.nth_weekday(2028, 2, 1, -1) == D("2028-02-29")
    assert series.nth_weekday(2027, 12, 4, 5) == D("2027-12-31")


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        (series.Recurrence("weekly", 1, D("2027-03-01"), D("2027-02-01")), "ends_on"),
        (series.Recurrence("weekly", 1, D("2027-01-01"), D("2028-03-01")), "ends_on"),
        (series.Recurrence("fortnightly", 1, D("2027-01-01"), D("2027-02-01")), "pattern"),
        (series.Recurrence("weekly", 7, D("2027-01-01"), D("2027-02-01")), "weekday"),
        (series.Recurrence("monthly", 1, D("2027-01-01"), D("2027-02-01"), 0), "nth"),
        (series.Recurrence("weekly", 2, D("2027-01-04"), D("2027-01-05")), "ends_on"),  # no Wednesday
    ],
)
def test_rules_that_cannot_make_a_series_are_refused(rule, field):
    assert field in series.recurrence_errors(rule)


def test_a_year_of_weekly_dates_is_allowed_but_more_than_sixty_dates_is_not():
    year = series.Recurrence("weekly", 0, D("2027-01-04"), D("2027-12-27"))
    assert series.recurrence_errors(year) == {}
    assert len(series.generate(year).days) == 52
    assert series.MAX_OCCURRENCES == 60
    # Every weekday for the same period would be 5 series; one series never has more than 60.
    assert "ends_on" in series.recurrence_errors(replace(year, ends_on=D("2028-01-06")))  # > a year


def test_the_rule_reads_in_both_languages():
    token = current_locale.set("en")
    try:
        assert series.describe("monthly", 1, 2) == "Every month on the 2nd Tuesday"
        assert series.describe("monthly", 4, -1) == "Every month on the last Friday"
        assert series.describe("biweekly", 3, None) == "Every other week on Thursday"
    finally:
        current_locale.reset(token)
    assert series.describe("monthly", 1, 2) == "毎月第2火曜日"
    assert series.describe("weekly", 0, None) == "毎週月曜日"


# ---- the service ----------------------------------------------------------------------------------


@pytest.fixture
@snapshot_fixture
async def center(db):
    slots = await make_calendar(heating=(1, 12))  # fees do not depend on today's date
    await ensure_default_rules()
    await ensure_default_refund_rules()
    room = await make_room(code="hall", name_ja="多目的ホール", capacity=100, fees=FEES, slot_ids=slots)
    member = await make_user("member1")
    desk = await make_user("desk1", ("front_desk",))
    manager = await make_user("boss", ("manager",))
    group = await make_group("子育てサークルひまわり", members=(member,))
    other = await make_group("水彩画同好会")
    start = today() + timedelta(days=7)
    return {
        "room": room,
        "member": ActorRef(member, "member1"),
        "desk": ActorRef(desk, "desk1", staff=True),
        "manager": ActorRef(manager, "boss", staff=True),
        "group": group,
        "other": other,
        "start": start,
    }


def spec(center, *, weeks=6, start=None, pattern="weekly", nth=None, **changes):
    start = start or center["start"]
    request = BookingRequest(
        room_id=center["room"],
        day=start,
        slot_codes=["morning"],
        purpose="子育て相談会",
        expected_head_count=12,
        contact_name="日向 葵",
    )
    request = replace(request, **changes)
    end = start + timedelta(weeks=weeks - 1)
    return series.SeriesSpec(series.Recurrence(pattern, start.weekday(), start, end, nth), request)


async def book_other(center, day, public_title=""):
    request = BookingRequest(
        room_id=center["room"],
        day=day,
        slot_codes=["morning"],
        purpose="水彩画の練習会",
        expected_head_count=10,
        public=bool(public_title),
        public_title=public_title,
    )
    return await request_booking(request, center["other"], ActorRef(None, "system", staff=True))


async def test_preview_lists_free_dates_with_fees_and_writes_nothing(center):
    preview = await series.preview_series(spec(center), center["group"])
    assert [o.status for o in preview.occurrences] == ["free"] * 6
    assert all(o.fee == 800 for o in preview.occurrences)  # 600 room + 200 heating
    assert preview.free_fee_total == 4800
    assert await Booking.count() == 0 and await BookingSeries.count() == 0 and await Hold.count() == 0


async def test_preview_names_what_holds_a_date_without_private_details(center):
    first, second, third = (center["start"] + timedelta(weeks=n) for n in range(3))
    private = await book_other(center, first)
    public = await book_other(center, second, public_title="水彩画展")
    await approve(public, center["manager"])
    preview = await series.preview_series(spec(center, weeks=3), center["group"])
    statuses = [(o.status, o.reason) for o in preview.occurrences]
    assert statuses[0] == ("taken", "他の団体の予約")
    assert "水彩画の練習会" not in statuses[0][1]
    assert statuses[1] == ("taken", "水彩画展")
    assert statuses[2][0] == "free"
    assert private and third


async def test_preview_shows_a_closure_hold_by_its_kind_and_the_groups_own_booking_by_purpose(center):
    first = center["start"]
    second = first + timedelta(weeks=1)
    preview = await series.preview_series(spec(center, weeks=2), center["group"])
    await take_hold(
        center["room"],
        preview.occurrences[0].starts_at,
        preview.occurrences[0].ends_at,
        "closure",
        label="床工事",
    )
    own = BookingRequest(
        room_id=center["room"], day=second, slot_codes=["morning"], purpose="役員会", expected_head_count=5
    )
    await request_booking(own, center["group"], center["member"])
    preview = await series.preview_series(spec(center, weeks=2), center["group"])
    assert [(o.status, o.reason) for o in preview.occurrences] == [
        ("taken", "工事・修繕のため利用停止"),
        ("taken", "あなたの団体の予約：役員会"),
    ]


async def test_preview_shows_closed_days_with_their_reason(center):
    closed = center["start"] + timedelta(weeks=2)
    await ClosedDay.insert(
        ClosedDay(starts_on=closed, ends_on=closed, reason_ja="設備点検日", reason_en="Inspection")
    )
    preview = await series.preview_series(spec(center, weeks=4), center["group"])
    assert [o.status for o in preview.occurrences] == ["free", "free", "closed", "free"]
    assert preview.occurrences[2].reason == "設備点検日"
    assert preview.occurrences[2].fee is None


async def test_the_year_end_closure_and_dates_beyond_the_booking_window(center):
    await ClosedDay.insert(
        ClosedDay(starts_on=D("2000-12-29"), ends_on=D("2001-01-03"), reason_ja="年末年始", yearly=True)
    )
    year = today().year if today() < date(today().year, 12, 20) else today().year + 1
    december_30 = date(year, 12, 30)
    start = december_30 - timedelta(weeks=2)
    preview = await series.preview_series(spec(center, weeks=4, start=start), center["group"])
    by_day = {o.day: o for o in preview.occurrences}
    assert by_day[december_30].status == "closed" and by_day[december_30].reason == "年末年始"
    months_ahead = (december_30 - today()).days
    if months_ahead > 190:  # beyond the 6-month window: refused with the reason
        later = by_day[december_30 + timedelta(weeks=1)]
        assert later.status == "refused" and "6か月前" in later.reason


async def test_a_public_holiday_is_shown_and_still_bookable(center):
    holiday = next(
        day
        for day in (center["start"] + timedelta(days=n) for n in range(150))
        if holiday_name(day) and not (day.month == 1 and day.day <= 3)
    )
    preview = await series.preview_series(spec(center, weeks=2, start=holiday), center["group"])
    first = preview.occurrences[0]
    assert first.day == holiday and first.status == "free" and first.holiday == holiday_name(holiday)


async def test_dates_too_soon_are_refused_with_the_reason_unless_staff_override(center):
    soon = today() + timedelta(days=1)
    preview = await series.preview_series(spec(center, weeks=2, start=soon), center["group"])
    assert preview.occurrences[0].status == "refused"
    assert "3日前" in preview.occurrences[0].reason
    assert preview.occurrences[1].status == "free"
    staff = await series.preview_series(spec(center, weeks=2, start=soon), center["group"], override=True)
    assert [o.status for o in staff.occurrences] == ["free", "free"]


async def test_dates_past_the_groups_allowance_are_refused(center):
    await load_policy()
    await BookingPolicy.update({BookingPolicy.max_future_bookings: 3}, force=True)
    await book_other(center, center["start"] - timedelta(days=1))  # another group's: not counted
    preview = await series.preview_series(spec(center, weeks=5), center["group"])
    assert [o.status for o in preview.occurrences] == ["free"] * 3 + ["refused"] * 2
    assert "3件" in preview.occurrences[3].reason


async def test_booking_the_free_dates_writes_one_series_bookings_and_holds(center):
    taken = center["start"] + timedelta(weeks=1)
    await book_other(center, taken)
    preview = await series.preview_series(spec(center, weeks=4), center["group"])
    free = [o.day for o in preview.free]
    assert len(free) == 3 and taken not in free
    result = await series.book_series(spec(center, weeks=4), center["group"], center["member"], free)
    assert [o.day for o in result.booked] == free
    assert [(o.day, o.status) for o in result.not_booked] == [(taken, "taken")]
    rows = await Booking.select().where(Booking.series == result.series_id).order_by(Booking.starts_at)
    assert [row["occurrence_on"] for row in rows] == free
    assert all(row["status"] == "requested" and row["hold"] and row["fee_total"] == 800 for row in rows)
    holds = await Hold.select().where(Hold.active == True)
    assert len(holds) == 4  # the other group's and our three: nothing double-held
    stored = await BookingSeries.select().where(BookingSeries.id == result.series_id).first()
    assert (
        stored["pattern"] == "weekly" and stored["slot_codes"] == "morning" and stored["status"] == "active"
    )
    audits = await AuditEntry.select().where(AuditEntry.entity == "booking_series")
    assert len(audits) == 1
    assert json.loads(audits[0]["after"])["booked_dates"] == [day.isoformat() for day in free]
    notices = await Notice.select().where(Notice.group == center["group"])
    assert len(notices) == 1
    assert "3" in notices[0]["subject_ja"] and "予約済み" in notices[0]["body_ja"]
    assert "Taken" in notices[0]["body_en"]


async def test_a_date_taken_between_preview_and_booking_books_nothing(center):
    preview = await series.preview_series(spec(center, weeks=3), center["group"])
    chosen = [o.day for o in preview.free]
    await book_other(center, chosen[1])  # someone is quicker
    with pytest.raises(series.SeriesClash) as caught:
        await series.book_series(spec(center, weeks=3), center["group"], center["member"], chosen)
    assert [o.day for o in caught.value.clashes] == [chosen[1]]
    assert await Booking.count().where(Booking.group == center["group"]) == 0
    assert await BookingSeries.count() == 0
    assert await Hold.count() == 1


async def test_the_ledger_refusal_inside_the_transaction_rolls_the_whole_series_back(center, monkeypatch):
    """The race after the last check: the database refuses the hold and nothing stays written."""
    chosen = [o.day for o in (await series.preview_series(spec(center, weeks=3), center["group"])).free]
    real_preview = series.preview_series

    async def stale_preview(*args, **kwargs):
        result = await real_preview(*args, **kwargs)
        await book_other(center, chosen[2])  # taken after the preview said free
        return result

    monkeypatch.setattr(series_booking, "preview_series", stale_preview)  # where book_series looks it up
    with pytest.raises(series.SeriesClash) as caught:
        await series.book_series(spec(center, weeks=3), center["group"], center["member"], chosen)
    assert [o.day for o in caught.value.clashes] == [chosen[2]]
    assert await Booking.count().where(Booking.group == center["group"]) == 0
    assert await BookingSeries.count() == 0
    assert await Hold.count().where(Hold.active == True) == 1


async def test_only_listed_free_dates_can_be_chosen(center):
    with pytest.raises(ValidationFailed):
        await series.book_series(spec(center, weeks=2), center["group"], center["member"], [])
    with pytest.raises(ValidationFailed):
        await series.book_series(
            spec(center, weeks=2), center["group"], center["member"], [center["start"] + timedelta(days=1)]
        )
    assert await Booking.count() == 0


async def book(center, weeks=4):
    chosen = [o.day for o in (await series.preview_series(spec(center, weeks=weeks), center["group"])).free]
    return await series.book_series(spec(center, weeks=weeks), center["group"], center["member"], chosen)


async def test_cancelling_one_date_releases_its_hold_and_records_the_refund(center):
    result = await book(center)
    rows = await Booking.select().where(Booking.series == result.series_id).order_by(Booking.starts_at)
    await approve(rows[1]["id"], center["manager"])
    cancelled = await series.cancel_occurrences(
        result.series_id, center["member"], booking_id=rows[1]["id"], group_ids=(center["group"],)
    )
    assert [b["id"] for b in cancelled] == [rows[1]["id"]]
    after = await Booking.select().where(Booking.id == rows[1]["id"]).first()
    assert (
        after["status"] == "cancelled" and after["refund_due"] == 500
    )  # 10+ days: half the room fee, all the heating
    hold = await Hold.select().where(Hold.id == rows[1]["hold"]).first()
    assert hold["active"] is False
    assert (
        await Booking.count().where((Booking.series == result.series_id) & (Booking.status == "requested"))
        == 3
    )
    series_row = await BookingSeries.select().where(BookingSeries.id == result.series_id).first()
    assert series_row["status"] == "active"


async def test_cancelling_all_from_a_date_cancels_later_dates_only_with_one_notice(center):
    result = await book(center)
    days = [o.day for o in result.booked]
    notices_before = await Notice.count()
    cancelled = await series.cancel_occurrences(
        result.series_id, center["desk"], from_day=days[2], reason="団体の解散"
    )
    assert [b["occurrence_on"] for b in cancelled] == days[2:]
    statuses = {
        row["occurrence_on"]: row["status"]
        for row in await Booking.select().where(Booking.series == result.series_id)
    }
    assert statuses == {
        days[0]: "requested",
        days[1]: "requested",
        days[2]: "cancelled",
        days[3]: "cancelled",
    }
    assert await Hold.count().where(Hold.active == True) == 2
    assert await Notice.count() == notices_before + 1
    assert await AuditEntry.count().where(AuditEntry.action == "cancel") == 3  # two bookings and the series


async def test_cancelling_every_remaining_date_ends_the_series(center):
    result = await book(center, weeks=2)
    await series.cancel_occurrences(result.series_id, center["desk"], from_day=center["start"], reason="閉会")
    row = await BookingSeries.select().where(BookingSeries.id == result.series_id).first()
    assert row["status"] == "cancelled"


async def test_members_cannot_cancel_other_groups_series_and_staff_need_a_reason(center):
    result = await book(center, weeks=2)
    with pytest.raises(NotFound):
        await series.cancel_occurrences(
            result.series_id, ActorRef(None, "x"), from_day=center["start"], group_ids=(center["other"],)
        )
    with pytest.raises(ValidationFailed):
        await series.cancel_occurrences(result.series_id, center["desk"], from_day=center["start"])
    assert await Booking.count().where(Booking.status == "cancelled") == 0


async def test_members_cannot_cancel_online_inside_the_deadline(center):
    await load_policy()
    await BookingPolicy.update({BookingPolicy.cancel_online_until_days: 3}, force=True)
    soon = today() + timedelta(days=1)
    chosen = [
        o.day
        for o in (
            await series.preview_series(spec(center, weeks=2, start=soon), center["group"], override=True)
        ).free
    ]
    result = await series.book_series(
        spec(center, weeks=2, start=soon), center["group"], center["desk"], chosen, override_reason="電話予約"
    )
    with pytest.raises(ValidationFailed) as refused:
        await series.cancel_occurrences(
            result.series_id, center["member"], from_day=soon, group_ids=(center["group"],)
        )
    assert "from" in refused.value.errors
    assert await Booking.count().where(Booking.status == "cancelled") == 0
