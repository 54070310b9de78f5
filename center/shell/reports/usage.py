"""The usage report (利用状況): per room and in total, for a month or a fiscal year.

Counting rules (shown on the report page too):

- Offered slots: for every day the center's calendar has open, each slot (区分) the room offers
  (its fee rows for active slots) that lies within that day's opening hours. A room booked by the
  hour is counted against the center's slots of the day, so its slot figures compare with the
  other rooms'.
- Slots closed for works (休止コマ数): offered slots that a room closure (a ledger hold of kind
  "closure", taken for maintenance) overlaps, even in part. A closure counts for the time it was in
  force: from its start until it ran out or was released, whichever came first. Finishing a
  ticket releases its closure early, so the days the room really was closed still count; a
  closure released before it began counts nothing.
- Available slots (提供コマ数): offered slots less the slots closed for works.
- Available hours (提供時間): the length of the available slots; for a room booked by the hour, the
  day's opening hours less the time a closure was in force (only the overlapped part).
- Booked (予約): approved bookings only. Requests waiting for approval, declined and lapsed requests
  never count; cancelled bookings are excluded and counted separately. A no-show still counts as
  booked (the room was held for it) and is counted separately too.
- Booked slots (予約コマ数): available slots that an approved booking overlaps, each slot once.
  Booked hours: the part of approved bookings that falls within the available hours, so an hourly
  booking of 10:00–11:30 is 1.5 hours and one slot (午前). Both are counted on the day the time
  falls on, so a booking that runs past midnight into the next month counts its hours in each
  month.
- Occupancy (稼働率): booked slots ÷ available slots, and booked hours ÷ available hours, both
  after the closures are taken off.
- Bookings, head counts (利用人数), no-shows and cancellations are counted once per booking, in
  the period the booking starts in (Tokyo time). Head counts are the front desk's actual counts;
  bookings without a count are shown as such, never estimated.
- Kind of group: commercial (the group or the booking is commercial), welfare and public-interest
  (the group's reduction category, 減免区分), individuals booking at the desk, other groups.
- The comparison is the same period one year earlier, counted by the same rules.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bookings import reporting as booking_reads
from center.ledger import reading as ledger_reads
from center.lib.dates import local_instant, to_local
from center.lib.i18n import N_, gettext, pick
from center.places.calendar import load_calendar
from center.places.rooms import slot_fees
from center.places.tables import Room
from center.shell.reports.periods import Period

WALK_IN_MARKER = "system:walk-in"  # Group.activity of the desk's system group (bookings.desk_walkins)
GROUP_KINDS = {
    "welfare": N_("Welfare groups"),
    "public_interest": N_("Public-interest groups"),
    "general": N_("Other groups (hobby, culture ...)"),
    "commercial": N_("Commercial use"),
    "individual": N_("Individuals at the desk"),
}
TOP_PURPOSES = 10
OTHER_PURPOSES = N_("Other purposes")


def group_kind(row: dict) -> str:
    """The kind of group a booking counts under (see the module's rules)."""
    if row.get("group_activity") == WALK_IN_MARKER:
        return "individual"
    if row.get("commercial") or row.get("group_commercial"):
        return "commercial"
    if row.get("group_reduction") in ("welfare", "public_interest"):
        return row["group_reduction"]
    return "general"


@dataclass
class Figures:
    """Usage figures for one room (or the total) over one period."""

    available_slots: int = 0  # offered slots less those closed for works
    closed_slots: int = 0  # offered slots a closure overlapped
    booked_slots: int = 0
    available_minutes: int = 0
    booked_minutes: int = 0
    bookings: int = 0
    counted: int = 0  # bookings with an actual head count
    head_count: int = 0
    no_shows: int = 0
    cancellations: int = 0

    @property
    def slot_rate(self) -> float | None:
        return self.booked_slots / self.available_slots if self.available_slots else None

    @property
    def hour_rate(self) -> float | None:
        return self.booked_minutes / self.available_minutes if self.available_minutes else None

    @property
    def available_hours(self) -> float:
        return self.available_minutes / 60

    @property
    def booked_hours(self) -> float:
        return self.booked_minutes / 60

    def add(self, other: Figures) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class UsageReport:
    period: Period
    rooms: list[dict]  # room dict + "figures"
    total: Figures
    months: list[tuple[Period, Figures]]  # the total per month (one entry for a month)
    by_kind: list[dict]  # kind, label, bookings, head_count
    by_purpose: list[dict]  # purpose, bookings, head_count
    previous: Figures | None = None
    previous_months: list[tuple[Period, Figures]] = field(default_factory=list)


Span = tuple[datetime, datetime]


def _merge(intervals: list[Span]) -> int:
    """Minutes covered by the union of intervals."""
    total = 0
    current_start = current_end = None
    for start, end in sorted(intervals):
        if current_end is None or start > current_end:
            if current_end is not None:
                total += (current_end - current_start).total_seconds()
            current_start, current_end = start, end
        elif end > current_end:
            current_end = end
    if current_end is not None:
        total += (current_end - current_start).total_seconds()
    return int(total // 60)


def _subtract(spans: list[Span], cuts: list[Span]) -> list[Span]:
    """The parts of the spans that none of the cuts cover."""
    pieces = list(spans)
    for cut_start, cut_end in cuts:
        pieces = [
            piece
            for start, end in pieces
            for piece in ((start, min(end, cut_start)), (max(start, cut_end), end))
            if piece[0] < piece[1]
        ]
    return pieces


async def _rooms(booked_room_ids: set[int]) -> list[dict]:
    rows = await Room.select(
        Room.id, Room.code, Room.name_ja, Room.name_en, Room.booked_by, Room.bookable, Room.sort_order
    ).order_by(Room.sort_order, Room.floor, Room.code)
    rooms = [row for row in rows if row["bookable"] or row["id"] in booked_room_ids]
    fees = await slot_fees([room["id"] for room in rooms])
    for room in rooms:
        room["slot_codes"] = {fee["code"] for fee in fees[room["id"]]}
        room["name"] = pick(room["name_ja"], room["name_en"])
    return rooms


def _days_touched(start: datetime, end: datetime) -> list[date]:
    first = to_local(start).date()
    last = to_local(end - timedelta(microseconds=1)).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


async def _closures(period: Period) -> dict[tuple[int, date], list[Span]]:
    """The time each room was closed for works, by room and Tokyo day. A closure counts while it
    was in force: a released hold (the ledger keeps it, inactive, with the instant it was
    released) up to its release, so a closure ended early still counts the days it ran and one
    released before it began counts nothing."""
    rows = await ledger_reads.closure_hold_rows(period.start, period.end)
    closed: dict[tuple[int, date], list[Span]] = defaultdict(list)
    for row in rows:
        start, end = row["starts_at"], row["ends_at"]
        if not row["active"]:
            end = min(end, row["released_at"]) if row["released_at"] is not None else start
        if end <= start:
            continue
        for day in _days_touched(start, end):
            closed[(row["room"], day)].append((start, end))
    return closed


MonthFigures = dict[tuple[int, int], dict[int, Figures]]


async def _figures(period: Period) -> tuple[list[dict], MonthFigures, list[dict]]:
    """Rooms, figures by (year, month) then room id, and the period's bookings."""
    rows = await booking_reads.usage_rows(period.start, period.end)
    rooms = await _rooms({row["room"] for row in rows})
    calendar = await load_calendar()
    closures = await _closures(period)
    approved: dict[tuple[int, date], list[Span]] = defaultdict(list)
    for row in rows:
        if row["status"] != "approved":
            continue
        for day in _days_touched(row["starts_at"], row["ends_at"]):
            approved[(row["room"], day)].append((row["starts_at"], row["ends_at"]))
    by_month: dict[tuple[int, int], dict[int, Figures]] = {
        (month.year, month.month or 0): {room["id"]: Figures() for room in rooms} for month in period.months()
    }
    for day in period.days:
        info = calendar.day(day)
        if not info.open or info.opens is None or info.closes is None:
            continue
        month = by_month[(day.year, day.month)]
        opening = (local_instant(day, info.opens), local_instant(day, info.closes))
        for room in rooms:
            figures = month[room["id"]]
            hourly = room["booked_by"] == "hour"
            offered = [s for s in info.slots if hourly or s.code in room["slot_codes"]]
            closed = closures.get((room["id"], day), [])
            slots = [s for s in offered if not any(b < s.ends_at and e > s.starts_at for b, e in closed)]
            spans = _subtract([opening], closed) if hourly else [(s.starts_at, s.ends_at) for s in slots]
            taken = approved.get((room["id"], day), [])
            figures.closed_slots += len(offered) - len(slots)
            figures.available_slots += len(slots)
            figures.available_minutes += sum(int((e - s).total_seconds() // 60) for s, e in spans)
            if not taken:
                continue
            figures.booked_slots += sum(
                1 for s in slots if any(b < s.ends_at and e > s.starts_at for b, e in taken)
            )
            overlaps = [(max(b, s), min(e, f)) for s, f in spans for b, e in taken if b < f and e > s]
            figures.booked_minutes += _merge(overlaps)
    starting = [row for row in rows if period.start <= row["starts_at"] < period.end]
    for row in starting:
        local = to_local(row["starts_at"])
        figures = by_month[(local.year, local.month)].get(row["room"])
        if figures is None:
            continue
        if row["status"] == "cancelled":
            figures.cancellations += 1
            continue
        figures.bookings += 1
        if row["no_show_at"] is not None:
            figures.no_shows += 1
        if row["actual_head_count"] is not None:
            figures.counted += 1
            figures.head_count += row["actual_head_count"]
    return rooms, by_month, starting


def _total(figures: list[Figures]) -> Figures:
    total = Figures()
    for item in figures:
        total.add(item)
    return total


async def usage_report(period: Period, *, compare: bool = True) -> UsageReport:
    """The usage report for a period, with the same period a year earlier beside it."""
    rooms, by_month, starting = await _figures(period)
    for room in rooms:
        room["figures"] = _total([month[room["id"]] for month in by_month.values()])
    months = [
        (month, _total(list(by_month[(month.year, month.month or 0)].values()))) for month in period.months()
    ]
    approved = [row for row in starting if row["status"] == "approved"]
    kinds: dict[str, dict] = {
        key: {"kind": key, "label": gettext(label), "bookings": 0, "head_count": 0, "counted": 0}
        for key, label in GROUP_KINDS.items()
    }
    purposes: dict[str, dict] = {}
    for row in approved:
        for bucket in (
            kinds[group_kind(row)],
            purposes.setdefault(
                row["purpose"].strip() or "—",
                {"purpose": row["purpose"].strip() or "—", "bookings": 0, "head_count": 0, "counted": 0},
            ),
        ):
            bucket["bookings"] += 1
            if row["actual_head_count"] is not None:
                bucket["counted"] += 1
                bucket["head_count"] += row["actual_head_count"]
    ranked = sorted(purposes.values(), key=lambda item: (-item["bookings"], item["purpose"]))
    if len(ranked) > TOP_PURPOSES:
        rest = ranked[TOP_PURPOSES - 1 :]
        ranked = [
            *ranked[: TOP_PURPOSES - 1],
            {
                "purpose": gettext(OTHER_PURPOSES),
                "bookings": sum(item["bookings"] for item in rest),
                "head_count": sum(item["head_count"] for item in rest),
                "counted": sum(item["counted"] for item in rest),
            },
        ]
    report = UsageReport(
        period=period,
        rooms=rooms,
        total=_total([figures for _, figures in months]),
        months=months,
        by_kind=list(kinds.values()),
        by_purpose=ranked,
    )
    if compare:
        earlier = await usage_report(period.year_earlier(), compare=False)
        report.previous = earlier.total
        report.previous_months = earlier.months
    return report
