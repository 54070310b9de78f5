"""Demo data: a center that looks like the real one (rooms on five floors, its calendar, groups,
accounts and about four months of bookings around today), loaded in one transaction.

The center itself is center/shell/demo_data/center.toml, a center file read and written by the same
code as `center init` (center/shell/setup); accounts and groups are in demo_people.toml; the
bookings are planned by center/shell/demo_data/schedule.py from weekly series and one-off events with a
fixed random seed, so every load on the same day looks the same. Fees come from the bookings
domain's own pricing, and every active booking takes its room time through the ledger
(`take_hold`), like real ones."""

from __future__ import annotations

import random
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from bookings.deadlines import DeadlineRule
from bookings.fees import FeeQuote, Payer, ensure_default_rules, quote
from bookings.request_numbers import request_number
from bookings.rules import load_policy
from bookings.service import ensure_default_refund_rules, permit_number, refund_due
from bookings.tables import Booking
from center.accounts import audit
from center.accounts import service as accounts
from center.accounts.tables import Group, GroupMember, User
from center.ledger.service import release_hold, take_hold
from center.ledger.tables import Hold
from center.lib.dates import local_instant
from center.lib.dates import today as tokyo_today
from center.lib.db import is_postgres, write_transaction
from center.lib.errors import Conflict
from center.places.calendar import CalendarData, in_heating_season, load_calendar
from center.places.tables import (
    CenterProfile,
    ClosedDay,
    OpeningHours,
    Room,
    Slot,
)
from center.shell.demo_data.life import Life
from center.shell.demo_data.lottery import load_lottery
from center.shell.demo_data.schedule import SEED, booking_status, plan_bookings
from center.shell.demo_programmes import DemoProgrammes
from center.shell.setup.center_file import CenterConfig, load_center_file
from center.shell.setup.center_write import write_center
from maintenance.demo import load_maintenance_demo

DEMO_PASSWORD = "demo-password"
DATA_FILE = Path(__file__).resolve().parent / "demo_data" / "center.toml"  # a center file (docs/setup.md)
PEOPLE_FILE = DATA_FILE.with_name("demo_people.toml")
_LOCK_KEY = 7_111_0144  # PostgreSQL advisory lock: two processes never load the demo at once


class DemoRefused(Conflict):
    """The database holds data that is not the demo's; loading would mix the two."""

    message = "The database already holds data; the demo data was not loaded."  # CLI only: English


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    roles: tuple[str, ...]  # staff roles
    groups: tuple[str, ...]  # approved groups (they give the member role)
    pending_groups: tuple[str, ...]  # groups whose registration waits for staff


@cache
def demo_center() -> CenterConfig:
    """The demo center's own description, read and checked like any center file."""
    config, problems = load_center_file(DATA_FILE)
    if config is None:
        raise RuntimeError("center/shell/demo_data/center.toml: " + "; ".join(p.text() for p in problems))
    return config


@cache
def demo_data() -> dict[str, Any]:
    """What only the demo has (center/shell/demo_data/demo_people.toml): accounts, groups, an
    inspection day."""
    with PEOPLE_FILE.open("rb") as handle:
        return tomllib.load(handle)


def demo_accounts() -> list[DemoAccount]:
    """The demo accounts with their staff roles and groups, for the CLI and the README."""
    data = demo_data()

    def groups_of(username: str, approved: bool) -> tuple[str, ...]:
        return tuple(
            group["name"]
            for group in data["groups"]
            if username in group["members"] and (group["status"] == "approved") == approved
        )

    return [
        DemoAccount(
            account["username"],
            account["display_name"],
            tuple(account["roles"]),
            groups_of(account["username"], True),
            groups_of(account["username"], False),
        )
        for account in data["accounts"]
    ]


async def database_state() -> str:
    """ "empty", "rooms" (the center is set up: the demo is never loaded again) or "other" (some
    accounts, groups or calendar data, but no rooms)."""
    if await Room.exists():
        return "rooms"
    for table in (User, Group, Slot, OpeningHours, ClosedDay, CenterProfile, Hold):
        if await table.exists():
            return "other"
    return "empty"


async def load_demo(*, force: bool = False, today: date | None = None) -> None:
    """Load the demo center in one transaction. Does nothing if the database already has rooms;
    refuses (DemoRefused) if it holds real accounts (center/shell/demo_guard.py), even with `force`, or
    other data, unless `force`, which adds the demo beside it and skips whatever already exists
    (groups, slots by their names)."""
    from center.shell.demo_guard import real_accounts, real_accounts_message

    today = today or tokyo_today()
    async with write_transaction():
        if is_postgres():
            await Room.raw("SELECT pg_advisory_xact_lock({})", _LOCK_KEY)
        state = await database_state()
        if state == "rooms":
            return
        if names := await real_accounts():
            raise DemoRefused(real_accounts_message(names))
        if state == "other" and not force:
            raise DemoRefused()
        loader = _Loader(today)
        await loader.run()


def _time(text: str) -> time:
    return time.fromisoformat(text)


class _Loader:
    """Writes the demo inside the caller's transaction."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.now = datetime.now(UTC)
        self.data = demo_data()
        self.rng = random.Random(SEED)
        self.slot_ids: dict[str, int] = {}
        self.slot_times: dict[str, tuple[time, time]] = {}
        self.room_ids: dict[str, int] = {}
        self.user_ids: dict[str, int] = {}
        self.groups: dict[str, dict[str, Any]] = {}

    async def run(self) -> None:
        await self._accounts()
        await self._groups()
        # The center itself, as `center init` writes a center file; terms published a year ago, so
        # every demo booking agreed to them.
        written = await write_center(
            demo_center(),
            now=self.now,
            terms_published_at=self.now - timedelta(days=365),
            published_by=self.user_ids.get("manager"),
        )
        self.room_ids, self.slot_ids, self.slot_times = written.room_ids, written.slot_ids, written.slot_times
        await self._inspection_day()
        count = await self._bookings(await load_calendar())
        count += await Life(self).run()
        lottery = await load_lottery(self.today, self.room_ids, self.groups, self.user_ids.get("manager"))
        await load_maintenance_demo(self.today, self.user_ids.get("facilities"))
        programmes = await DemoProgrammes(self.today, self.room_ids).run()
        await audit.record(
            "load_demo",
            "center",
            note=f"demo data: {len(self.room_ids)} rooms, {len(self.groups)} groups, {count} bookings, "
            f"{programmes}, {lottery}",
        )

    async def _inspection_day(self) -> None:
        """A closed day for equipment inspection, the first Monday `weeks_ahead` weeks from today."""
        inspection = self.data["inspection"]
        day = self.today + timedelta(weeks=inspection["weeks_ahead"])
        day += timedelta(days=(7 - day.weekday()) % 7)
        await ClosedDay.insert(
            ClosedDay(
                starts_on=day,
                ends_on=day,
                reason_ja=inspection["reason_ja"],
                reason_en=inspection["reason_en"],
                yearly=False,
            )
        )

    async def _accounts(self) -> None:
        taken = {row["username"] for row in await User.select(User.username)}
        for account in self.data["accounts"]:
            if account["username"] in taken:
                continue  # only with --force: a real account keeps its name, the demo skips it
            self.user_ids[account["username"]] = await accounts.create_user(
                account["username"], account["display_name"], DEMO_PASSWORD, account["roles"]
            )

    async def _groups(self) -> None:
        taken = {row["name"] for row in await Group.select(Group.name)}
        manager = self.user_ids.get("manager")
        for group in self.data["groups"]:
            if group["name"] in taken:
                continue
            approved = group["status"] == "approved"
            applied = self.now - timedelta(days=400 if approved else 3)
            rows = await Group.insert(
                Group(
                    name=group["name"],
                    name_kana=group["name_kana"],
                    representative=group["representative"],
                    contact_phone=group["contact_phone"],
                    contact_email=group["contact_email"],
                    address=group["address"],
                    activity=group["activity"],
                    member_count=group["member_count"],
                    reduction=group["reduction"],
                    in_city=group.get("in_city", True),
                    commercial=group.get("commercial", False),
                    status=group["status"],
                    decided_at=applied + timedelta(days=5) if approved else None,
                    decided_by=manager if approved else None,
                    applied_at=applied,
                    updated_at=applied + timedelta(days=5) if approved else applied,
                )
            ).returning(Group.id)
            group_id = rows[0]["id"]
            members = [name for name in group["members"] if name in self.user_ids]
            for username in members:
                await GroupMember.insert(
                    GroupMember(
                        group=group_id,
                        user=self.user_ids[username],
                        is_representative=username == group.get("representative_member"),
                    )
                )
            self.groups[group["key"]] = {
                **group,
                "id": group_id,
                "requested_by": self.user_ids[members[0]] if members else None,
            }

    # --- bookings ---

    async def _bookings(self, calendar: CalendarData) -> int:
        await ensure_default_rules()
        await ensure_default_refund_rules()
        policy = await load_policy()
        deadlines = DeadlineRule(policy["tentative_days"], policy["decide_days_before"], calendar)
        manager = self.user_ids.get("manager")
        rooms = {row["code"]: row for row in await Room.select()}
        priced_equipment = {room["code"]: room["equipment_fees"] for room in demo_center().rooms}
        starts = {code: times[0] for code, times in self.slot_times.items()}
        plans = plan_bookings(calendar, self.today, self.groups, starts)
        profile = await CenterProfile.select().first()
        season = (profile["heating_from_month"], profile["heating_to_month"])
        prices: dict[tuple, FeeQuote] = {}  # the same use costs the same: price each kind once
        for index, plan in enumerate(plans):
            group = self.groups[plan.group]
            # Every fourth use of a room with priced equipment takes its first priced piece.
            priced = list(priced_equipment.get(plan.room, {}))[:1] if index % 4 == 0 else []
            key = (plan.room, plan.slots, plan.group, in_heating_season(plan.day, *season), *priced)
            starts_at = local_instant(plan.day, self.slot_times[plan.slots[0]][0])
            ends_at = local_instant(plan.day, self.slot_times[plan.slots[-1]][1])
            hourly = rooms[plan.room]["booked_by"] == "hour"  # the same times, priced by the minute
            if key not in prices:
                payer = Payer(
                    reduction=group["reduction"],
                    in_city=group.get("in_city", True),
                    commercial=group.get("commercial", False),
                )
                minutes = int((ends_at - starts_at).total_seconds() // 60)
                slot_codes = [] if hourly else list(plan.slots)
                prices[key] = await quote(
                    rooms[plan.room],
                    plan.day,
                    payer,
                    slot_codes=slot_codes,
                    minutes=minutes,
                    equipment=priced,
                )
            price = prices[key]
            status = booking_status(index, plan, self.today)
            if status == "requested":  # a fresh request, waiting for staff within the lapse period
                created = self.now - timedelta(days=self.rng.randint(0, 5), hours=self.rng.randint(0, 9))
            else:
                created = min(self.now, starts_at - timedelta(days=self.rng.randint(10, 45)))
            decided = None if status == "requested" else min(self.now, created + timedelta(days=2))
            cancelled = (
                min(self.now, decided + timedelta(days=3)) if decided and status == "cancelled" else None
            )
            refund = 0
            if cancelled:  # approved first, then cancelled by the group
                charged = {"status": "approved", "starts_at": starts_at, "room_fee": price.room_fee,
                           "equipment_fee": price.equipment_fee,
                           "surcharge_fee": price.surcharge_fee, "reduction_fee": price.reduction_fee,
                           "heating_fee": price.heating_fee}  # fmt: skip
                refund = await refund_due(charged, on=cancelled)
            rows = await Booking.insert(
                Booking(
                    group=group["id"],
                    room=self.room_ids[plan.room],
                    starts_at=starts_at,
                    ends_at=ends_at,
                    slot_codes="" if hourly else ",".join(plan.slots),
                    purpose=plan.purpose,
                    public=bool(plan.public_title),
                    public_title=plan.public_title,
                    expected_head_count=plan.head_count,
                    contact_name=group["representative"],
                    contact_phone=group["contact_phone"],
                    status=status,
                    room_fee=price.room_fee,
                    heating_fee=price.heating_fee,
                    equipment_fee=price.equipment_fee,
                    equipment=priced,
                    surcharge_fee=price.surcharge_fee,
                    reduction_fee=price.reduction_fee,
                    reduction_category=price.reduction_category,
                    fee_total=price.total,
                    commercial=group.get("commercial", False),
                    outside_city=not group.get("in_city", True),
                    lapses_at=deadlines.for_request(starts_at, created) if status == "requested" else None,
                    cancelled_at=cancelled,
                    cancel_reason="団体の都合による取消" if cancelled else "",
                    refund_due=refund,
                    requested_by=group["requested_by"],
                    decided_by=manager if decided else None,
                    decided_at=decided,
                    terms_version=1,  # the members requested online, agreeing to the demo's terms
                    terms_agreed_at=created,
                    created_at=created,
                    updated_at=cancelled or decided or created,
                )
            ).returning(Booking.id)
            booking_id = rows[0]["id"]
            hold = await take_hold(
                self.room_ids[plan.room],
                starts_at,
                ends_at,
                "booking",
                ref=booking_id,
                label=plan.purpose,
                actor_id=group["requested_by"],
            )
            await Booking.update(
                {
                    Booking.hold: hold.id,
                    Booking.request_number: request_number(booking_id, created),
                    Booking.permit_number: permit_number(booking_id, starts_at) if decided else None,
                }
            ).where(Booking.id == booking_id)
            if cancelled:
                await release_hold(hold.id, reason="cancel: 団体の都合による取消")
        return len(plans)
