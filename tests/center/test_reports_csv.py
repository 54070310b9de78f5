"""The usage and income CSVs carry every figure their pages show: the page is read with a real
HTML parser, the CSV with the csv module after decoding utf-8-sig, and the two compared section
by section, cell by cell, on a data set that puts something on every line of both reports."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from center.ledger.service import take_hold
from center.shell.reports.usage import WALK_IN_MARKER
from tests.center.test_reports_figures import _booking, _payment, at, load_known_data
from tests.helpers import login, make_group, make_user

pytestmark = pytest.mark.anyio

REPORTS = [
    ("usage", "month=2026-10"),
    ("usage", "year=2026"),
    ("income", "month=2026-10"),
    ("income", "year=2026"),
]
# Lines of the cash check that are zero whenever the desk's records agree, as they do here.
ZERO_WHEN_BALANCED = {"上記の収納・返金との差額", "日計表が一致しない日数"}


@dataclass
class PageSection:
    title: str = ""
    caption: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)  # body rows, then the total row
    note: str = ""


class ReportPage(HTMLParser):
    """The report page's h1, its period line and its sections: heading, caption, table, note."""

    def __init__(self) -> None:
        super().__init__()
        self.heading = ""
        self.period_range = ""
        self.sections: list[PageSection] = []
        self._into: str | None = None  # where text goes: h1, range, title, caption, note, cell
        self._after_h1 = False
        self._row: list[str] | None = None
        self._in_head = False
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "h1":
            self._start("h1")
        elif tag == "p" and self._after_h1:
            self._after_h1 = False
            self._start("range")
        elif tag == "section" and "report-section" in classes:
            self.sections.append(PageSection())
        elif not self.sections:
            return
        elif tag == "h2" and not self.sections[-1].title:
            self._start("title")
        elif tag == "caption":
            self._start("caption")
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._start("cell")
        elif tag == "p" and "report-note" in classes:
            self._start("note")

    def handle_endtag(self, tag: str) -> None:
        text = " ".join(self._text.split())
        if tag == "h1" and self._into == "h1":
            self.heading, self._after_h1 = text, True
        elif tag == "p" and self._into == "range":
            self.period_range = text
        elif tag == "h2" and self._into == "title":
            self.sections[-1].title = text
        elif tag == "caption" and self._into == "caption":
            self.sections[-1].caption = text
        elif tag in ("th", "td") and self._into == "cell" and self._row is not None:
            self._row.append(text)
        elif tag == "tr" and self._row is not None:
            target = self.sections[-1]
            if self._in_head:
                target.columns = self._row
            else:
                target.rows.append(self._row)
            self._row = None
        elif tag == "thead":
            self._in_head = False
        elif tag == "p" and self._into == "note":
            self.sections[-1].note = text
        else:
            return
        self._into = None

    def handle_data(self, data: str) -> None:
        if self._into is not None:
            self._text += data

    def _start(self, into: str) -> None:
        self._into, self._text = into, ""


FIGURE = re.compile(r"[+−-]?¥?[\d,]+(\.\d+)?(%| pt)?")


def figure(shown: str) -> Decimal | None:
    """The number a page's cell shows (¥1,200, −¥600, 62.5%, +4.5 pt, 1,234.5), or None for text."""
    if not FIGURE.fullmatch(shown):
        return None
    plain = shown.replace("−", "-").replace("¥", "").replace(",", "").replace("%", "").replace(" pt", "")
    return Decimal(plain)


def csv_blocks(content: bytes) -> list[list[list[str]]]:
    """The CSV's rows, in blocks split at the empty rows."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    blocks: list[list[list[str]]] = [[]]
    for row in rows:
        if row:
            blocks[-1].append(row)
        else:
            blocks.append([])
    return blocks


def assert_cells_agree(page_row: list[str], csv_row: list[str], where: str) -> None:
    assert len(csv_row) == len(page_row), (where, page_row, csv_row)
    for shown, plain in zip(page_row, csv_row, strict=True):
        number = figure(shown)
        if number is not None:
            assert plain and Decimal(plain) == number, (where, shown, plain)
        elif shown == "—":
            assert plain == "", (where, shown, plain)
        else:
            # Headings of rates say (%) in the CSV, whose cells have no % sign.
            assert plain in (shown, f"{shown}(%)", f"{shown} (%)"), (where, shown, plain)


async def load_every_line() -> None:
    """The known data set (welfare full reduction, cancellation with refund, cash and other
    payments, a refund, a booking a year earlier) plus what the other lines need: reductions for
    public-interest groups and under no category, a walk-in individual, a closure for works, a
    refund paid other than in cash, and a booking in every month of this and last fiscal year."""
    ids = await load_known_data()
    room1, hall = ids["room1"], ids["hall"]
    public = await make_group("まちづくり協議会", reduction="public_interest")
    walk_in = await make_group("窓口利用", activity=WALK_IN_MARKER)
    general = await make_group("写真クラブ")
    await _booking(
        public,
        room1,
        "2026-10-08",
        "13:00",
        "2026-10-08",
        "17:00",
        purpose="地域会議",
        room_fee=1000,
        reduction_fee=500,
        reduction_category="public_interest",
        actual_head_count=12,
    )
    await _booking(
        general, hall, "2026-10-09", "13:00", "2026-10-09", "15:00", room_fee=1000, reduction_fee=200
    )  # reduction_category "none": an override
    walk = await _booking(
        walk_in,
        hall,
        "2026-10-12",
        "09:00",
        "2026-10-12",
        "10:00",
        walk_in_name="山田 一郎",
        purpose="練習",
        room_fee=500,
        actual_head_count=1,
    )
    cancelled = await _booking(
        general,
        hall,
        "2026-10-20",
        "13:00",
        "2026-10-20",
        "14:00",
        status="cancelled",
        room_fee=500,
        refund_due=500,
    )
    await _payment(walk, "payment", 500, "cash", "2026-10-12", "09:05", 11)
    await _payment(cancelled, "payment", 500, "other", "2026-10-07", "11:00", 12)
    await _payment(cancelled, "refund", 500, "other", "2026-10-15", "11:00", 13)
    await take_hold(room1, at("2026-10-21", "00:00"), at("2026-10-22", "00:00"), "closure")
    for n, (year, month) in enumerate([(2025 + (m < 4), m) for m in (*range(4, 13), 1, 2, 3)]):
        for fiscal in (0, 1):
            day = f"{year + fiscal}-{month:02d}-15"
            await _booking(
                general,
                room1,
                day,
                "09:00",
                day,
                "12:00",
                purpose="撮影会",
                room_fee=1000,
                heating_fee=500 if month in (11, 12, 1, 2, 3) else 0,
                actual_head_count=4 + n,
            )


async def as_manager(client) -> None:
    await make_user("boss", ("manager",))
    await login(client, "boss")


@pytest.mark.parametrize(("kind", "query"), REPORTS, ids=[f"{k}-{q}" for k, q in REPORTS])
async def test_the_csv_carries_every_figure_the_page_shows(client, kind, query):
    await load_every_line()
    await as_manager(client)
    page = ReportPage()
    page.feed((await client.get(f"/reports/{kind}?{query}")).text)
    answer = await client.get(f"/reports/{kind}/csv?{query}")
    heading, *blocks = csv_blocks(answer.content)

    assert heading[0] == page.heading.split(": ", 1)
    assert heading[1] == [page.period_range]
    assert [block[0][0] for block in blocks] == [section.title for section in page.sections]
    for section, block in zip(page.sections, blocks, strict=True):
        lines = block[1:]
        if section.caption != section.title:
            assert lines.pop(0) == [section.caption]
        if section.note:
            assert lines.pop() == [section.note]
        assert section.rows and len(lines) == 1 + len(section.rows), section.title
        assert_cells_agree(section.columns, lines[0], section.title)
        for page_row, csv_row in zip(section.rows, lines[1:], strict=True):
            assert_cells_agree(page_row, csv_row, section.title)
            if page_row[0] not in ZERO_WHEN_BALANCED:  # the data set leaves no line empty
                assert any(figure(cell) for cell in page_row[1:]), (section.title, page_row)


async def test_the_csv_is_utf8_with_a_bom_and_crlf_and_says_its_charset_once(client):
    await load_known_data()
    await as_manager(client)
    for kind in ("usage", "income", "maintenance", "programmes"):
        answer = await client.get(f"/reports/{kind}/csv?month=2026-10")
        assert answer.headers["content-type"] == "text/csv; charset=utf-8", kind
        assert answer.content.startswith(b"\xef\xbb\xbf"), kind
        assert answer.content.count(b"\n") == answer.content.count(b"\r\n") > 1, kind
