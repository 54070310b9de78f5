"""The decision deadline: when an open request (a tentative hold) lapses unless approved.

A request is held for the policy's tentative period, but never past the manager's decision cutoff
before the day of use (by default the online cutoff: closing time three days before), and never
past the start of the use itself. One pure function computes it; request_booking, staff requests,
series and lottery wins all store its answer in `lapses_at`, which is what pages and notices show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bookings.rules import load_policy
from bookings.tables import Booking, BookingPolicy
from center.lib.dates import local_instant, to_local
from center.lib.db import write_transaction
from center.places.calendar import CalendarData, load_calendar
from center.places.tables import CenterProfile, ClosedDay, OpeningHours

SEARCH_BACK_DAYS = 31  # a cutoff on a closed day moves back to the last open day, this far at most


def decision_deadline(
    requested_at: datetime, starts_at: datetime, held_until: datetime, cutoff_at: datetime | None
) -> datetime:
    """The instant an open request lapses unless approved: the earliest of

    - `held_until`, the period the policy promises (requested + the tentative days; for a lottery
      win, the end of its confirm-by day);
    - `cutoff_at`, the manager's decision cutoff before the day of use, if it is still ahead when
      the request is made. A request made after it (a staff override for a date inside the
      cutoff, or an online request sent after closing time on the cutoff day) is held until its
      use starts instead: lapsing it at once would free the slot before anyone could decide;
    - `starts_at`: no hold outlives the start of its use.

    It is never before `requested_at` (a use that has already started lapses at once)."""
    deadline = min(held_until, starts_at)
    if cutoff_at is not None and cutoff_at > requested_at:
        deadline = min(deadline, cutoff_at)
    return max(deadline, requested_at)


def cutoff_instant(use_day: date, days_before: int, calendar: CalendarData) -> datetime:
    """Closing time `days_before` days before the day of use, or on the last open day before that
    when the center is closed then (a month of closures falls back to that day's midnight)."""
    day = use_day - timedelta(days=days_before)
    for back in range(SEARCH_BACK_DAYS):
        info = calendar.day(day - timedelta(days=back))
        if info.open and info.closes is not None:
            return local_instant(info.day, info.closes)
    return local_instant(day, time(0))


@dataclass(frozen=True)
class DeadlineRule:
    """The policy and calendar a deadline depends on, loaded once for many bookings."""

    tentative_days: int
    decide_days_before: int
    calendar: CalendarData

    def cutoff(self, starts_at: datetime) -> datetime:
        return cutoff_instant(to_local(starts_at).date(), self.decide_days_before, self.calendar)

    def for_request(self, starts_at: datetime, requested_at: datetime) -> datetime:
        """The deadline of a request for a use starting at `starts_at`, made at `requested_at`."""
        held_until = requested_at + timedelta(days=self.tentative_days)
        return decision_deadline(requested_at, starts_at, held_until, self.cutoff(starts_at))


async def closing_calendar() -> CalendarData:
    """The calendar's opening hours and closed days (no slots: only closing times matter here).
    Columns are named so that the data migration keeps working as the tables grow."""
    hours = await OpeningHours.select(
        OpeningHours.weekday, OpeningHours.opens, OpeningHours.closes, OpeningHours.closed
    )
    closed_days = await ClosedDay.select(
        ClosedDay.starts_on, ClosedDay.ends_on, ClosedDay.reason_ja, ClosedDay.reason_en, ClosedDay.yearly
    ).order_by(ClosedDay.starts_on)
    profile = await CenterProfile.select(CenterProfile.holidays_closed).first()
    return CalendarData(
        {row["weekday"]: row for row in hours},
        closed_days,
        [],
        bool(profile and profile["holidays_closed"]),
    )


async def load_rule(policy: dict | None = None) -> DeadlineRule:
    policy = policy or await load_policy()
    # The calendar the pages use, kept per process (center.lib.versions); its slots do not matter here.
    return DeadlineRule(policy["tentative_days"], policy["decide_days_before"], await load_calendar())


async def deadline_for(starts_at: datetime, requested_at: datetime, policy: dict | None = None) -> datetime:
    """The deadline of one request under the current policy and calendar."""
    return (await load_rule(policy)).for_request(starts_at, requested_at)


async def recompute_open_deadlines(now: datetime | None = None) -> int:
    """The data migration: bring every open request's lapse time under the rule, as if asked now.
    It only ever shortens a hold (the time the group was told stays the upper bound), ends it by
    the use's start, and moves nothing into the past; a request whose cutoff has passed keeps its
    hold until its use starts. Lottery wins keep their confirm-by day (their own forfeit job).
    Returns how many changed. Columns are named so that it runs at its place in the migrations."""
    now = now or datetime.now(UTC)
    changed = 0
    async with write_transaction():
        rows = await Booking.select(
            Booking.id, Booking.starts_at, Booking.lapses_at, Booking.created_at
        ).where((Booking.status == "requested") & Booking.lottery_entry.is_null())
        if not rows:
            return 0
        policy = await BookingPolicy.select(
            BookingPolicy.tentative_days, BookingPolicy.decide_days_before
        ).first() or {"tentative_days": 10, "decide_days_before": 3}
        rule = DeadlineRule(policy["tentative_days"], policy["decide_days_before"], await closing_calendar())
        for row in rows:
            told = row["lapses_at"] or row["created_at"] + timedelta(days=rule.tentative_days)
            deadline = decision_deadline(now, row["starts_at"], told, rule.cutoff(row["starts_at"]))
            if deadline != row["lapses_at"]:
                await Booking.update({Booking.lapses_at: deadline}).where(Booking.id == row["id"])
                changed += 1
    return changed
