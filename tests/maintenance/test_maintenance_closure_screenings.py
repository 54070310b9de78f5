"""Closing a room over screenings: the clash names the screening by its title with dates in the
user's language, each screening needs a choice (another room, a later time, or cancelling), the
choices and the closure happen in one step, and the ticket lists what was moved or cancelled."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from bookings.rules import BookingRequest
from bookings.service import get_booking, request_booking
from center.accounts.actors import ActorRef
from center.ledger.tables import Hold
from center.lib.dates import english_date, local_instant, wareki
from center.lib.errors import Conflict, ValidationFailed
from center.notices.tables import Notice
from center.places.warnings import register_provider
from center.programmes import screenings
from center.programmes.tables import Screening
from maintenance import closures, tickets
from maintenance.accessibility import outages_for_rooms
from maintenance.tables import Closure, ClosureEffect
from tests.helpers import post_form, text_of
from tests.maintenance.test_maintenance_closures import STAFF, Facilities, _center, center, whole_day
from tests.maintenance_support import facilities_client, make_location, ticket_form
from tests.snapshots import snapshot

pytestmark = pytest.mark.anyio
assert center  # the fixture, used by name below

TITLE = "いすに座って簡単体操"


@pytest.fixture
async def screened(db):
    """The center fixture plus a 20-minute screening at 14:00 in the room to be closed."""
    register_provider(outages_for_rooms)  # as the center fixture does
    return await snapshot(_screened)  # built once per worker, then restored


async def _screened():
    center = await _center()
    video_id = await screenings.add_video(
        {"title": TITLE, "minutes": 20, "level": "seated", "trains": "肩", "staff_notes": ""},
        actor=ActorRef(),
    )
    video = await screenings.get_video(video_id)
    screening = await screenings.add_single(
        video, {"id": center["meeting1"]}, center["day"], time(14), ActorRef()
    )
    return {**center, "screening": screening}


def form(center, **extra) -> dict:
    return {
        "room": str(center["meeting1"]),
        "start_day": center["day"].isoformat(),
        "start_time": "00:00",
        "end_time": "23:59",
        "reason": "天井の雨漏り修理",
        **extra,
    }


def url(center) -> str:
    return f"/maintenance/tickets/{center['ticket']}/closure"


async def screening(screening_id: int) -> dict:
    return await Screening.select().where(Screening.id == screening_id).first()


async def test_the_clash_names_the_screening_by_its_title_with_the_date_in_the_era_form(screened, client):
    await facilities_client(client)
    page = await post_form(client, url(screened), form(screened))
    assert page.status_code == 409
    text = text_of(page.text)
    assert f"上映「{TITLE}」 · {wareki(screened['day'])} 14:00–14:20" in text
    assert "screening:" not in text
    assert f'name="screening-{screened["screening"]}" value="move:{screened["hall"]}"' in page.text


async def test_the_closing_period_on_the_clash_page_reads_in_the_era_form(screened, client):
    await facilities_client(client)
    text = text_of((await post_form(client, url(screened), form(screened))).text)
    day = wareki(screened["day"])
    assert f"会議室1を{day} 0:00から{day} 23:59まで閉鎖します。" in text
    assert screened["day"].isoformat() not in text


async def test_the_clash_page_reads_dates_in_english_for_english_readers(screened, client):
    await facilities_client(client)
    await post_form(client, "/lang", {"lang": "en", "next": "/"})
    text = text_of((await post_form(client, url(screened), form(screened))).text)
    assert f"Screening: {TITLE} · {english_date(screened['day'])} 14:00–14:20" in text


async def test_confirming_without_a_choice_for_the_screening_is_refused_and_changes_nothing(screened, client):
    await facilities_client(client)
    decided = {f"decision-{screened['booking']}": f"move:{screened['meeting2']}", "confirm": "1"}
    refused = await post_form(client, url(screened), form(screened, **decided))
    assert refused.status_code == 400
    assert "この上映をどうするか選んでください。" in refused.text
    assert f'href="#screening-{screened["screening"]}"' in refused.text
    assert await Closure.count() == 0 and await Hold.count().where(Hold.kind == "closure") == 0
    assert (await get_booking(screened["booking"]))["room"] == screened["meeting1"]
    kept = await screening(screened["screening"])
    assert kept["status"] == "scheduled" and kept["room"] == screened["meeting1"]


async def test_the_service_refuses_a_closure_over_a_screening_without_a_choice(screened):
    with pytest.raises(ValidationFailed) as refused:
        await closures.close_room(
            screened["ticket"],
            whole_day(screened),
            Facilities(),
            reason="雨漏り",
            decisions={screened["booking"]: "cancel"},
        )
    assert f"screening-{screened['screening']}" in refused.value.errors
    assert (await get_booking(screened["booking"]))["status"] != "cancelled"
    assert await Notice.count().where(Notice.kind == "booking.cancel") == 0


async def test_moving_the_screening_and_the_booking_closes_the_room_in_one_step(screened, client):
    await facilities_client(client)
    choices = {
        f"decision-{screened['booking']}": f"move:{screened['meeting2']}",
        f"screening-{screened['screening']}": f"move:{screened['hall']}",
    }
    done = await post_form(client, url(screened), form(screened, **choices))
    assert done.status_code == 303
    moved = await screening(screened["screening"])
    assert moved["room"] == screened["hall"] and moved["status"] == "scheduled"
    assert (await get_booking(screened["booking"]))["room"] == screened["meeting2"]
    assert await Hold.count().where((Hold.kind == "closure") & (Hold.room == screened["meeting1"])) == 1
    ticket = await client.get(done.headers["location"])
    assert f'href="/manage/screenings/{screened["screening"]}"' in ticket.text
    assert f'href="/manage/bookings/{screened["booking"]}"' in ticket.text
    text = text_of(ticket.text)
    assert f"上映「{TITLE}」 · {wareki(screened['day'])} 14:00–14:20 · 多目的ホール・" in text
    assert "会議室2・" in text


async def test_cancelling_the_screening_closes_the_room_and_the_ticket_lists_it(screened, client):
    await facilities_client(client)
    choices = {
        f"decision-{screened['booking']}": "cancel",
        f"screening-{screened['screening']}": "cancel",
    }
    done = await post_form(client, url(screened), form(screened, **choices))
    assert done.status_code == 303
    assert (await screening(screened["screening"]))["status"] == "cancelled"
    effects = await ClosureEffect.select().order_by(ClosureEffect.starts_at)
    assert [(row["kind"], row["ref"], row["action"]) for row in effects] == [
        ("booking", screened["booking"], "cancelled"),
        ("screening", screened["screening"], "cancelled"),
    ]
    page = await client.get(done.headers["location"])
    assert f'<a href="/manage/screenings/{screened["screening"]}">上映「{TITLE}」</a>' in page.text
    assert text_of(page.text).count("この閉鎖のため取消し") == 2


async def test_a_later_free_time_in_the_same_room_is_offered_and_taken(screened):
    found = await closures.clashes(whole_day(screened))
    row = next(row for row in found if row["kind"] == "screening")
    later = row["later"]
    assert later == local_instant(screened["day"] + timedelta(days=1), time(14))
    await closures.close_room(
        screened["ticket"],
        whole_day(screened),
        Facilities(),
        reason="工事",
        decisions={screened["booking"]: "cancel"},
        screening_decisions={screened["screening"]: f"at:{later.isoformat()}"},
    )
    moved = await screening(screened["screening"])
    assert moved["room"] == screened["meeting1"] and moved["starts_at"] == later


async def test_a_refused_move_leaves_the_screening_as_it_was(screened):
    taken = await request_booking(
        BookingRequest(
            room_id=screened["meeting2"],
            day=screened["day"],
            slot_codes=["morning"],
            purpose="会議",
            expected_head_count=5,
        ),
        screened["group"],
        STAFF,
    )
    assert taken
    with pytest.raises(Conflict):
        await closures.close_room(
            screened["ticket"],
            whole_day(screened),
            Facilities(),
            reason="工事",
            decisions={screened["booking"]: f"move:{screened['meeting2']}"},
            screening_decisions={screened["screening"]: "cancel"},
        )
    assert (await screening(screened["screening"]))["status"] == "scheduled"
    assert await Hold.count().where((Hold.kind == "screening") & (Hold.active == True)) == 1
    assert await Closure.count() == 0 and await ClosureEffect.count() == 0


async def test_another_closure_is_named_by_its_ticket_and_date_not_its_kind(screened, client):
    place = await make_location("room-gallery", "市民ギャラリー", floor=1, room=screened["gallery"])
    other = await tickets.create_ticket(
        await tickets.parse_fields(ticket_form(place, title="床の張り替え", priority="normal")), Facilities()
    )
    await closures.close_room(other, whole_day(screened, "gallery"), Facilities(), reason="床")
    await facilities_client(client)
    page = await post_form(client, url(screened), form(screened, room=str(screened["gallery"])))
    assert page.status_code == 409
    text = text_of(page.text)
    assert f"別の工事による閉鎖「床の張り替え」({wareki(screened['day'])} 0:00 – " in text
    assert "closure:" not in text
    assert await Closure.count() == 1


@pytest.mark.parametrize(("lang", "show"), [("ja", wareki), ("en", english_date)])
async def test_the_affected_bookings_list_reads_dates_in_the_readers_language(center, client, lang, show):
    await facilities_client(client)
    await post_form(client, "/lang", {"lang": lang, "next": "/"})
    elevator = await make_location("elevator", "エレベーター")
    ticket = await tickets.create_ticket(
        await tickets.parse_fields(ticket_form(elevator, accessibility_feature="elevator")), Facilities()
    )
    text = text_of((await client.get(f"/maintenance/tickets/{ticket}")).text)
    assert f"{show(center['day'])} 9:00–12:00 " in text and "いきいきサロン" in text
    assert center["day"].isoformat() not in text
