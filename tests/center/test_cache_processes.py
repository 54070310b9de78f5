"""The per-process caches (reference data, visitors' pages) are right across processes: two real
servers (uvicorn subprocesses, A and B) on one database, on each engine. B first serves its pages
to a visitor and to a signed-in member, so it holds them in its caches; then the manager, signed in
on A through the login form, changes through A's own manage forms a room's name, a fee, the
calendar (a closed day) and the booking policy, and after each B's next request shows the change.
Last a member books a free cell through A's request form (confirmation page, terms ticked), and B's
grid shows that cell taken at once, also to a visitor sending the ETag B gave before (no 304)."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

import piccolo_conf
from center.lib.db import postgres_config
from center.lib.sqlite_engine import TunedSQLiteEngine
from center.shell.demo import DEMO_PASSWORD
from tests.conftest import PG_URL, _create_pg_database, _drop_pg_database, activate, need
from tests.forms_support import form_fields, with_values

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    log = log_path.open("wb")  # read it when the test fails
    command = [sys.executable, "-c", "import sys; from center.cli import main; sys.exit(main())"]
    server = subprocess.Popen(
        [*command, "run", "--demo", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # migrations, the demo and the PDF warm-up; the CPU is shared
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server stopped"
        try:
            if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                return server, base
        except httpx.HTTPError:
            time.sleep(0.3)
    raise AssertionError("the server did not start")


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_a_change_made_through_one_server_is_seen_by_the_others_next_request(kind):
    data_dir = tempfile.mkdtemp(prefix="center-two-")
    env = {key: value for key, value in os.environ.items() if not key.startswith("CENTER_")}
    env.update(
        CENTER_DATA_DIR=data_dir,
        CENTER_PDF_WARM_UP="0",
        CENTER_SECRET_KEY="two-processes-secret",
        CENTER_SCHEDULER="0",
        CENTER_CHEAP_PASSWORD_HASH="1",
    )
    database = None
    if kind == "postgres":
        need(bool(PG_URL), "PostgreSQL tests need CENTER_TEST_DATABASE_URL")
        database = asyncio.run(_create_pg_database(PG_URL))
        config = {**postgres_config(PG_URL), "database": database}
        env["CENTER_DATABASE_URL"] = (
            f"postgresql://{config['user']}@{config['host']}:{config['port']}/{database}"
        )
    previous = piccolo_conf.DB
    servers = []
    try:
        first, base_a = _start(env, Path(data_dir) / "server-a.log")
        servers.append(first)
        second, base_b = _start(env, Path(data_dir) / "server-b.log")
        servers.append(second)
        if kind == "postgres":
            from piccolo.engine.postgres import PostgresEngine

            activate(PostgresEngine(config=config))
        else:
            activate(TunedSQLiteEngine(path=str(Path(data_dir) / "center.sqlite3"), timeout=30))
        _check_changes(base_a, base_b)
    finally:
        activate(previous)
        for server in servers:
            server.terminate()
            server.wait(timeout=20)
        if database:
            asyncio.run(_drop_pg_database(PG_URL, database))


def _check_changes(base_a: str, base_b: str) -> None:
    from center.places.tables import Room, Slot

    today = datetime.now(UTC).date()
    week = (today - timedelta(days=today.weekday()) + timedelta(days=14)).isoformat()
    end = (datetime.fromisoformat(week) + timedelta(days=6)).date().isoformat()
    grid_url, api_url = f"/availability?week={week}", f"/api/availability?from={week}&to={end}"

    def browser(base: str, username: str | None = None) -> httpx.Client:
        client = httpx.Client(base_url=base, cookies={"lang": "en"}, timeout=60)
        if username:
            login = client.get("/login")
            response = client.post(
                "/login",
                data=with_values(
                    form_fields(login.text, "/login"), username=username, password=DEMO_PASSWORD
                ),
            )
            assert response.status_code == 303, response.text[:500]
        return client

    manager_a, member_a = browser(base_a, "manager"), browser(base_a, "member")
    visitor_b, member_b = browser(base_b), browser(base_b, "member")

    def cells() -> list[dict]:
        return visitor_b.get(api_url).json()["cells"]

    def states(day: str | None = None) -> Counter:
        return Counter(cell["state"] for cell in cells() if day is None or cell["date"] == day)

    def submit(client: httpx.Client, page: str, action: str, **changes: str | list[str]) -> httpx.Response:
        """Fill in the form of `page` that posts to `action` as shown, change some fields, send it."""
        shown = client.get(page)
        assert shown.status_code == 200, shown.text[:500]
        return client.post(action, data=with_values(form_fields(shown.text, action), **changes))

    # B serves its pages to a visitor and a member first: its caches hold them now.
    for _ in range(2):
        pages_b = {url: visitor_b.get(url).text for url in (grid_url, "/rooms/hall")}
        member_grid = member_b.get(grid_url).text
    assert "The Renamed Hall" not in pages_b[grid_url] + pages_b["/rooms/hall"] + member_grid
    assert "¥12,345" not in pages_b["/rooms/hall"]

    # A room's name, through A's room form.
    hall = _read(Room.select(Room.id).where(Room.code == "hall").first())["id"]
    saved = submit(manager_a, f"/manage/rooms/{hall}", f"/manage/rooms/{hall}", name_en="The Renamed Hall")
    assert saved.status_code == 303, saved.text[:1000]
    assert "The Renamed Hall" in visitor_b.get(grid_url).text
    assert "The Renamed Hall" in visitor_b.get("/rooms/hall").text
    assert visitor_b.get("/api/rooms/hall").json()["name_en"] == "The Renamed Hall"
    assert "The Renamed Hall" in member_b.get(grid_url).text

    # A fee: the hall's morning, through the same form.
    morning = _read(Slot.select(Slot.id).where(Slot.code == "morning").first())["id"]
    saved = submit(
        manager_a, f"/manage/rooms/{hall}", f"/manage/rooms/{hall}", **{f"slot_{morning}_fee": "12345"}
    )
    assert saved.status_code == 303, saved.text[:1000]
    assert "¥12,345" in visitor_b.get("/rooms/hall").text

    # The calendar: a closed day on the week's first day with a free cell, through A's calendar page.
    free_days = sorted({cell["date"] for cell in cells() if cell["state"] == "free"})
    assert len(free_days) >= 2, "the demo week has free cells on two days"
    closed_day = free_days[0]
    assert states(closed_day)["closed"] == 0
    closed_before = _count(member_b.get(grid_url).text, "closed")
    saved = submit(
        manager_a,
        "/manage/calendar",
        "/manage/calendar/closed-days",
        closed_starts_on=closed_day,
        closed_ends_on=closed_day,
        closed_reason_ja="臨時休館",
        closed_reason_en="Closed for works",
    )
    assert saved.status_code == 303, saved.text[:1000]
    on_the_day = states(closed_day)
    assert on_the_day["closed"] > 0 and on_the_day["free"] == 0
    assert _count(visitor_b.get(grid_url).text, "closed") > closed_before
    assert _count(member_b.get(grid_url).text, "closed") > closed_before

    # The policy: online requests open 60 days ahead, so the week is for the desk only; then back.
    rules = "/manage/booking-rules"
    policy = dict(form_fields(manager_a.get(rules).text, rules))
    assert states()["free"] > 0 and _count(member_b.get(grid_url).text, "free") > 0
    saved = submit(manager_a, rules, rules, book_from_days="60")
    assert saved.status_code == 303, saved.text[:1000]
    assert states()["free"] == 0 and states()["desk_only"] > 0
    member_grid = member_b.get(grid_url).text
    assert _count(member_grid, "free") == 0 and _count(member_grid, "desk_only") > 0
    saved = submit(manager_a, rules, rules, book_from_days=policy["book_from_days"])
    assert saved.status_code == 303, saved.text[:1000]
    assert states()["free"] > 0 and _count(member_b.get(grid_url).text, "free") > 0

    # A booking through A's request form: B's grid shows the cell taken at once.
    etags = {}
    for url in (grid_url, api_url):
        etag = visitor_b.get(url).headers["ETag"]
        again = visitor_b.get(url, headers={"If-None-Match": etag})
        if again.status_code == 200:  # the minute turned in between: its new ETag
            etag = again.headers["ETag"]
            again = visitor_b.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304  # B answers from its validators until something changes
        etags[url] = etag
    links = re.findall(
        r'<td class="slot-cell slot-cell--free"><a href="([^"]+)"', member_a.get(grid_url).text
    )
    link = next(unescape(href) for href in links if f"day={closed_day}" not in unescape(href))
    query = parse_qs(urlparse(link).query)
    key = (query["room"][0], query["day"][0], query["slots"][0])
    assert _cell(cells(), key)["state"] == "free"
    assert _free_link(visitor_b.get(grid_url).text, key) and _free_link(member_b.get(grid_url).text, key)
    form = member_a.get(link)
    assert form.status_code == 200, form.text[:500]
    fields = dict(form_fields(form.text, "/bookings/new"))
    confirmation = member_a.post(
        "/bookings/new",
        data=with_values(
            form_fields(form.text, "/bookings/new"),
            purpose="Choir practice",
            expected_head_count="12",
            contact_name=fields.get("contact_name") or "Demo Member",
            contact_phone=fields.get("contact_phone") or "0144-00-1111",
            action="request",
        ),
    )
    assert confirmation.status_code == 200, confirmation.text[:1000]
    confirm = "/bookings/request/confirm"
    sent = member_a.post(
        confirm,
        data=with_values(form_fields(confirmation.text, confirm), agree_to_terms="on", action="confirm"),
    )
    assert sent.status_code == 303, sent.text[:1000]

    grid = visitor_b.get(grid_url, headers={"If-None-Match": etags[grid_url]})
    assert grid.status_code == 200  # not 304: the page changed
    assert not _free_link(grid.text, key)
    api = visitor_b.get(api_url, headers={"If-None-Match": etags[api_url]})
    assert api.status_code == 200
    assert _cell(api.json()["cells"], key)["state"] == "held"
    assert not _free_link(member_b.get(grid_url).text, key)
    for client in (manager_a, member_a, visitor_b, member_b):
        client.close()


def _count(html: str, state: str) -> int:
    """The grid's cells in this state (its key, which shows every state, is not counted)."""
    return html.count(f'<td class="slot-cell slot-cell--{state}"')


def _free_link(html: str, key: tuple[str, str, str]) -> bool:
    """Whether the grid offers this cell (room, day, slot) as free: its request link."""
    room, day, slot = (re.escape(part) for part in key)
    return re.search(rf"room={room}&amp;day={day}&amp;slots={slot}[\"&]", html) is not None


def _cell(cells: list[dict], key: tuple[str, str, str]) -> dict:
    return next(cell for cell in cells if (cell["room"], cell["date"], cell["slot"]) == key)


def _read(query):
    return asyncio.run(query.run())
