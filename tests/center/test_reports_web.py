"""The reports over HTTP: managers only; each report as a page (charts with their tables), a PDF
whose text carries the headings and figures, and CSV (UTF-8 with BOM) with the right columns."""

from __future__ import annotations

import csv
import io
import re

import pytest
from pypdf import PdfReader

from tests.center.test_reports_figures import load_known_data
from tests.helpers import login, make_group, make_user, text_of

pytestmark = pytest.mark.anyio

KINDS = ("usage", "income", "maintenance", "programmes")
OCTOBER = "month=2026-10"


async def as_manager(client) -> None:
    await make_user("boss", ("manager",))
    await login(client, "boss")


@pytest.mark.parametrize("role", ["front_desk", "facilities", "member"])
async def test_reports_are_for_managers_only(client, role):
    user = await make_user("someone", () if role == "member" else (role,))
    if role == "member":
        await make_group(members=(user,))
    await login(client, "someone")
    for url in (
        "/reports",
        f"/reports/usage?{OCTOBER}",
        f"/reports/income/pdf?{OCTOBER}",
        f"/reports/usage/csv?{OCTOBER}",
    ):
        assert (await client.get(url)).status_code == 403, url


async def test_visitors_are_asked_to_log_in(client):
    response = await client.get(f"/reports/usage/csv?{OCTOBER}")
    assert response.status_code in (302, 303, 401)


async def test_the_usage_page_shows_the_figures_with_a_chart_and_its_table(client):
    await load_known_data()
    await as_manager(client)
    response = await client.get(f"/reports/usage?{OCTOBER}")
    assert response.status_code == 200
    html = response.text
    text = text_of(html)
    assert "利用状況報告" in text and "令和8年10月" in text
    assert 'role="img"' in html and "<svg" in html
    assert "3.9%" in text  # 6 of 155 slots
    assert "前年同期との比較" in text and "令和7年10月" in text
    assert "集計の方法" in text


async def test_every_report_page_pdf_and_csv_answers_for_a_month_and_a_year(client):
    await load_known_data()
    await as_manager(client)
    for kind in KINDS:
        for query in (OCTOBER, "year=2026"):
            for suffix in ("", "/pdf", "/csv"):
                response = await client.get(f"/reports/{kind}{suffix}?{query}")
                assert response.status_code == 200, (kind, query, suffix)


async def test_bad_periods_and_unknown_reports_are_refused(client):
    await as_manager(client)
    for url in ("/reports/usage?month=2026-13", "/reports?year=abc", "/reports/income/csv?month=x"):
        assert (await client.get(url)).status_code == 400, url
    assert (await client.get("/reports/nonsense")).status_code == 404


async def test_the_pdf_text_has_the_headings_and_figures(client):
    await load_known_data()
    await as_manager(client)
    response = await client.get(f"/reports/usage/pdf?{OCTOBER}")
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in (
        "利用状況報告",
        "令和8年10月",
        "苫小牧市社会福祉協議会",
        "部屋別の稼働率",
        "会議室1",
        "155",
        "3.9%",
        "6.5%",
    ):
        assert expected in text, expected
    assert f"1 / {len(reader.pages)}" in text
    income = await client.get(f"/reports/income/pdf?{OCTOBER}")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(income.content)).pages)
    for expected in ("使用料収入報告", "¥18,750", "¥3,000", "¥16,500"):
        assert expected in text, expected


async def test_the_csv_opens_with_the_right_columns(client):
    await load_known_data()
    await as_manager(client)
    response = await client.get(f"/reports/usage/csv?{OCTOBER}")
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content[3:].decode("utf-8"))))
    assert rows[:4] == [
        ["利用状況報告", "令和8年10月"],
        ["令和8年10月1日 – 令和8年10月31日"],
        [],
        ["部屋別の稼働率"],
    ]
    rooms = rooms_block(rows)
    assert rooms[0][:5] == ["部屋", "提供コマ数", "休止コマ数", "予約コマ数", "稼働率（コマ）(%)"]
    assert len(rooms[0]) == 13
    assert rooms[1][:5] == ["会議室1", "62", "0", "4", "6.5"]
    assert rooms[-1][:5] == ["合計", "155", "0", "6", "3.9"]
    income = await client.get(f"/reports/income/csv?{OCTOBER}")
    rows = rooms_block(list(csv.reader(io.StringIO(income.content.decode("utf-8-sig")))))
    assert rows[-1] == ["合計", "5", "12250", "0", "7500", "2000", "-3000", "18750", "1", "1"]


def rooms_block(rows: list[list[str]]) -> list[list[str]]:
    """The CSV's by-room table: from its header row (部屋) to the empty row after its total."""
    start = rows.index(next(row for row in rows if row[:1] == ["部屋"]))
    return rows[start : rows.index([], start)]


async def test_slots_closed_for_works_show_on_the_page_in_the_pdf_and_in_the_csv(client):
    from center.ledger.service import take_hold
    from tests.center.test_reports_figures import at

    ids = await load_known_data()
    # 会議室1 closed all of 10/20: 2 of its 62 slots, so 4 booked of 60 (6.7%); 6 of 153 in total.
    await take_hold(ids["room1"], at("2026-10-20", "00:00"), at("2026-10-21", "00:00"), "closure")
    await as_manager(client)
    text = text_of((await client.get(f"/reports/usage?{OCTOBER}")).text)
    assert "休止コマ数" in text and "6.7%" in text
    assert "工事で休止したコマと時間を除いています" in text
    pdf = await client.get(f"/reports/usage/pdf?{OCTOBER}")
    pdf_text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "休止コマ数" in pdf_text and "6.7%" in pdf_text and "153" in pdf_text
    answer = await client.get(f"/reports/usage/csv?{OCTOBER}")
    rows = rooms_block(list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")))))
    assert rows[1][:5] == ["会議室1", "60", "2", "4", "6.7"]
    assert rows[-1][:5] == ["合計", "153", "2", "6", "3.9"]


def test_a_bar_chart_leaves_room_for_its_longest_label():
    """A long room name is drawn whole, not cut off at the chart's left edge."""
    from center.shell.reports.charts import Series, bar_chart, text_width

    long_name = "男女平等参画推進センター 会議室"
    svg = str(bar_chart("t", "稼働率", ["和室", long_name], [Series("コマ", [0.5, 0.25])]))
    label_x = float(re.search(r'<text x="([\d.]+)"[^>]*>' + long_name, svg).group(1))
    assert label_x - text_width(long_name) >= 0
    assert text_width("和室") == 24 and text_width("ab") == 2 * 12 * 0.6
