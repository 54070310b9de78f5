"""The server log: one access line per request with its request id (plain or JSON), the id in the
X-Request-ID header and on the error page, secrets never written, a server error's traceback in
the log and not on the page, and no WeasyPrint progress lines when a permit is printed."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bookings.fees import ensure_default_rules
from bookings.permits import permit_pdf
from bookings.rules import BookingRequest
from bookings.service import approve, request_booking
from center.accounts.actors import ActorRef
from center.lib.dates import today
from center.lib.settings import BASE_DIR
from center.shell import pages
from center.shell.ops.access import install as install_request_observer
from center.shell.ops.logs import configure_logging
from center.web.access_log import REDACTED
from center.web.access_log import install as install_access_log_filter
from tests.helpers import make_calendar, make_group, make_room, make_user

pytestmark = pytest.mark.anyio

TOKEN = "s3cr3t-T0ken_abcdefghijklmnop"
SESSION = "S3SSION-cookie-value-0123456789"
CSRF = "CSRF-token-value-0123456789abcd"


def use_format(app, log_format: str) -> None:
    configure_logging(log_format)
    install_request_observer(app, install_access_log_filter(app))


@pytest.fixture
def plain(app) -> Iterator[None]:
    use_format(app, "plain")
    yield


@pytest.fixture
def json_log(app) -> Iterator[None]:
    use_format(app, "json")
    yield
    use_format(app, "plain")


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


async def test_one_plain_access_line_per_request_with_its_request_id(client, plain, capsys):
    response = await client.get("/rooms?lang=x")
    request_id = response.headers["x-request-id"]
    assert len(request_id) == 16
    lines = [line for line in capsys.readouterr().err.splitlines() if f"[{request_id}]" in line]
    assert len(lines) == 1, lines
    assert " INFO center.access " in lines[0]
    assert '"GET /rooms?lang=x HTTP/1.1" 200 ' in lines[0]
    assert lines[0].split()[4] == "127.0.0.1"
    other = await client.get("/rooms")
    assert other.headers["x-request-id"] != request_id


async def test_the_json_access_line_carries_the_request_id_and_the_route_template(client, json_log, capsys):
    response = await client.get("/rooms/no-such-room")
    request_id = response.headers["x-request-id"]
    access = [r for r in json_lines(capsys.readouterr().err) if r["logger"] == "center.access"]
    (line,) = [r for r in access if r["request_id"] == request_id]
    assert line["level"] == "INFO"
    assert line["method"] == "GET" and line["status"] == 404
    assert line["path"] == "/rooms/no-such-room"
    assert line["route"] == "/rooms/{code}"  # the template, not the raw path
    assert isinstance(line["duration_ms"], float) and line["bytes"] > 0


async def test_a_path_no_route_serves_is_logged_too(client, json_log, capsys):
    response = await client.get("/no/such/page")
    access = [r for r in json_lines(capsys.readouterr().err) if r["logger"] == "center.access"]
    (line,) = [r for r in access if r["request_id"] == response.headers["x-request-id"]]
    assert line["status"] == 404 and line["route"] == "(unmatched)"


@pytest.mark.parametrize("log_format", ["plain", "json"])
async def test_tokens_cookies_and_csrf_never_reach_the_log(client, app, log_format, capsys, caplog):
    use_format(app, log_format)
    try:
        caplog.set_level(logging.INFO)
        headers = {"x-csrftoken": CSRF, "cookie": f"session={SESSION}; csrftoken={CSRF}"}
        await client.get(f"/feeds/t/{TOKEN}.ics?token={TOKEN}&lang=ja", headers=headers)
        await client.get(f"/feeds/volunteer/{TOKEN}")
        await client.get(f"/manage/flowerbeds/find?code={TOKEN}")
        await client.get(f"/report/{TOKEN}")
        await client.get(f"/report/status?reference={TOKEN}")
        await client.post("/login", data={"username": "x", "password": TOKEN, "_csrf_token": CSRF})
    finally:
        use_format(app, "plain")
    # Everything the app logged, as written to stderr and as records (not the test client's own
    # httpx lines, which carry the addresses it asked for).
    app_records = [r.getMessage() for r in caplog.records if not r.name.startswith("httpx")]
    written = capsys.readouterr().err + "\n".join(app_records)
    assert "center.access" in written
    for secret in (TOKEN, SESSION, CSRF):
        assert secret not in written
    assert f"/feeds/t/{REDACTED}" in written
    assert f"code={REDACTED}" in written and f"reference={REDACTED}" in written
    assert "/report/status?" in written  # the lookup form's own path is not a reference


async def test_a_server_error_shows_the_request_id_and_logs_the_traceback(client, plain, monkeypatch, capsys):
    async def broken(day):
        raise RuntimeError("the calendar broke: internal detail")

    monkeypatch.setattr(pages, "day_info", broken)
    response = await client.get("/")
    assert response.status_code == 500
    request_id = response.headers["x-request-id"]
    assert request_id in response.text  # for the staff to quote
    for leak in ("Traceback", "RuntimeError", "internal detail", "day_info"):
        assert leak not in response.text
    log = capsys.readouterr().err
    assert f"ERROR center [{request_id}] unhandled error on GET /" in log
    assert "Traceback (most recent call last)" in log
    assert "RuntimeError: the calendar broke: internal detail" in log


async def test_a_server_error_in_json_logs_its_traceback_as_one_field(client, json_log, monkeypatch, capsys):
    async def broken(day):
        raise RuntimeError("the calendar broke")

    monkeypatch.setattr(pages, "day_info", broken)
    response = await client.get("/")
    request_id = response.headers["x-request-id"]
    mine = [r for r in json_lines(capsys.readouterr().err) if r["request_id"] == request_id]
    (error,) = [r for r in mine if r["level"] == "ERROR"]
    assert "RuntimeError: the calendar broke" in error["traceback"]
    assert [r["status"] for r in mine if r["logger"] == "center.access"] == [500]


async def test_an_ordinary_error_page_shows_the_request_id(client):
    response = await client.get("/no/such/page")
    assert response.status_code == 404
    assert response.headers["x-request-id"] in response.text


async def test_printing_a_permit_writes_no_weasyprint_progress_lines(db, app, capfd, caplog):
    caplog.set_level(logging.INFO)
    slots = await make_calendar()
    await ensure_default_rules()
    room = await make_room(code="hall", fees={"afternoon": (1200, 400)}, slot_ids=slots)
    group = await make_group("いきいきシニアサロン若草", members=(await make_user("member1"),))
    staff = ActorRef(None, "desk", staff=True)
    request = BookingRequest(
        room_id=room,
        day=today() + timedelta(days=20),
        slot_codes=["afternoon"],
        purpose="体操",
        expected_head_count=5,
    )
    booking_id = await request_booking(request, group, staff)
    await approve(booking_id, staff)
    assert (await permit_pdf(booking_id)).startswith(b"%PDF")
    noisy = [
        r
        for r in caplog.records
        if r.name.startswith(("weasyprint", "fontTools")) and r.levelno < logging.WARNING
    ]
    assert noisy == []
    out, err = capfd.readouterr()
    assert "Step 1" not in out + err and "weasyprint" not in (out + err).lower()


def test_the_server_log_config_for_uvicorn_is_json_without_its_access_log_or_pdf_steps():
    script = (
        "import logging, logging.config\n"
        "from center.shell.ops.logs import uvicorn_log_config\n"
        "logging.config.dictConfig(uvicorn_log_config('json'))\n"
        "logging.getLogger('uvicorn.error').info('Application startup complete.')\n"
        "logging.getLogger('uvicorn.access').info('127.0.0.1 - GET / 200')\n"
        "logging.getLogger('weasyprint.progress').info('Step 1 - Fetching and parsing HTML')\n"
        "logging.getLogger('fontTools.subset').info('maxp pruned')\n"
        "logging.getLogger('weasyprint').warning('Ignored a bad CSS rule')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, capture_output=True, text=True, timeout=60, check=True
    )
    records = [json.loads(line) for line in result.stderr.splitlines()]
    assert [(r["logger"], r["message"]) for r in records] == [
        ("uvicorn.error", "Application startup complete."),
        ("weasyprint", "Ignored a bad CSS rule"),
    ]


def test_the_app_silences_uvicorns_own_access_log(app):
    assert not logging.getLogger("uvicorn.access").isEnabledFor(logging.INFO)
    assert not logging.getLogger("weasyprint.progress").isEnabledFor(logging.INFO)
    assert logging.getLogger("weasyprint").isEnabledFor(logging.WARNING)
