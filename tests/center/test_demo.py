"""The demo center: rooms, calendar, groups, accounts and bookings that hold their time in the ledger."""

from datetime import timedelta
from itertools import pairwise

import pytest

from bookings.tables import Booking
from center.accounts.service import authenticate
from center.accounts.tables import Group, User, UserRole
from center.ledger.tables import Hold
from center.lib.dates import to_local
from center.lib.dates import today as tokyo_today
from center.places.calendar import load_calendar
from center.places.tables import CenterProfile, ClosedDay, OpeningHours, Room, RoomSlotFee, Slot
from center.shell.demo import DEMO_PASSWORD, DemoRefused, load_demo
from maintenance.tables import Location
from tests.helpers import PASSWORD, make_calendar, make_user

pytestmark = pytest.mark.anyio

ROOM_CODES = {
    "gallery",
    "cooking",
    "hall",
    "washitsu",
    "meeting1",
    "meeting2",
    "volunteer",
    "equality",
    "training",
}


async def _counts() -> dict[str, int]:
    tables = (Room, RoomSlotFee, Slot, OpeningHours, ClosedDay, CenterProfile, Location, User, Group)
    counts = {table._meta.tablename: await table.count() for table in tables}
    counts["bookings"] = await Booking.count()
    counts["holds"] = await Hold.count()
    return counts


async def test_demo_builds_the_center_on_five_floors_with_its_calendar(db):
    await load_demo()
    rooms = {room["code"]: room for room in await Room.select().output(load_json=True)}
    assert set(rooms) == ROOM_CODES
    assert {room["floor"] for room in rooms.values()} == {1, 2, 3, 4, 5}
    hall = rooms["hall"]
    assert hall["capacity"] == 100 and hall["hearing_loop"]
    assert {"projector", "piano", "sound_system"} <= set(hall["equipment"])
    assert not rooms["washitsu"]["step_free"] and rooms["washitsu"]["accessibility_notes_ja"]
    assert await RoomSlotFee.count() == 27
    profile = await CenterProfile.select().first()
    assert profile["name_ja"] == "苫小牧市市民活動センター" and profile["phone"] == "0144-32-7111"
    assert [s["code"] for s in await Slot.select().order_by(Slot.sort_order)] == [
        "morning",
        "afternoon",
        "evening",
    ]
    assert await OpeningHours.count() == 7
    year_end = await ClosedDay.select().where(ClosedDay.yearly == True).first()
    assert (year_end["starts_on"].month, year_end["starts_on"].day) == (12, 29)
    assert (year_end["ends_on"].month, year_end["ends_on"].day) == (1, 3)
    assert await ClosedDay.exists().where(ClosedDay.reason_ja == "設備点検のため休館")
    room_locations = await Location.select().where(Location.room.is_not_null())
    assert len(room_locations) == len(ROOM_CODES)
    assert await Location.exists().where(Location.code == "accessible-toilet-1f")


async def test_demo_accounts_log_in_with_their_roles(db):
    await load_demo()
    expected = {
        "manager": {"manager"},
        "desk": {"front_desk"},
        "facilities": {"facilities"},
        "member": {"member"},
        "igocoti": {"member"},
        "suisai": {"member"},
        "culture": {"member"},
        "ukulele": set(),  # their group's registration is still pending
    }
    for username, roles in expected.items():
        principal = await authenticate(username, DEMO_PASSWORD)
        assert principal.roles == roles, username
    member = await authenticate("member", DEMO_PASSWORD)
    assert len(member.group_ids) == 2
    assert await Group.count().where(Group.status == "pending") == 1


async def test_demo_bookings_hold_their_time_in_the_ledger_without_overlaps(db):
    await load_demo()
    bookings = await Booking.select()
    assert 60 <= len(bookings) <= 220  # about 100 around today, a few a month back to April
    holds = {hold["id"]: hold for hold in await Hold.select()}
    for booking in bookings:
        hold = holds[booking["hold"]]
        assert (hold["kind"], hold["ref"], hold["room"]) == ("booking", booking["id"], booking["room"])
        assert (hold["starts_at"], hold["ends_at"]) == (booking["starts_at"], booking["ends_at"])
        assert hold["active"] == (booking["status"] in {"approved", "requested"})
    active = sorted((h for h in holds.values() if h["active"]), key=lambda h: (h["room"], h["starts_at"]))
    for earlier, later in pairwise(active):
        if earlier["room"] == later["room"]:
            assert earlier["ends_at"] <= later["starts_at"]


async def test_demo_bookings_fall_on_open_days_around_today_mostly_approved(db):
    await load_demo()
    bookings = await Booking.select()
    calendar = await load_calendar()
    for booking in bookings:
        local = to_local(booking["starts_at"])
        info = calendar.day(local.date())
        assert info.open, local
        assert info.opens <= local.time() and to_local(booking["ends_at"]).time() <= info.closes
    days = sorted(to_local(b["starts_at"]).date() for b in bookings)
    today = tokyo_today()
    assert days[0] <= today - timedelta(days=45) and days[-1] >= today + timedelta(days=45)
    statuses = [b["status"] for b in bookings]
    assert statuses.count("approved") > len(bookings) * 0.75
    assert statuses.count("requested") >= 1 and statuses.count("cancelled") >= 1
    public = [b for b in bookings if b["public"]]
    assert public and all(b["public_title"] for b in public)
    assert all(b["permit_number"] for b in bookings if b["status"] == "approved")
    assert any(b["heating_fee"] for b in bookings) and all(b["fee_total"] >= 0 for b in bookings)


async def test_loading_the_demo_twice_duplicates_nothing(db):
    await load_demo()
    before = await _counts()
    await load_demo()
    await load_demo(force=True)
    assert await _counts() == before


async def test_demo_refuses_a_database_with_other_data_unless_forced(db):
    await make_calendar()
    with pytest.raises(DemoRefused):
        await load_demo()
    assert await Room.count() == 0
    await load_demo(force=True)
    assert await Room.count() == len(ROOM_CODES)


async def test_forced_demo_is_refused_beside_a_real_account(db):
    admin = await make_user("admin", ("manager",))
    with pytest.raises(DemoRefused, match="real accounts"):
        await load_demo(force=True)
    assert await Room.count() == 0
    assert await User.count() == 1
    assert (await authenticate("admin", PASSWORD)).id == admin


async def test_forced_demo_is_refused_beside_a_real_account_with_a_demo_name(db):
    real = await make_user("manager", ("front_desk",))
    with pytest.raises(DemoRefused, match="manager"):
        await load_demo(force=True)
    roles = {row["role"] for row in await UserRole.select().where(UserRole.user == real)}
    assert roles == {"front_desk"}
    assert await User.count() == 1
