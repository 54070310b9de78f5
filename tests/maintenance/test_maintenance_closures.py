"""Closures take ledger holds; a clash shows the affected bookings with free alternatives and is
resolved by moving or cancelling each, with a notice, in one transaction. Accessibility tickets
put warnings on the affected rooms' pages, request forms and permits while they are open."""

from __future__ import annotations

import io
from datetime import time, timedelta

import pytest
from pypdf import PdfReader

from bookings.fees import ensure_default_rules
from bookings.permits import permit_pdf
from bookings.rules import BookingRequest
from bookings.service import approve, ensure_default_refund_rules, get_booking, request_booking
from center.accounts.actors import ActorRef
from center.ledger.tables import Hold
from center.lib.dates import local_instant, today
from center.lib.errors import Conflict, ValidationFailed
from center.notices.tables import Notice
from center.places.warnings import for_rooms, register_provider
from maintenance import closures, tickets
from maintenance.accessibility import affected_bookings, outages_for_rooms
from maintenance.tables import Closure
from tests.helpers import make_calendar, make_group, make_room, make_user, post_form, text_of
from tests.maintenance_support import facilities_client, make_location, ticket_form
from tests.snapshots import snapshot

pytestmark = pytest.mark.anyio

FEES = {"morning": (600, 200), "afternoon": (800, 250), "evening": (800, 250)}
STAFF = ActorRef(None, "desk", staff=True)


class Facilities:
    id = None
    display_name = "施設"


@pytest.fixture
async def center(db):
    register_provider(outages_for_rooms)  # the app shell does this in create_app
    return await snapshot(_center)  # built once per worker, then restored


async def _center():
    slots = await make_calendar()
    await ensure_default_rules()
    await ensure_default_refund_rules()
    meeting1 = await make_room(
        code="meeting1",
        name_ja="会議室1",
        capacity=24,
        floor=3,
        fees=FEES,
        slot_ids=slots,
        equipment=["projector"],
    )
    meeting2 = await make_room(
        code="meeting2",
        name_ja="会議室2",
        capacity=30,
        floor=3,
        fees=FEES,
        slot_ids=slots,
        equipment=["projector"],
    )
    hall = await make_room(
        code="hall", name_ja="多目的ホール", capacity=100, floor=2, fees=FEES, slot_ids=slots
    )
    gallery = await make_room(
        code="gallery", name_ja="市民ギャラリー", capacity=40, floor=1, fees=FEES, slot_ids=slots
    )
    user = await make_user("member1")
    group = await make_group("いきいきサロン", members=(user,))
    day = today() + timedelta(days=10)
    booking = await request_booking(
        BookingRequest(
            room_id=meeting1, day=day, slot_codes=["morning"], purpose="健康体操", expected_head_count=15
        ),
        group,
        STAFF,
    )
    place = await make_location("room-meeting1", "会議室1", floor=3, room=meeting1)
    ticket = await tickets.create_ticket(
        await tickets.parse_fields(ticket_form(place, title="天井の雨漏り", priority="high")), Facilities()
    )
    return {
        "meeting1": meeting1,
        "meeting2": meeting2,
        "hall": hall,
        "gallery": gallery,
        "group": group,
        "booking": booking,
        "day": day,
        "ticket": ticket,
    }


def whole_day(center, room="meeting1") -> closures.Period:
    return closures.Period(
        center[room],
        local_instant(center["day"], time(0, 0)),
        local_instant(center["day"] + timedelta(days=1), time(0, 0)),
    )


async def test_a_free_room_is_closed_with_a_ledger_hold(center):
    period = whole_day(center, "gallery")
    closure_id = await closures.close_room(center["ticket"], period, Facilities(), reason="天井工事")
    closure = await Closure.select().where(Closure.id == closure_id).first()
    hold = await Hold.select().where(Hold.id == closure["hold"]).first()
    assert hold["kind"] == "closure" and hold["active"] and hold["room"] == center["gallery"]
    assert hold["ref"] == center["ticket"]


async def test_a_clash_lists_the_booking_with_similar_free_rooms_first(center):
    found = await closures.clashes(whole_day(center))
    assert [row["held"].ref for row in found] == [center["booking"]]
    alternatives = [room["id"] for room in found[0]["alternatives"]]
    assert alternatives[0] == center["meeting2"]  # same equipment, closest capacity
    assert center["meeting1"] not in alternatives


async def test_a_clash_without_decisions_is_refused_and_changes_nothing(center):
    with pytest.raises(ValidationFailed) as refused:
        await closures.close_room(center["ticket"], whole_day(center), Facilities(), reason="雨漏り")
    assert f"decision-{center['booking']}" in refused.value.errors
    assert await Closure.count() == 0
    assert await Hold.count().where(Hold.kind == "closure") == 0
    assert (await get_booking(center["booking"]))["room"] == center["meeting1"]


async def test_moving_the_booking_and_closing_the_room_happen_together_with_a_notice(center):
    await closures.close_room(
        center["ticket"],
        whole_day(center),
        Facilities(),
        reason="天井の雨漏り修理",
        decisions={center["booking"]: f"move:{center['meeting2']}"},
    )
    booking = await get_booking(center["booking"])
    assert booking["room"] == center["meeting2"] and booking["status"] == "requested"
    assert await Hold.count().where((Hold.kind == "closure") & (Hold.room == center["meeting1"])) == 1
    notice = await Notice.select().where(Notice.kind == "booking.move").first()
    assert notice["group"] == center["group"] and "天井の雨漏り修理" in notice["body_ja"]


async def test_cancelling_the_booking_frees_it_and_closes_the_room(center):
    await approve(center["booking"], STAFF)
    await closures.close_room(
        center["ticket"],
        whole_day(center),
        Facilities(),
        reason="工事",
        decisions={center["booking"]: "cancel"},
    )
    booking = await get_booking(center["booking"])
    assert booking["status"] == "cancelled" and "工事" in booking["cancel_reason"]
    assert await Notice.count().where(Notice.kind == "booking.cancel") == 1


async def test_a_move_into_a_taken_room_rolls_everything_back(center):
    other = await request_booking(
        BookingRequest(
            room_id=center["meeting2"],
            day=center["day"],
            slot_codes=["morning"],
            purpose="会議",
            expected_head_count=5,
        ),
        center["group"],
        STAFF,
    )
    assert other
    with pytest.raises(Conflict):
        await closures.close_room(
            center["ticket"],
            whole_day(center),
            Facilities(),
            reason="工事",
            decisions={center["booking"]: f"move:{center['meeting2']}"},
        )
    assert (await get_booking(center["booking"]))["room"] == center["meeting1"]
    assert await Closure.count() == 0 and await Notice.count().where(Notice.kind == "booking.move") == 0


async def test_finishing_the_ticket_reopens_its_rooms(center):
    await closures.close_room(center["ticket"], whole_day(center, "gallery"), Facilities(), reason="工事")
    for target in ("triaged", "in_progress", "done"):
        await tickets.transition(center["ticket"], target, Facilities())
    assert await Hold.count().where((Hold.kind == "closure") & (Hold.active == True)) == 0
    assert not (await Closure.select().first())["active"]


async def test_the_clash_flow_on_the_page_moves_the_booking(center, client):
    await facilities_client(client)
    form = {
        "room": str(center["meeting1"]),
        "start_day": center["day"].isoformat(),
        "start_time": "00:00",
        "end_time": "23:59",
        "reason": "天井の雨漏り修理",
    }
    url = f"/maintenance/tickets/{center['ticket']}/closure"
    clash = await post_form(client, url, form)
    assert clash.status_code == 409
    assert "いきいきサロン" in clash.text and f'value="move:{center["meeting2"]}"' in clash.text
    done = await post_form(
        client, url, {**form, f"decision-{center['booking']}": f"move:{center['meeting2']}"}
    )
    assert done.status_code == 303
    assert (await get_booking(center["booking"]))["room"] == center["meeting2"]


async def test_the_elevator_warning_shows_while_its_ticket_is_open(center, client):
    elevator = await make_location("elevator", "エレベーター")
    ticket = await tickets.create_ticket(
        await tickets.parse_fields(ticket_form(elevator, accessibility_feature="elevator")), Facilities()
    )
    warnings = await for_rooms([center["meeting1"], center["gallery"], center["hall"]])
    assert center["gallery"] not in warnings  # 1st floor: step-free from the entrance
    assert "2F–3F" in warnings[center["meeting1"]][0]
    page = await client.get("/rooms/meeting1")
    assert "エレベーターが停止中です" in text_of(page.text)
    assert "エレベーターが停止中です" not in text_of((await client.get("/rooms/gallery")).text)
    rows = await affected_bookings()
    assert [row["held"].ref for row in rows] == [center["booking"]]
    for target in ("triaged", "in_progress", "done"):
        await tickets.transition(ticket, target, Facilities())
    assert "エレベーターが停止中です" not in text_of((await client.get("/rooms/meeting1")).text)
    assert await for_rooms([center["meeting1"]]) == {}


async def test_the_permit_carries_the_accessibility_warning(center):
    await approve(center["booking"], STAFF)
    elevator = await make_location("elevator", "エレベーター")
    await tickets.create_ticket(
        await tickets.parse_fields(ticket_form(elevator, accessibility_feature="elevator")), Facilities()
    )
    reader = PdfReader(io.BytesIO(await permit_pdf(center["booking"])))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "エレベーターが停止中" in text.replace("\n", "")


async def test_the_elevator_ticket_page_lists_the_bookings_to_contact(center, client):
    await facilities_client(client)
    elevator = await make_location("elevator", "エレベーター")
    ticket = await tickets.create_ticket(
        await tickets.parse_fields(ticket_form(elevator, accessibility_feature="elevator")), Facilities()
    )
    page = await client.get(f"/maintenance/tickets/{ticket}")
    assert page.status_code == 200, page.text[-2000:]
    assert "いきいきサロン" in page.text
    overview = await client.get("/maintenance/accessibility")
    assert overview.status_code == 200 and "いきいきサロン" in overview.text
