"""Step-free now, not step-free by design: while a ticket has the elevator out of service, every
place that speaks of step-free access says so for the rooms on floors 2 and up and not for the
ground floor; the groups booked there within two weeks are told, and told again when it works."""

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from bookings.desk_printouts import day_sheet_pdf
from bookings.fees import ensure_default_rules
from bookings.permits import permit_pdf
from bookings.rules import BookingRequest
from bookings.service import approve, ensure_default_refund_rules, request_booking
from center.accounts.actors import ActorRef
from center.lib.dates import today
from center.notices.tables import Notice
from center.places.access import step_free
from center.places.tables import CenterProfile, Room
from center.places.warnings import register_provider
from maintenance import tickets
from maintenance.accessibility import outages_for_rooms
from tests.helpers import login, make_calendar, make_group, make_room, make_user, text_of
from tests.maintenance_support import make_location, ticket_form
from tests.snapshots import snapshot

pytestmark = pytest.mark.anyio

FEES = {"morning": (600, 200), "afternoon": (800, 250), "evening": (800, 250)}
STAFF = ActorRef(None, "desk", staff=True)
OUT = "エレベーターが停止中です"


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
    await CenterProfile.update({CenterProfile.phone: "0144-32-0000"}).where(CenterProfile.id > 0)
    upper = await make_room(
        code="training", name_ja="研修室", capacity=30, floor=5, fees=FEES, slot_ids=slots, step_free=True
    )
    ground = await make_room(
        code="gallery",
        name_ja="市民ギャラリー",
        capacity=40,
        floor=1,
        fees=FEES,
        slot_ids=slots,
        step_free=True,
    )
    member = await make_user("member1")
    group = await make_group("いきいきサロン", members=(member,), contact_email="salon@example.jp")
    other = await make_group("水彩画同好会")
    day = today() + timedelta(days=7)
    soon = await request_booking(
        BookingRequest(
            room_id=upper, day=day, slot_codes=["morning"], purpose="健康体操", expected_head_count=15
        ),
        group,
        STAFF,
    )
    await approve(soon, STAFF)
    later = await request_booking(
        BookingRequest(
            room_id=upper,
            day=today() + timedelta(days=30),
            slot_codes=["morning"],
            purpose="講座",
            expected_head_count=10,
        ),
        other,
        STAFF,
    )
    ground_booking = await request_booking(
        BookingRequest(
            room_id=ground, day=day, slot_codes=["morning"], purpose="展示", expected_head_count=5
        ),
        other,
        STAFF,
    )
    elevator = await make_location("elevator", "エレベーター")
    return {
        "upper": upper,
        "ground": ground,
        "group": group,
        "other": other,
        "booking": soon,
        "later": later,
        "ground_booking": ground_booking,
        "day": day,
        "elevator": elevator,
    }


async def open_elevator_ticket(center, **fields) -> int:
    form = ticket_form(center["elevator"], accessibility_feature="elevator", **fields)
    return await tickets.create_ticket(await tickets.parse_fields(form), Facilities())


async def finish(ticket_id: int) -> None:
    for target in ("triaged", "in_progress", "done"):
        await tickets.transition(ticket_id, target, Facilities())


async def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).replace("\n", "")


async def test_the_answer_is_no_for_upper_floors_while_the_elevator_is_out_and_yes_again_after(center):
    rooms = await Room.select(Room.id, Room.step_free)
    ticket = await open_elevator_ticket(center)
    answers = await step_free(rooms)
    assert not answers[center["upper"]].now and answers[center["upper"]].by_design
    assert OUT in answers[center["upper"]].reasons[0]
    assert answers[center["ground"]].now
    await finish(ticket)
    assert (await step_free(rooms))[center["upper"]].now


async def test_a_day_after_the_expected_fix_is_still_affected_until_the_ticket_is_finished(center):
    rooms = await Room.select(Room.id, Room.step_free)
    fixed_by = today() + timedelta(days=3)
    await open_elevator_ticket(center, due_on=fixed_by.isoformat())
    after = (await step_free(rooms, fixed_by + timedelta(days=1)))[center["upper"]]
    assert not after.now and after.until == fixed_by


async def test_the_rooms_list_and_the_step_free_filter_follow_the_outage(client, center):
    ticket = await open_elevator_ticket(center)
    listing = text_of((await client.get("/rooms")).text)
    assert "現在はできません" in listing and OUT in listing
    filtered = text_of((await client.get("/rooms", params={"step_free": "on"})).text)
    assert "市民ギャラリー" in filtered and "研修室" not in filtered
    await finish(ticket)
    filtered = text_of((await client.get("/rooms", params={"step_free": "on"})).text)
    assert "市民ギャラリー" in filtered and "研修室" in filtered
    assert "現在はできません" not in text_of((await client.get("/rooms")).text)


async def test_the_room_page_makes_one_statement_never_yes_beside_the_warning(client, center):
    await open_elevator_ticket(center, due_on=(today() + timedelta(days=5)).isoformat())
    page = text_of((await client.get("/rooms/training")).text)
    assert OUT in page and "復旧の見込みです" in page
    assert "あり：段差なしで行けます" not in page and "現在はできません" in page
    ground = text_of((await client.get("/rooms/gallery")).text)
    assert OUT not in ground and "現在はできません" not in ground


async def test_the_grid_search_and_apis_filter_and_report_step_free_now(client, center):
    ticket = await open_elevator_ticket(center)
    week = (await client.get("/availability", params={"step_free": "on"})).text
    assert "市民ギャラリー" in week and "研修室" not in week
    start = (today() + timedelta(days=4)).isoformat()
    search = (await client.get("/availability/search", params={"step_free": "on", "from": start})).text
    assert "研修室" not in search
    api = (await client.get("/api/availability", params={"step_free": "on"})).json()
    assert [room["code"] for room in api["rooms"]] == ["gallery"]
    everything = (await client.get("/api/availability")).json()
    upper = next(room for room in everything["rooms"] if room["code"] == "training")
    assert upper["step_free"] is False and OUT in upper["step_free_reason"]
    room = (await client.get("/api/rooms/training")).json()["accessibility"]
    assert room["step_free"] is False and room["step_free_by_design"] is True
    assert OUT in room["step_free_reason"]
    await finish(ticket)
    room = (await client.get("/api/rooms/training")).json()["accessibility"]
    assert room["step_free"] is True and room["step_free_reason"] is None


async def test_the_booking_form_and_pages_the_permit_and_the_day_sheet_warn(client, center):
    ticket = await open_elevator_ticket(center)
    await login(client, "member1")
    mine = text_of((await client.get(f"/bookings/{center['booking']}")).text)
    assert OUT in mine
    form = text_of(
        (
            await client.get("/bookings/new", params={"room": "training", "day": center["day"].isoformat()})
        ).text
    )
    assert OUT in form and "現在、段差なしでは行けません" in form
    assert OUT in await pdf_text(await permit_pdf(center["booking"]))
    sheet = await pdf_text(await day_sheet_pdf(center["day"]))
    assert OUT in sheet and "段差なし経路なし" in sheet
    await make_user("desk1", ("front_desk",))
    await login(client, "desk1")
    assert OUT in text_of((await client.get(f"/manage/bookings/{center['booking']}")).text)
    assert OUT in text_of((await client.get(f"/desk/bookings/{center['booking']}")).text)
    assert OUT not in text_of((await client.get(f"/desk/bookings/{center['ground_booking']}")).text)
    signage = text_of((await client.get("/signage")).text)
    assert OUT in signage
    await finish(ticket)
    assert OUT not in text_of((await client.get("/signage")).text)
    await login(client, "member1")
    assert OUT not in text_of((await client.get(f"/bookings/{center['booking']}")).text)
    assert OUT not in await pdf_text(await permit_pdf(center["booking"]))


async def test_groups_booked_within_two_weeks_are_told_of_the_outage_and_of_its_end(center):
    ticket = await open_elevator_ticket(center)
    told = await Notice.select().where(Notice.kind == "access.outage")
    assert [notice["group"] for notice in told] == [center["group"]]  # not the booking a month on
    notice = told[0]
    assert OUT in notice["body_ja"] and "研修室" in notice["body_ja"] and "0144-32-0000" in notice["body_ja"]
    assert "elevator" in notice["subject_en"] and "The elevator is out of service" in notice["body_en"]
    assert notice["link"] == f"/bookings/{center['booking']}"
    await finish(ticket)
    again = await Notice.select().where(Notice.kind == "access.restored")
    assert [notice["group"] for notice in again] == [center["group"]]
    assert "復旧しました" in again[0]["subject_ja"]


async def test_a_ticket_that_affects_nobody_booked_tells_nobody(center):
    await open_elevator_ticket(center)
    ramp_place = await make_location("toilet3", "3階多目的トイレ", floor=3)
    form = ticket_form(ramp_place, accessibility_feature="accessible_toilet", title="トイレ故障")
    await tickets.create_ticket(await tickets.parse_fields(form), Facilities())
    assert await Notice.count().where(Notice.kind == "access.outage") == 1  # the elevator's only
