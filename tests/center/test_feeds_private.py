"""The private feeds behind tokens: a group's bookings and lottery results, a volunteer's signups,
the front desk's holds, facilities' due dates, inspections and closures; and the 404s."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from bookings.service import cancel
from bookings.staff_moves import move
from bookings.tables import LotteryEntry, LotteryRound
from center.accounts.actors import ActorRef
from center.accounts.tables import GroupMember
from center.lib.dates import local_instant, today
from center.programmes import flowerbeds
from center.shell.feeds import tokens
from tests.feeds_support import STAFF, ask, booking, events_by_uid, icaljs, screening, small_center
from tests.programmes_support import person, planned_day

pytestmark = pytest.mark.anyio

HOST = "127.0.0.1"


async def _feed(client, kind: str, user_id: int | None, scope_id: int | None = None, **query):
    token, _ = await tokens.make_token(kind, user_id=user_id, scope_id=scope_id)
    params = "&".join(f"{k}={v}" for k, v in query.items())
    return await client.get(f"/feeds/t/{token}.ics" + (f"?{params}" if params else ""))


async def test_group_feed_shows_requested_confirmed_and_cancelled_bookings_of_that_group_only(db, client):
    center = await small_center()
    requested = await booking(center, approved=False, days_ahead=10)
    confirmed = await booking(center, days_ahead=11)
    cancelled = await booking(center, days_ahead=12)
    await cancel(cancelled, STAFF, "会場変更")
    others = await booking(center, days_ahead=13, group="other_group")

    response = await _feed(client, "group", center["member"], center["group"])

    assert response.status_code == 200
    events = events_by_uid(response.content)
    statuses = {uid: str(event["STATUS"]) for uid, event in events.items()}
    assert statuses == {
        f"booking-{requested}@{HOST}": "TENTATIVE",
        f"booking-{confirmed}@{HOST}": "CONFIRMED",
        f"booking-{cancelled}@{HOST}": "CANCELLED",
    }
    assert f"booking-{others}@{HOST}" not in events
    parsed = icaljs(response.content)
    assert {e["uid"]: e["status"] for e in parsed["events"]} == statuses
    assert parsed["name"] == "いきいきサロン: 苫小牧市市民活動センター の予約"
    assert parsed["method"] is None and parsed["timezones"] == ["Asia/Tokyo"]
    assert "承認待ち" in str(events[f"booking-{requested}@{HOST}"]["SUMMARY"]) or "申請" in response.text
    assert "/bookings/" in str(events[f"booking-{confirmed}@{HOST}"]["URL"])


async def test_a_moved_booking_keeps_its_uid_and_its_sequence_goes_up_in_both_parsers(db, client):
    center = await small_center()
    booking_id = await booking(center, days_ahead=10)
    token, _ = await tokens.make_token("group", user_id=center["member"], scope_id=center["group"])
    uid = f"booking-{booking_id}@{HOST}"
    before = events_by_uid((await client.get(f"/feeds/t/{token}.ics")).content)[uid]

    await move(
        booking_id,
        STAFF,
        center["hall"],
        ask(center["hall"], days_ahead=10, slots=("afternoon",)),
        "空調故障",
    )

    body = (await client.get(f"/feeds/t/{token}.ics")).content
    after = events_by_uid(body)[uid]
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after.decoded("DTSTART").hour == 13 and "多目的ホール" in str(after["LOCATION"])
    js = next(e for e in icaljs(body)["events"] if e["uid"] == uid)
    assert js["sequence"] == int(after["SEQUENCE"])
    assert datetime.fromtimestamp(js["start_utc"], UTC).hour == 4  # 13:00 in Tokyo


async def test_group_feed_shows_lottery_applications_and_losses(db, client):
    center = await small_center()
    day = today() + timedelta(days=40)
    now = datetime.now(UTC)
    round_id = (
        await LotteryRound.insert(
            LotteryRound(
                month=f"{day:%Y-%m}",
                opens_on=today(),
                closes_on=today(),
                draw_on=today(),
                confirm_by=today() + timedelta(days=5),
                status="drawn",
            )
        ).returning(LotteryRound.id)
    )[0]["id"]
    lost = (
        await LotteryEntry.insert(
            LotteryEntry(
                round=round_id,
                group=center["group"],
                room=center["room"],
                day=day,
                slot_code="morning",
                purpose="ヨガ教室",
                status="lost",
                created_at=now - timedelta(days=3),
                decided_at=now,
            )
        ).returning(LotteryEntry.id)
    )[0]["id"]

    response = await _feed(client, "group", center["member"], center["group"])

    event = events_by_uid(response.content)[f"lottery-{lost}@{HOST}"]
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.decoded("DTSTART") == local_instant(day, time(9))
    assert "抽選" in str(event["SUMMARY"])
    icaljs(response.content)


async def test_unknown_revoked_and_orphaned_tokens_answer_the_same_bare_404(db, client):
    center = await small_center()
    await booking(center)
    token, token_id = await tokens.make_token("group", user_id=center["member"], scope_id=center["group"])
    assert (await client.get(f"/feeds/t/{token}.ics")).status_code == 200
    unknown = await client.get("/feeds/t/not-a-real-token.ics")

    await tokens.revoke(token_id, user_id=center["member"])
    revoked = await client.get(f"/feeds/t/{token}.ics")
    other, _ = await tokens.make_token("group", user_id=center["member"], scope_id=center["group"])
    await GroupMember.delete().where(GroupMember.user == center["member"])
    left_group = await client.get(f"/feeds/t/{other}.ics")

    assert unknown.status_code == revoked.status_code == left_group.status_code == 404
    assert unknown.content == revoked.content == left_group.content
    assert "いきいきサロン" not in revoked.text and "BEGIN:VCALENDAR" not in revoked.text


async def test_a_desk_token_stops_working_when_the_account_loses_the_role(db, client):
    center = await small_center()
    from center.accounts.tables import UserRole

    token, _ = await tokens.make_token("desk", user_id=center["desk"])
    assert (await client.get(f"/feeds/t/{token}.ics")).status_code == 200
    await UserRole.delete().where(UserRole.user == center["desk"])
    assert (await client.get(f"/feeds/t/{token}.ics")).status_code == 404


async def test_private_feeds_answer_304_when_unchanged(db, client):
    center = await small_center()
    await booking(center)
    token, _ = await tokens.make_token("group", user_id=center["member"], scope_id=center["group"])
    first = await client.get(f"/feeds/t/{token}.ics")
    again = await client.get(f"/feeds/t/{token}.ics", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert first.headers["cache-control"].startswith("private")


async def test_desk_feed_has_every_hold_with_who_holds_it(db, client):
    center = await small_center()
    booking_id = await booking(center)
    other = await booking(center, days_ahead=15, group="other_group", approved=False)
    screening_id = await screening(center)

    response = await _feed(client, "desk", center["desk"])

    events = list(events_by_uid(response.content).values())
    summaries = " ".join(str(e["SUMMARY"]) for e in events)
    assert "いきいきサロン" in summaries and "水彩画同好会" in summaries
    assert len(events) == 3
    parsed = icaljs(response.content)
    assert len(parsed["events"]) == 3
    assert booking_id and other and screening_id


async def test_facilities_feed_has_ticket_due_dates_inspections_and_closures(db, client):
    center = await small_center()
    from maintenance.closures import Period, close_room, end_closure
    from maintenance.tables import Inspection, Location
    from maintenance.tickets import create_ticket

    location = (
        await Location.insert(
            Location(code="meeting1", name_ja="会議室1", name_en="Meeting 1", room=center["room"])
        ).returning(Location.id)
    )[0]["id"]
    due = today() + timedelta(days=9)
    ticket_id = await create_ticket(
        {
            "title": "照明交換",
            "category": "repair",
            "location": location,
            "priority": "normal",
            "due_on": due,
        },
        actor=ActorRef(),
    )
    inspection_due = today() + timedelta(days=20)
    inspection_id = (
        await Inspection.insert(
            Inspection(
                title_ja="消防設備点検",
                title_en="Fire equipment check",
                location=location,
                next_due=inspection_due,
                created_at=datetime.now(UTC),
            )
        ).returning(Inspection.id)
    )[0]["id"]
    starts = local_instant(today() + timedelta(days=30), time(9))
    closure_id = await close_room(
        ticket_id, Period(center["room"], starts, starts + timedelta(hours=8)), ActorRef(), reason="照明工事"
    )

    response = await _feed(client, "facilities", center["facilities"])

    events = events_by_uid(response.content)
    ticket_event = events[f"ticket-{ticket_id}@{HOST}"]
    assert ticket_event.decoded("DTSTART") == due and "照明交換" in str(ticket_event["SUMMARY"])
    assert (
        events[f"inspection-{inspection_id}-{inspection_due:%Y%m%d}@{HOST}"].decoded("DTSTART")
        == inspection_due
    )
    closure = events[f"closure-{closure_id}@{HOST}"]
    assert str(closure["STATUS"]) == "CONFIRMED" and int(closure["SEQUENCE"]) == 0
    parsed = icaljs(response.content)
    assert any(e["all_day"] for e in parsed["events"])

    await end_closure(closure_id, ActorRef())
    after = events_by_uid((await _feed(client, "facilities", center["facilities"])).content)
    ended = after[f"closure-{closure_id}@{HOST}"]
    assert str(ended["STATUS"]) == "CANCELLED" and int(ended["SEQUENCE"]) == 1


async def test_a_volunteer_makes_a_feed_of_their_signup_from_their_signup_page(db, client):
    await small_center()
    first_day = await planned_day(days_ahead=7)
    second_day = await planned_day(days_ahead=21, capacity=1)
    signup, signup_token = await flowerbeds.sign_up(first_day, person(1))
    await flowerbeds.sign_up(second_day, person(2))
    waiting, waiting_token = await flowerbeds.sign_up(second_day, person(1))  # the same details, waitlisted
    page = await client.get(f"/flowerbeds/signups/{signup_token}")
    assert "/feeds/volunteer/" in page.text
    from tests.helpers import post_form

    made = await post_form(client, f"/feeds/volunteer/{signup_token}")
    assert made.status_code == 200
    import re

    url = re.search(r'value="http://testserver(/feeds/t/[^"]+\.ics)"', made.text).group(1)

    body = (await client.get(url)).content

    events = events_by_uid(body)
    assert list(events) == [f"signup-{signup['id']}@{HOST}"]  # not the other signup with the same details
    assert str(events[f"signup-{signup['id']}@{HOST}"]["STATUS"]) == "CONFIRMED"
    icaljs(body)
    again = await post_form(client, f"/feeds/volunteer/{signup_token}")
    assert again.status_code == 200
    assert (await client.get(url)).status_code == 404  # the new link replaced the old
    assert (await post_form(client, "/feeds/volunteer/nonsense")).status_code == 404
    waiting_feed = await post_form(client, f"/feeds/volunteer/{waiting_token}")
    waiting_url = re.search(r'value="http://testserver(/feeds/t/[^"]+\.ics)"', waiting_feed.text).group(1)
    waiting_events = events_by_uid((await client.get(waiting_url)).content)
    assert list(waiting_events) == [f"signup-{waiting['id']}@{HOST}"]
    assert str(waiting_events[f"signup-{waiting['id']}@{HOST}"]["STATUS"]) == "TENTATIVE"


async def test_signing_up_with_someone_elses_name_and_phone_does_not_show_their_days(db, client):
    from tests.helpers import post_form

    await small_center()
    victims_day = await planned_day(days_ahead=7)
    attackers_day = await planned_day(days_ahead=14)
    victims, _ = await flowerbeds.sign_up(victims_day, person(1))
    attackers, attackers_token = await flowerbeds.sign_up(attackers_day, person(1))  # the victim's details
    made = await post_form(client, f"/feeds/volunteer/{attackers_token}")
    import re

    url = re.search(r'value="http://testserver(/feeds/t/[^"]+\.ics)"', made.text).group(1)
    events = events_by_uid((await client.get(url)).content)
    assert f"signup-{victims['id']}@{HOST}" not in events
    assert list(events) == [f"signup-{attackers['id']}@{HOST}"]


async def test_english_private_feed_on_request(db, client):
    center = await small_center()
    await booking(center, approved=False)
    response = await _feed(client, "group", center["member"], center["group"], lang="en")
    summary = str(next(iter(events_by_uid(response.content).values()))["SUMMARY"])
    assert summary.startswith("[Requested (awaiting approval)]")


def test_default_window_runs_three_months_back_to_twelve_ahead():
    from center.shell.feeds.sources import default_window, narrowed

    window = default_window(date(2026, 11, 30))
    assert (window.start, window.end) == (date(2026, 8, 30), date(2027, 11, 30))
    assert default_window(date(2026, 5, 31)).start == date(2026, 2, 28)
    narrow = narrowed(date(2026, 12, 1), None, date(2026, 11, 30))
    assert (narrow.start, narrow.end, narrow.sliding) == (date(2026, 12, 1), date(2027, 11, 30), False)


async def test_editing_an_inspection_moves_the_facilities_feeds_last_modified(db, client):
    """A calendar client that asks If-Modified-Since must hear about a rescheduled inspection."""
    from email.utils import parsedate_to_datetime

    from maintenance.inspections import update_inspection
    from maintenance.tables import Inspection, Location

    center = await small_center()
    location = (
        await Location.insert(
            Location(code="meeting1", name_ja="会議室1", name_en="Meeting 1", room=center["room"])
        ).returning(Location.id)
    )[0]["id"]
    inspection_id = (
        await Inspection.insert(
            Inspection(
                title_ja="消防設備点検",
                location=location,
                next_due=today() + timedelta(days=20),
                created_at=datetime.now(UTC),
                updated_at=datetime.now(UTC),
            )
        ).returning(Inspection.id)
    )[0]["id"]
    token, _ = await tokens.make_token("facilities", user_id=center["facilities"])
    first = await client.get(f"/feeds/t/{token}.ics")
    before = parsedate_to_datetime(first.headers["last-modified"])

    with time_machine.travel(datetime.now(UTC) + timedelta(hours=1), tick=True):
        await update_inspection(inspection_id, {"next_due": today() + timedelta(days=27)}, ActorRef())
        assert (await Inspection.select(Inspection.updated_at).first())["updated_at"] > before
        again = await client.get(
            f"/feeds/t/{token}.ics", headers={"If-Modified-Since": first.headers["last-modified"]}
        )
    assert again.status_code == 200
    assert parsedate_to_datetime(again.headers["last-modified"]) > before + timedelta(minutes=59)
