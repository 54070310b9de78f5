"""The lobby signage's data and page: today's rooms with the public events and programmes still to
come or under way in them, and a clock at the server's Japan time."""

from __future__ import annotations

from datetime import time

import pytest
import time_machine

from bookings.tables import Booking
from center.accounts.actors import ActorRef
from center.lib.dates import local_instant, today
from center.programmes import screenings
from center.shell.signage import todays_rooms
from tests.bookings.desk_support import make_booking
from tests.feeds_support import screening, small_center
from tests.helpers import text_of
from tests.programmes_support import planned_day
from tests.snapshots import snapshot

pytestmark = pytest.mark.anyio


async def _public(room: int, group: int, start: str, end: str, title: str = "") -> int:
    booking_id = await make_booking(room, group, today(), start, end, purpose="内部の打合せ")
    if title:
        await Booking.update({Booking.public: True, Booking.public_title: title}).where(
            Booking.id == booking_id
        )
    return booking_id


@pytest.fixture
async def day_of_events(db):
    """Today, made at 8:00: public events in two rooms (one over by 10:30), a private booking, a
    screening at 10:00 and a flower-bed day 9:30–11:30."""
    with time_machine.travel(local_instant(today(), time(8)), tick=True):
        return await snapshot(_day_of_events)  # built once per worker and day, then restored


async def _day_of_events() -> dict:
    center = await small_center()
    await _public(center["room"], center["group"], "08:00", "09:00", "朝のラジオ体操")
    await _public(center["room"], center["group"], "13:00", "15:00", "写真展")
    await _public(center["hall"], center["group"], "11:00", "12:00", "子ども将棋教室")
    await _public(center["hall"], center["other_group"], "18:00", "20:00")
    screening_id = await screening(center, days_ahead=0, at=time(10))
    await planned_day(days_ahead=0)
    return {**center, "screening": screening_id}


async def test_the_signage_lists_todays_rooms_with_their_public_events_and_programmes(day_of_events):
    rooms = await todays_rooms(today(), local_instant(today(), time(10, 5)))

    listed = {room.name: [item.title for item in room.items] for room in rooms}
    assert listed == {
        "1階ロビー": ["春の花壇づくり"],
        "多目的ホール": ["いすに座って簡単体操", "子ども将棋教室"],
        "会議室1": ["写真展"],
    }


async def test_events_under_way_are_marked_and_a_cancelled_screening_stays_listed_as_cancelled(
    day_of_events,
):
    await screenings.cancel(day_of_events["screening"], actor=ActorRef())

    rooms = await todays_rooms(today(), local_instant(today(), time(10, 5)))

    items = {item.title: item for room in rooms for item in room.items}
    assert items["春の花壇づくり"].under_way and not items["写真展"].under_way
    assert items["いすに座って簡単体操"].cancelled
    assert items["いすに座って簡単体操"].kind_label == "簡単体操の上映"


async def test_the_signage_page_shows_the_rooms_and_the_servers_time_in_japan(client, day_of_events):
    with time_machine.travel(local_instant(today(), time(10, 30)), tick=False):
        page = await client.get("/signage")

    assert page.status_code == 200
    assert '<time class="clock" id="clock"' in page.text and ">10:30</time>" in page.text
    assert f'datetime="{today().isoformat()}T10:30+09:00"' in page.text
    text = text_of(page.text)
    assert "子ども将棋教室" in text and "写真展" in text and "朝のラジオ体操" not in text
    assert "内部の打合せ" not in text
    assert 'data-page-seconds="8"' in page.text and 'src="/static/signage.js?v=' in page.text
