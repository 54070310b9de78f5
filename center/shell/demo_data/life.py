"""The demo center's past life, so that every report line, the desk's day sheet and its cash
summary have something in them on the first run: a few bookings in every month of the fiscal year
before the demo's window and in the same month a year earlier, last month's walk-in, hourly use,
full reduction, closure for works, cancellations with refunds, declined and lapsed requests, and
the front desk's work on every past booking (check-in with head count and key, check-out, payment
with a numbered receipt, no-shows, refunds paid out). It writes the rows the desk's own functions
write (bookings.desk_checkin, bookings.desk_payments), in the demo's one transaction, from a fixed
seed, so the same day gives the same data."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bookings.desk_walkins import walk_in_group
from bookings.fees import Payer, quote
from bookings.service import permit_number, refund_due
from bookings.tables import Booking, BookingSeries
from center.ledger.service import find_conflicts, release_hold, take_hold
from center.lib.dates import local_instant, to_local
from center.lib.months import fiscal_year, shift_month
from center.places.calendar import CalendarData, load_calendar
from center.places.tables import Room
from center.shell.demo_data.desk import desk_work, write_payments
from center.shell.demo_data.schedule import SERIES, WINDOW_DAYS
from center.shell.demo_data.works import close_for_works

SEED = 3_3_8_18

# Every month of the fiscal year before the demo's window, and last month, has one booking of each
# kind of group: (group, room, weekday wanted, slots, purpose, expected head count).
MONTH_SET = (
    ("salon", "washitsu", 0, ("morning",), "健康体操教室", 20),
    ("igocoti", "volunteer", 1, ("afternoon",), "居場所づくり(学習支援・交流)", 8),
    ("suisai", "training", 3, ("afternoon",), "水彩画の練習会", 12),
    ("culture", "hall", 4, ("afternoon",), "講演会", 60),
    ("suisai", "gallery", 5, ("morning", "afternoon"), "作品の展示", 15),
)
WALK_IN = {"name": "佐藤 一郎", "phone": "0144-00-5555", "purpose": "個人練習(楽器)"}
OVERRIDE_REASON = "市との共催事業のため全額減免"
DECLINE_REASON = "同じ日時に市の行事が入っているため"
CANCEL_REASON = "団体の都合による取消"


@dataclass
class Made:
    id: int
    status: str


def _month_days(year: int, month: int) -> list[date]:
    first = date(year, month, 1)
    following = date(*shift_month(year, month, 1), 1)
    return [first + timedelta(days=n) for n in range((following - first).days)]


class Life:
    """Writes the demo's past inside the caller's transaction (see the module docstring)."""

    def __init__(self, loader: Any) -> None:
        self.today: date = loader.today
        self.now = datetime.now(UTC)
        self.groups: dict[str, dict] = loader.groups
        self.room_ids: dict[str, int] = loader.room_ids
        self.slot_times: dict[str, tuple[time, time]] = loader.slot_times
        self.desk = loader.user_ids.get("desk")
        self.manager = loader.user_ids.get("manager")
        self.facilities = loader.user_ids.get("facilities")
        self.rng = random.Random(SEED)
        self.calendar: CalendarData | None = None
        self.rooms: dict[str, dict] = {}
        self.paid: list[dict] = []  # Payment rows to number and write at the end

    async def run(self) -> int:
        if not self.room_ids or not all(
            key in self.groups for key in ("salon", "igocoti", "suisai", "culture")
        ):
            return 0  # --force beside a center that already had these groups: nothing to build on
        self.calendar = await load_calendar()
        self.rooms = {row["code"]: row for row in await Room.select()}
        last_month = shift_month(self.today.year, self.today.month, -1)
        window_start = self.today - timedelta(days=WINDOW_DAYS)
        months = {shift_month(*last_month, -12), last_month}
        year, month = fiscal_year(self.today), 4
        while date(year, month, 1) < self.today.replace(day=1):
            if _month_days(year, month)[-1] < window_start:
                months.add((year, month))
            year, month = shift_month(year, month, 1)
        made = 0
        for year, month in sorted(months):
            made += await self._month_set(year, month)
        made += await self._last_month(*last_month)
        await self._series()
        self.paid += await desk_work(self.now, self.desk, self.rng)
        await write_payments(self.paid, self.desk)
        return made

    # --- helpers ---

    def _span(self, day: date, slots: tuple[str, ...]) -> tuple[datetime, datetime]:
        return local_instant(day, self.slot_times[slots[0]][0]), local_instant(
            day, self.slot_times[slots[-1]][1]
        )

    async def _free(self, room: str, days: list[date], starts: time, ends: time) -> date | None:
        """The first day of `days` the center is open for [starts, ends) and the room is free."""
        assert self.calendar is not None
        for day in days:
            info = self.calendar.day(day)
            if not info.open or info.opens is None or not (info.opens <= starts and ends <= info.closes):
                continue
            if day >= self.today:
                continue
            room_id = self.room_ids[room]
            if not await find_conflicts(room_id, local_instant(day, starts), local_instant(day, ends)):
                return day
        return None

    def _days_from(self, year: int, month: int, weekday: int, first_day: int = 1) -> list[date]:
        days = [day for day in _month_days(year, month) if day.day >= first_day]
        return sorted(days, key=lambda day: (day.weekday() != weekday, day))

    async def _book(
        self,
        group: dict,
        room: str,
        starts_at: datetime,
        ends_at: datetime,
        slots: tuple[str, ...],
        purpose: str,
        head_count: int,
        status: str = "approved",
        **extra: Any,
    ) -> Made:
        """One booking as the bookings domain writes it, priced by its rules, its time held in the
        ledger (released again when it ends up declined, lapsed or cancelled)."""
        row = self.rooms[room]
        hourly = row["booked_by"] == "hour"
        local = to_local(starts_at)
        minutes = int((ends_at - starts_at).total_seconds() // 60)
        payer = Payer(
            reduction=group["reduction"],
            in_city=group.get("in_city", True),
            commercial=group.get("commercial", False),
        )
        price = await quote(
            row, local.date(), payer, slot_codes=[] if hourly else list(slots), minutes=minutes
        )
        created = min(self.now, starts_at - timedelta(days=self.rng.randint(14, 40)))
        decided = None if status in ("requested", "lapsed") else created + timedelta(days=2)
        values = {
            "room_fee": price.room_fee,
            "heating_fee": price.heating_fee,
            "surcharge_fee": price.surcharge_fee,
            "reduction_fee": price.reduction_fee,
            "reduction_category": price.reduction_category,
            "fee_total": price.total,
        } | extra.pop("fees", {})
        rows = await Booking.insert(
            Booking(
                group=group["id"],
                room=self.room_ids[room],
                starts_at=starts_at,
                ends_at=ends_at,
                slot_codes="" if hourly else ",".join(slots),
                purpose=purpose,
                expected_head_count=head_count,
                contact_name=extra.pop("contact_name", group.get("representative", "")),
                contact_phone=extra.pop("contact_phone", group.get("contact_phone", "")),
                status=status,
                commercial=group.get("commercial", False),
                outside_city=not group.get("in_city", True),
                requested_by=group.get("requested_by"),
                decided_by=self.manager if decided else None,
                decided_at=decided,
                terms_version=1,
                terms_agreed_at=created,
                created_at=created,
                updated_at=decided or created,
                **values,
                **extra,
            )
        ).returning(Booking.id)
        booking_id = rows[0]["id"]
        hold = await take_hold(
            self.room_ids[room], starts_at, ends_at, "booking", ref=booking_id, label=purpose,
            actor_id=group.get("requested_by"),
        )  # fmt: skip
        number = permit_number(booking_id, starts_at) if status in ("approved", "cancelled") else None
        await Booking.update({Booking.hold: hold.id, Booking.permit_number: number}).where(
            Booking.id == booking_id
        )
        if status in ("declined", "lapsed"):
            await release_hold(hold.id, reason=status)
        return Made(booking_id, status)

    async def _book_slots(
        self,
        group: str,
        room: str,
        days: list[date],
        slots: tuple[str, ...],
        purpose: str,
        head: int,
        **extra: Any,
    ) -> Made | None:
        starts, ends = self.slot_times[slots[0]][0], self.slot_times[slots[-1]][1]
        day = await self._free(room, days, starts, ends)
        if day is None:
            return None
        starts_at, ends_at = self._span(day, slots)
        return await self._book(self.groups[group], room, starts_at, ends_at, slots, purpose, head, **extra)

    # --- the months ---

    async def _month_set(self, year: int, month: int) -> int:
        made = 0
        for group, room, weekday, slots, purpose, head in MONTH_SET:
            days = self._days_from(year, month, weekday, first_day=8)
            made += await self._book_slots(group, room, days, slots, purpose, head) is not None
        return made

    async def _last_month(self, year: int, month: int) -> int:
        """Last month's special cases, so its report lines and the desk's pages show them."""
        made = []
        days = self._days_from(year, month, 2, first_day=3)
        # A room booked by the hour, for an hour and a half.
        for room, row in self.rooms.items():
            if row["booked_by"] == "hour":
                day = await self._free(room, days, time(13, 30), time(15, 0))
                if day is not None:
                    made.append(
                        await self._book(
                            self.groups["himawari" if "himawari" in self.groups else "salon"], room,
                            local_instant(day, time(13, 30)), local_instant(day, time(15, 0)), (),
                            "離乳食の講習会", 10,
                        )
                    )  # fmt: skip
                break
        # A person at the desk, booking under the desk's system group.
        walk_in = await walk_in_group()
        assert walk_in is not None
        made.append(await self._walk_in(walk_in, days))
        # A full reduction granted by the manager (an override under no category).
        made.append(await self._full_reduction(days))
        # Declined and lapsed requests.
        made.append(
            await self._book_slots(
                "suisai", "gallery", days, ("morning",), "作品の搬入準備", 6, status="declined",
                decision_reason=DECLINE_REASON,
            )
        )  # fmt: skip
        lapsed = await self._book_slots(
            "igocoti", "equality", days, ("morning",), "ボランティア説明会", 10, status="lapsed"
        )
        if lapsed is not None:
            booking = await Booking.select(Booking.created_at).where(Booking.id == lapsed.id).first()
            await Booking.update({Booking.lapses_at: booking["created_at"] + timedelta(days=10)}).where(
                Booking.id == lapsed.id
            )
            made.append(lapsed)
        # Cancellations late in the month, paid first and refunded at the desk (cash and other).
        late = self._days_from(year, month, 4, first_day=20)
        for group, room, method in (("culture", "hall", "cash"), ("himawari", "meeting2", "other")):
            if group in self.groups:
                made.append(await self._cancelled(group, room, late, method))
        made.append(await self._closure(days))
        return sum(item is not None for item in made)

    async def _walk_in(self, group: dict, days: list[date]) -> Made | None:
        day = await self._free("meeting1", days, *self._span_times(("evening",)))
        if day is None:
            return None
        starts_at, ends_at = self._span(day, ("evening",))
        walk_in_payer = {"reduction": "none", "id": group["id"], "in_city": True}
        made = await self._book(
            walk_in_payer, "meeting1", starts_at, ends_at, ("evening",), WALK_IN["purpose"], 2,
            walk_in=True, walk_in_name=WALK_IN["name"], walk_in_phone=WALK_IN["phone"],
            contact_name=WALK_IN["name"], contact_phone=WALK_IN["phone"],
        )  # fmt: skip
        await Booking.update({Booking.created_at: starts_at - timedelta(minutes=10)}).where(
            Booking.id == made.id
        )
        return made

    def _span_times(self, slots: tuple[str, ...]) -> tuple[time, time]:
        return self.slot_times[slots[0]][0], self.slot_times[slots[-1]][1]

    async def _full_reduction(self, days: list[date]) -> Made | None:
        made = await self._book_slots(
            "himawari" if "himawari" in self.groups else "suisai", "hall", days, ("morning",),
            "子育て講演会(市共催)", 50, override_reason=OVERRIDE_REASON,
        )  # fmt: skip
        if made is not None:
            row = await Booking.select().where(Booking.id == made.id).first()
            reduction = row["room_fee"] + row["surcharge_fee"] + row["heating_fee"]
            await Booking.update(
                {Booking.reduction_fee: reduction, Booking.fee_total: 0, Booking.reduction_category: "none"}
            ).where(Booking.id == made.id)
        return made

    async def _cancelled(self, group: str, room: str, days: list[date], method: str) -> Made | None:
        made = await self._book_slots(group, room, days, ("evening",), "定例会議", 12)
        if made is None:
            return None
        row = await Booking.select().where(Booking.id == made.id).first()
        cancelled = row["starts_at"] - timedelta(days=12, hours=-2)
        paid = cancelled - timedelta(days=5)
        refund = await refund_due({**row, "status": "approved"}, on=cancelled)
        await Booking.update(
            {
                Booking.status: "cancelled",
                Booking.cancelled_at: cancelled,
                Booking.cancel_reason: CANCEL_REASON,
                Booking.refund_due: refund,
                Booking.updated_at: cancelled,
            }
        ).where(Booking.id == made.id)
        await release_hold(row["hold"], reason=f"cancel: {CANCEL_REASON}")
        if row["fee_total"]:
            self._money(made.id, "payment", row["fee_total"], method, paid)
        if refund:
            self._money(made.id, "refund", refund, method, cancelled + timedelta(days=1))
        return Made(made.id, "cancelled")

    async def _closure(self, days: list[date]) -> Made | None:
        """A room closed for works for a day last month; its two bookings moved to another room."""
        room, target, slots = "training", "equality", (("morning",), ("evening",))
        for day in days:
            starts_at, ends_at = local_instant(day, time(9)), local_instant(day, time(21))
            if (
                await self._free(room, [day], time(9), time(21)) != day
                or await self._free(target, [day], time(9), time(21)) != day
            ):
                continue
            moved = []
            for group, slot in zip(("suisai", "igocoti"), slots, strict=True):
                made = await self._book(
                    self.groups[group], room, *self._span(day, slot), slot, "定例会議", 10
                )
                moved.append(made.id)
            break
        else:
            return None
        await close_for_works(
            room=self.room_ids[room], target=self.room_ids[target], starts_at=starts_at, ends_at=ends_at,
            moved=moved, facilities=self.facilities,
        )  # fmt: skip
        return Made(moved[0], "approved")

    async def _series(self) -> None:
        """The watercolour club's weekly practice is a recurring booking (a series) in the demo's
        window: its occurrences are the plain bookings the schedule made, now tied to it."""
        plan = next((item for item in SERIES if item.group == "suisai"), None)
        if plan is None or "suisai" not in self.groups:
            return
        group = self.groups["suisai"]
        rows = await Booking.select(Booking.id, Booking.starts_at).where(
            (Booking.group == group["id"])
            & (Booking.room == self.room_ids[plan.room])
            & (Booking.purpose == plan.purpose)
            & (Booking.starts_at >= local_instant(self.today - timedelta(days=WINDOW_DAYS), time(0)))
        )
        rows = [row for row in rows if to_local(row["starts_at"]).weekday() == plan.weekday]
        if not rows:
            return
        days = sorted(to_local(row["starts_at"]).date() for row in rows)
        created = local_instant(days[0], time(9)) - timedelta(days=30)
        series = await BookingSeries.insert(
            BookingSeries(
                group=group["id"], room=self.room_ids[plan.room], pattern="weekly", weekday=plan.weekday,
                starts_on=days[0], ends_on=days[-1], slot_codes=",".join(plan.slots), purpose=plan.purpose,
                expected_head_count=plan.head_count, contact_name=group.get("representative", ""),
                contact_phone=group.get("contact_phone", ""), created_by=group.get("requested_by"),
                created_at=created, updated_at=created,
            )
        ).returning(BookingSeries.id)  # fmt: skip
        for row in rows:
            await Booking.update(
                {Booking.series: series[0]["id"], Booking.occurrence_on: to_local(row["starts_at"]).date()}
            ).where(Booking.id == row["id"])

    def _money(self, booking_id: int, kind: str, amount: int, method: str, at: datetime) -> None:
        if at < self.now:
            self.paid.append(
                {"booking": booking_id, "kind": kind, "amount": amount, "method": method, "paid_at": at}
            )
