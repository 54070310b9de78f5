"""The demo center is alive on the first run: loaded at a fixed instant, last month's and the
fiscal year's usage and income reports have something on every line, each figure agrees with a
count made here straight from the tables, and the desk's cash summary for a past day balances."""

from __future__ import annotations

from collections import Counter
from dataclasses import fields
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bookings.desk_payments import cash_summary
from bookings.lottery.rounds import accepting
from bookings.tables import Booking, BookingSeries, LotteryEntry, LotteryRound, Payment
from center.accounts.tables import Group
from center.ledger.tables import Hold
from center.lib.dates import to_local
from center.places.tables import Slot
from center.shell.reports.income import income_report
from center.shell.reports.periods import Period
from center.shell.reports.usage import WALK_IN_MARKER, Figures, usage_report
from maintenance.tables import Closure, Ticket
from tests.snapshots import demo_center

pytestmark = pytest.mark.anyio

TOKYO = ZoneInfo("Asia/Tokyo")
INSTANT = datetime(2026, 12, 4, 10, 0, tzinfo=TOKYO)  # a Friday; last month is November 2026
LAST_MONTH = Period(2026, 11)
FISCAL_YEAR = Period(2026)


@pytest.fixture
def clock():
    with time_machine.travel(INSTANT, tick=True):
        yield


async def _bookings(period: Period) -> list[dict]:
    rows = await Booking.select(
        *Booking.all_columns(),
        Booking.group.reduction.as_alias("group_reduction"),
        Booking.group.commercial.as_alias("group_commercial"),
        Booking.group.activity.as_alias("group_activity"),
    )
    return [row for row in rows if period.start <= row["starts_at"] < period.end]


def _kind(row: dict) -> str:
    if row["group_activity"] == WALK_IN_MARKER:
        return "individual"
    if row["commercial"] or row["group_commercial"]:
        return "commercial"
    return row["group_reduction"] if row["group_reduction"] in ("welfare", "public_interest") else "general"


async def _closed_slots(period: Period) -> int:
    """Slots of the center's days that a closure hold overlaps (every demo room offers them all)."""
    slots = await Slot.select()
    closures = await Hold.select().where(Hold.kind == "closure")
    count = 0
    for hold in closures:
        day = to_local(hold["starts_at"]).date()
        while day <= to_local(hold["ends_at"]).date():
            for slot in slots:
                begins = datetime.combine(day, slot["starts"], TOKYO)
                ends = datetime.combine(day, slot["ends"], TOKYO)
                inside = period.start <= begins < period.end
                if inside and hold["starts_at"] < ends and hold["ends_at"] > begins:
                    count += 1
            day += timedelta(days=1)
    return count


async def test_last_month_usage_report_has_every_line_and_agrees_with_the_tables(db, clock):
    await demo_center()
    report = await usage_report(LAST_MONTH)
    rows = await _bookings(LAST_MONTH)
    approved = [row for row in rows if row["status"] == "approved"]
    for name in (field.name for field in fields(Figures)):
        assert getattr(report.total, name) > 0, name
    for room in report.rooms:
        mine = [row for row in approved if row["room"] == room["id"]]
        counted = [row for row in mine if row["actual_head_count"] is not None]
        figures = room["figures"]
        assert figures.bookings == len(mine) > 0, room["code"]
        assert figures.head_count == sum(row["actual_head_count"] for row in counted) > 0, room["code"]
        assert figures.counted == len(counted)
        assert figures.no_shows == sum(row["no_show_at"] is not None for row in mine)
        assert figures.cancellations == sum(
            row["status"] == "cancelled" and row["room"] == room["id"] for row in rows
        )
    assert report.total.closed_slots == await _closed_slots(LAST_MONTH)
    kinds = Counter(_kind(row) for row in approved)
    assert {item["kind"]: item["bookings"] for item in report.by_kind} == dict(kinds)
    assert all(item["head_count"] > 0 for item in report.by_kind)
    assert report.previous is not None and report.previous.bookings > 0 and report.previous.head_count > 0


async def test_fiscal_year_usage_report_has_every_past_month_filled_and_agrees_with_the_tables(db, clock):
    await demo_center()
    report = await usage_report(FISCAL_YEAR)
    rows = await _bookings(FISCAL_YEAR)
    approved = [row for row in rows if row["status"] == "approved"]
    assert report.total.bookings == len(approved)
    assert report.total.cancellations == sum(row["status"] == "cancelled" for row in rows)
    assert report.total.head_count == sum(row["actual_head_count"] or 0 for row in approved)
    assert report.total.no_shows == sum(row["no_show_at"] is not None for row in approved)
    assert report.total.closed_slots == await _closed_slots(FISCAL_YEAR)
    for month, figures in report.months:
        if month.first < INSTANT.date().replace(day=1):
            mine = [row for row in approved if month.start <= row["starts_at"] < month.end]
            assert figures.bookings == len(mine) > 0, month.slug
            assert figures.head_count == sum(row["actual_head_count"] or 0 for row in mine) > 0, month.slug
            assert figures.booked_slots > 0 and figures.booked_minutes > 0, month.slug
    assert all(item["bookings"] > 0 and item["head_count"] > 0 for item in report.by_kind)
    assert report.previous is not None and report.previous.bookings > 0


def _reason(row: dict) -> str:
    category = row["reduction_category"]
    return category if category in ("welfare", "public_interest") else "none"


async def _money(period: Period) -> dict[tuple[str, str], int]:
    sums: Counter = Counter()
    for row in await Payment.select():
        if period.start <= row["paid_at"] < period.end:
            sums[(row["method"], row["kind"])] += row["amount"]
    return dict(sums)


@pytest.mark.parametrize("period", [LAST_MONTH, FISCAL_YEAR], ids=["last-month", "fiscal-year"])
async def test_income_report_has_every_line_and_agrees_with_the_tables(db, clock, period):
    await demo_center()
    report = await income_report(period)
    rows = await _bookings(period)
    approved = [row for row in rows if row["status"] == "approved"]
    cancelled = [row for row in rows if row["status"] == "cancelled"]
    charges = report.charges
    for name in ("room_fee", "surcharge_fee", "heating_fee", "reduction_fee", "fee_total"):
        assert getattr(charges, name) == sum(row[name] for row in approved) > 0, name
    assert charges.bookings == len(approved)
    assert (
        charges.full_reductions == sum(r["reduction_fee"] > 0 and r["fee_total"] == 0 for r in approved) > 0
    )
    for reason in report.reductions:
        mine = [row for row in approved if row["reduction_fee"] > 0 and _reason(row) == reason["reason"]]
        assert reason["bookings"] == len(mine) > 0, reason["reason"]
        assert reason["amount"] == sum(row["reduction_fee"] for row in mine)
    assert report.cancellations == len(cancelled) > 0
    assert report.cancelled_fees == sum(row["fee_total"] for row in cancelled)
    assert report.refunds_due == sum(row["refund_due"] for row in cancelled) > 0
    money = await _money(period)
    for method in report.methods:
        assert method["payments"] == money.get((method["method"], "payment"), 0) > 0, method["method"]
        assert method["refunds"] == money.get((method["method"], "refund"), 0) > 0, method["method"]
    assert report.balances and report.desk_payments == report.payments > 0
    for room in report.rooms:
        assert room["charges"].bookings > 0


async def test_desk_cash_summary_of_a_past_day_with_payments_balances(db, clock):
    await demo_center()
    refund = await Payment.select().where(Payment.kind == "refund").order_by(Payment.paid_at).first()
    day = to_local(refund["paid_at"]).date()
    summary = await cash_summary(day)
    assert day < INSTANT.date() and summary.rows and summary.refunds > 0
    assert summary.balances
    listed = sum(row["amount"] if row["kind"] == "payment" else -row["amount"] for row in summary.rows)
    assert listed == summary.net == sum(total.net for total in summary.methods)
    payments = await Payment.select().where(Payment.kind == "payment").order_by(Payment.paid_at)
    busy = Counter(to_local(row["paid_at"]).date() for row in payments if row["paid_at"] < INSTANT)
    busiest, count = busy.most_common(1)[0]
    assert len((await cash_summary(busiest)).rows) == count and (await cash_summary(busiest)).balances


async def test_demo_desk_work_leaves_past_bookings_checked_in_with_keys_and_numbered_receipts(db, clock):
    await demo_center()
    past = await Booking.select().where((Booking.status == "approved") & (Booking.ends_at <= INSTANT))
    checked = [row for row in past if row["checked_in_at"]]
    assert checked and all(row["actual_head_count"] and row["key_number"] for row in checked)
    assert all(row["key_returned_at"] and row["checked_out_at"] for row in checked)
    assert any(row["no_show_at"] for row in past)
    receipts = [row["receipt_number"] for row in await Payment.select().order_by(Payment.paid_at)]
    assert len(set(receipts)) == len(receipts)
    assert {receipt[:6] for receipt in receipts} >= {"R2026-"}
    statuses = {row["status"] for row in await Booking.select(Booking.status)}
    assert {"declined", "lapsed", "cancelled", "approved", "requested"} <= statuses
    walk_in = await Group.select(Group.id).where(Group.activity == WALK_IN_MARKER).first()
    assert await Booking.exists().where((Booking.group == walk_in["id"]) & (Booking.walk_in == True))


async def test_demo_has_lotteries_a_series_inspections_done_and_due_and_an_outage_that_ended(db, clock):
    await demo_center()
    rounds = {row["status"]: row for row in await LotteryRound.select()}
    assert set(rounds) == {"drawn", "open"} and accepting(rounds["open"], on=INSTANT.date())
    drawn = {
        row["status"]
        for row in await LotteryEntry.select().where(LotteryEntry.round == rounds["drawn"]["id"])
    }
    assert {"confirmed", "won", "lost"} <= drawn
    series = await BookingSeries.select().first()
    assert await Booking.count().where(Booking.series == series["id"]) >= 8
    outage = await Ticket.select().where(Ticket.accessibility_feature != "")
    assert [row["status"] for row in outage] == ["done"]
    closure = await Closure.select().first()
    assert to_local(closure["starts_at"]).date().month == LAST_MONTH.month
    assert await Ticket.exists().where(Ticket.status == "in_progress")
    inspections = await Ticket.select(Ticket.status).where(Ticket.inspection.is_not_null())
    assert {"done", "scheduled"} <= {row["status"] for row in inspections}
