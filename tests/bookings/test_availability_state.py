"""The week grid keeps its state (issue 11) and reads on a phone (issue 12), over HTTP: the week field,
the filter summary and the grid agree after every navigation, with htmx and without; the English
grid uses English symbols; a free cell carries the filters to the request form; errors are marked
for focus."""

import re
from datetime import timedelta

import pytest

from bookings.availability import week_start
from bookings.fees import ensure_default_rules
from center.lib.dates import today
from tests.helpers import login, make_calendar, make_group, make_room, make_user, post_form, text_of
from tests.snapshots import snapshot_fixture

pytestmark = pytest.mark.anyio

FEES = {"morning": (600, 200), "afternoon": (800, 250), "evening": (800, 250)}
HTMX = {"HX-Request": "true"}


@pytest.fixture
@snapshot_fixture
async def center(db):
    slots = await make_calendar()
    await ensure_default_rules()
    await make_room(
        code="hall",
        name_ja="多目的ホール",
        name_en="Multi-purpose Hall",
        capacity=100,
        floor=2,
        fees=FEES,
        slot_ids=slots,
        equipment=["projector"],
    )
    await make_room(fees=FEES, slot_ids=slots)
    member = await make_user("member1")
    await make_group("水彩画同好会", members=(member,))
    # Three weeks on: beyond the days' notice and within the months ahead, whatever today is.
    return {"week": week_start(today() + timedelta(days=21))}


def week_field(html: str) -> str:
    match = re.search(r'<input id="week" name="week" type="date" value="([\d-]+)"([^>]*)>', html)
    assert match, "no week field in the answer"
    return match.group(1) + match.group(2)


async def test_the_htmx_answer_to_next_week_moves_the_week_field_to_the_new_week(client, center):
    shown = center["week"]
    answer = await client.get(f"/availability?week={shown + timedelta(days=7)}&capacity=50", headers=HTMX)
    assert answer.status_code == 200 and "<html" not in answer.text
    field = week_field(answer.text)
    assert field.startswith((shown + timedelta(days=7)).isoformat())
    assert 'hx-swap-oob="true"' in field
    assert f'data-week="{shown + timedelta(days=7)}"' in answer.text


async def test_the_next_week_link_keeps_the_filters(client, center):
    page = (await client.get(f"/availability?week={center['week']}&capacity=50&equipment=projector")).text
    next_week = center["week"] + timedelta(days=7)
    links = re.findall(r'<a href="(/availability\?week=[^"]+)"', page)
    assert f"/availability?week={next_week}&amp;capacity=50&amp;equipment=projector" in links


async def test_ticking_a_filter_keeps_the_week_the_form_holds(client, center):
    later = center["week"] + timedelta(days=14)
    answer = await client.get(
        f"/availability?week={later}&equipment=projector", headers={**HTMX, "HX-Trigger": "week-filters"}
    )
    assert f'data-week="{later}"' in answer.text
    assert "多目的ホール" in answer.text and "会議室" not in text_of(answer.text).replace("多目的ホール", "")
    # The form asked: its week field keeps what the person typed, so it is not swapped.
    assert 'id="week"' not in answer.text


async def test_the_filter_summary_states_what_is_applied_and_follows_the_grid(client, center):
    page = (await client.get("/availability")).text
    summary = text_of(re.search(r"<summary data-primary>(.*?)</summary>", page, re.S).group(1))
    assert "（すべての部屋）" in summary
    answer = await client.get("/availability?capacity=20&equipment=projector&step_free=on", headers=HTMX)
    applied = answer.text.split('id="filters-applied"', 1)[1].split("</summary>", 1)[0]
    assert 'hx-swap-oob="true"' in applied.split(">", 1)[0]
    words = text_of(applied)
    assert "20人以上" in words and "プロジェクター" in words and "段差なし" in words


async def test_without_htmx_the_page_for_next_week_shows_that_week_in_the_date_field(client, center):
    next_week = center["week"] + timedelta(days=7)
    page = (await client.get(f"/availability?week={next_week}&equipment=projector")).text
    assert week_field(page).startswith(next_week.isoformat())
    assert 'id="filter-equipment-projector" name="equipment" value="projector" checked' in page
    assert "hx-swap-oob" not in page


async def test_the_language_switch_returns_to_the_week_shown_after_an_htmx_move(client, center):
    next_week = center["week"] + timedelta(days=7)
    answer = await client.get(f"/availability?week={next_week}&capacity=50", headers=HTMX)
    back = f"/availability?week={next_week}&amp;capacity=50"
    assert f'id="lang-next" name="next" value="{back}" hx-swap-oob="true"' in answer.text


async def test_the_english_grid_uses_english_symbols_and_an_english_key(client, center):
    await post_form(client, "/lang", {"lang": "en", "next": "/"})
    page = (await client.get(f"/availability?week={center['week']}")).text
    assert not set("抽窓未休") & set(text_of(page))
    assert '<span aria-hidden="true" class="slot-cell--lottery">L</span> By lottery' in page
    assert '<span aria-hidden="true" class="slot-cell--closed">C</span> Closed' in page


async def test_a_free_cell_carries_the_head_count_and_equipment_to_the_request_form(client, center):
    await login(client, "member1")
    page = (await client.get(f"/availability?week={center['week']}&capacity=20&equipment=projector")).text
    link = re.search(r'href="(/bookings/new\?room=hall&amp;[^"]+)"', page)
    assert link, "no free cell of the hall links to the request form"
    href = link.group(1).replace("&amp;", "&")
    assert "expected_head_count=20" in href and "equipment=projector" in href
    form = (await client.get(href)).text
    assert re.search(r'id="expected_head_count" name="expected_head_count" type="number" value="20"', form)
    assert 'id="equipment-projector" name="equipment" value="projector" checked' in form


async def test_a_bad_filter_shows_an_error_summary_marked_for_focus(client, center):
    page = (await client.get("/availability?capacity=abc")).text
    assert re.search(r'class="error-summary"[^>]*tabindex="-1"[^>]*data-error-summary', page)
    assert '<details class="filters-disclosure" open>' in page
