"""The manager's calendar settings: opening hours, slots (no overlaps), closed days, the center
profile and the 60-day preview; every change audited, bad input refused with nothing changed."""

import json
from datetime import date, time, timedelta

import pytest

from center.lib.dates import today
from center.places.tables import CenterProfile, ClosedDay, OpeningHours, Slot
from tests.center.places_support import audit_entries, make_closed, make_standard_slots, open_every_day
from tests.helpers import login, make_user, post_form, text_of

pytestmark = pytest.mark.anyio


def _json(value):
    return value if isinstance(value, (dict, list)) or value is None else json.loads(value)


async def _manager(client) -> None:
    await make_user("boss", ("manager",))
    await login(client, "boss")


def _hours(**overrides) -> dict:
    form = {}
    for weekday in range(7):
        form[f"hours_{weekday}_opens"] = "09:00"
        form[f"hours_{weekday}_closes"] = "21:00"
    form["hours_0_closed"] = "on"  # closed on Mondays
    form.update(overrides)
    return form


async def test_manager_sets_opening_hours_for_each_weekday_with_an_audit_line(client):
    await _manager(client)
    response = await post_form(client, "/manage/calendar/hours", _hours(hours_6_closes="17:00"))
    assert response.status_code == 303
    rows = {row["weekday"]: row for row in await OpeningHours.select()}
    assert rows[0]["closed"] is True
    assert rows[6]["opens"] == time(9) and rows[6]["closes"] == time(17) and rows[6]["closed"] is False
    [entry] = await audit_entries("opening_hours")
    assert _json(entry["after"])["6"]["closes"] == "17:00:00"
    page = await client.get("/manage/calendar")
    assert "開館時間を保存しました" in page.text


async def test_closing_before_opening_is_refused_and_nothing_changes(client):
    await open_every_day()
    await _manager(client)
    response = await post_form(
        client, "/manage/calendar/hours", _hours(hours_3_opens="18:00", hours_3_closes="10:00")
    )
    assert response.status_code == 400
    assert "閉館時刻は開館時刻より後にしてください" in response.text
    assert (
        'id="hours_3_closes" name="hours_3_closes" value="10:00" aria-describedby="hours_3_closes-error"'
        in (response.text)
    )
    rows = {row["weekday"]: row for row in await OpeningHours.select()}
    assert rows[0]["closed"] is False and rows[3]["opens"] == time(9)
    assert await audit_entries("opening_hours") == []


async def test_manager_adds_a_slot_and_overlapping_slots_are_refused(client):
    await make_standard_slots()
    await _manager(client)
    ok = await post_form(
        client,
        "/manage/calendar/slots",
        {"slot_code": "lunch", "slot_name_ja": "昼", "slot_starts": "12:00", "slot_ends": "13:00"},
    )
    assert ok.status_code == 303
    assert await Slot.exists().where(Slot.code == "lunch")
    overlap = await post_form(
        client,
        "/manage/calendar/slots",
        {"slot_code": "late", "slot_name_ja": "夕方", "slot_starts": "16:00", "slot_ends": "18:30"},
    )
    assert overlap.status_code == 400
    assert "ほかの区分と時間が重なっています" in overlap.text
    assert not await Slot.exists().where(Slot.code == "late")
    assert [e["action"] for e in await audit_entries("slot")] == ["create"]


async def test_slot_start_must_be_before_its_end(client):
    await _manager(client)
    response = await post_form(
        client,
        "/manage/calendar/slots",
        {"slot_code": "odd", "slot_name_ja": "逆", "slot_starts": "15:00", "slot_ends": "14:00"},
    )
    assert response.status_code == 400
    assert "終了時刻" in text_of(response.text) and 'role="alert"' in response.text
    assert await Slot.count() == 0


async def test_manager_edits_a_slot_and_deactivates_and_reactivates_it(client):
    slots = await make_standard_slots()
    await _manager(client)
    evening = slots["evening"]
    edit = await post_form(
        client,
        f"/manage/calendar/slots/{evening}",
        {
            "slot_code": "evening",
            "slot_name_ja": "夜間",
            "slot_name_en": "Evening",
            "slot_starts": "17:30",
            "slot_ends": "21:00",
            "slot_active": "on",
        },
    )
    assert edit.status_code == 303
    assert (await Slot.select().where(Slot.id == evening).first())["starts"] == time(17, 30)
    off = await post_form(client, f"/manage/calendar/slots/{evening}/active", {"active": "0"})
    assert off.status_code == 303
    assert (await Slot.select().where(Slot.id == evening).first())["active"] is False
    # While it is off, another slot may take that time; turning it back on is then refused.
    await post_form(
        client,
        "/manage/calendar/slots",
        {"slot_code": "night", "slot_name_ja": "夜", "slot_starts": "18:00", "slot_ends": "20:00"},
    )
    again = await post_form(client, f"/manage/calendar/slots/{evening}/active", {"active": "1"})
    assert again.status_code == 400
    assert "ほかの区分と時間が重なっています" in again.text
    assert (await Slot.select().where(Slot.id == evening).first())["active"] is False
    actions = [e["action"] for e in await audit_entries("slot")]
    assert actions == ["update", "deactivate", "create"]


async def test_manager_adds_a_yearly_closed_period_and_deletes_a_one_off_day(client):
    await open_every_day()
    one_off = await make_closed(date(2026, 11, 18), date(2026, 11, 18), "設備点検")
    await _manager(client)
    response = await post_form(
        client,
        "/manage/calendar/closed-days",
        {
            "closed_starts_on": "2026-12-29",
            "closed_ends_on": "2027-01-03",
            "closed_reason_ja": "年末年始",
            "closed_reason_en": "New Year holidays",
            "closed_yearly": "on",
        },
    )
    assert response.status_code == 303
    row = await ClosedDay.select().where(ClosedDay.reason_ja == "年末年始").first()
    assert row["yearly"] is True and row["ends_on"] == date(2027, 1, 3)
    page = text_of((await client.get("/manage/calendar")).text)
    assert "12月29日–1月3日 年末年始 毎年" in page
    deleted = await post_form(client, f"/manage/calendar/closed-days/{one_off}/delete")
    assert deleted.status_code == 303
    assert not await ClosedDay.exists().where(ClosedDay.id == one_off)
    entries = await audit_entries("closed_day")
    assert [e["action"] for e in entries] == ["create", "delete"]
    assert _json(entries[1]["before"])["reason_ja"] == "設備点検"


async def test_closed_day_with_last_day_before_first_day_is_refused(client):
    await _manager(client)
    response = await post_form(
        client,
        "/manage/calendar/closed-days",
        {"closed_starts_on": "2026-12-10", "closed_ends_on": "2026-12-01", "closed_reason_ja": "点検"},
    )
    assert response.status_code == 400
    assert "終了日は開始日以降の日付にしてください" in response.text
    assert 'value="2026-12-10"' in response.text
    assert await ClosedDay.count() == 0


async def test_manager_sets_the_heating_season_and_holiday_closing(client):
    await _manager(client)
    response = await post_form(
        client,
        "/manage/calendar/profile",
        {
            "profile_name_ja": "苫小牧市市民活動センター",
            "profile_name_en": "Tomakomai Civic Activity Center",
            "profile_phone": "0144-32-0000",
            "heating_from_month": "11",
            "heating_to_month": "3",
            "holidays_closed": "on",
        },
    )
    assert response.status_code == 303
    profile = await CenterProfile.select().first()
    assert (profile["heating_from_month"], profile["heating_to_month"], profile["holidays_closed"]) == (
        11,
        3,
        True,
    )
    assert [e["action"] for e in await audit_entries("center_profile")] == ["update"]


async def test_bad_heating_month_is_refused(client):
    await _manager(client)
    response = await post_form(
        client,
        "/manage/calendar/profile",
        {"profile_name_ja": "センター", "heating_from_month": "13", "heating_to_month": "4"},
    )
    assert response.status_code == 400
    assert "1月から12月の中から選んでください" in response.text
    assert await CenterProfile.count() == 0


async def test_preview_lists_holidays_and_closed_days_of_the_next_60_days(client):
    await open_every_day()
    soon = today() + timedelta(days=10)
    await make_closed(soon, soon, "臨時休館")
    await _manager(client)
    page = text_of((await client.get("/manage/calendar")).text)
    assert "今後60日間の祝日と休館日" in page
    assert "休館: 臨時休館" in page


async def test_calendar_settings_are_for_managers_only(client):
    assert (await client.get("/manage/calendar")).status_code == 401
    await make_user("fixer", ("facilities",))
    await login(client, "fixer")
    assert (await client.get("/manage/calendar")).status_code == 403
    refused = await post_form(client, "/manage/calendar/hours", _hours())
    assert refused.status_code == 403
    assert await OpeningHours.count() == 0
