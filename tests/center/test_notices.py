"""Notices: the inbox, e-mail through a real local SMTP server, retries, and the scheduler's claims."""

import asyncio
import socket
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller

from bookings.fees import ensure_default_rules
from bookings.rules import BookingRequest
from bookings.service import approve, decline, request_booking
from center.accounts.actors import ActorRef
from center.accounts.tables import Group, User
from center.lib.dates import today
from center.lib.scheduler import service as scheduler
from center.lib.scheduler.tables import JobRun
from center.lib.settings import get_settings
from center.notices.delivery import deliver_due
from center.notices.service import notify
from center.notices.tables import Notice, OutboxMessage
from tests.helpers import login, make_calendar, make_group, make_room, make_user, post_form
from tests.snapshots import snapshot_fixture

pytestmark = pytest.mark.anyio


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(monkeypatch):
    """A real SMTP server on localhost, and the app configured to send through it."""
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("CENTER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CENTER_SMTP_PORT", str(port))
    get_settings.cache_clear()
    yield handler
    controller.stop()
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
@snapshot_fixture
async def booking(db):
    slots = await make_calendar()
    await ensure_default_rules()
    room = await make_room(fees={"morning": (600, 200)}, slot_ids=slots, name_en="Meeting Room 1")
    member = await make_user("member1")
    await User.update({User.email: "member1@example.jp"}).where(User.id == member)
    group = await make_group("子育てサークルひまわり", members=(member,), contact_email="himawari@example.jp")
    return {"room": room, "group": group, "member": member}


async def _request(booking):
    return await request_booking(
        BookingRequest(
            room_id=booking["room"],
            day=today() + timedelta(days=10),
            slot_codes=["morning"],
            purpose="子育て相談会",
            expected_head_count=10,
        ),
        booking["group"],
        ActorRef(None, "member"),
    )


async def test_every_booking_change_leaves_a_notice_in_both_languages(booking):
    booking_id = await _request(booking)
    await decline(booking_id, ActorRef(None, "manager", staff=True), "館の行事のため")
    notices = await Notice.select().where(Notice.group == booking["group"]).order_by(Notice.id)
    assert [n["kind"] for n in notices] == ["booking.request", "booking.decline"]
    assert "館の行事のため" in notices[1]["body_ja"] and "不承認" in notices[1]["subject_ja"]
    assert "declined" in notices[1]["subject_en"] and "Meeting Room 1" in notices[1]["subject_en"]
    assert await OutboxMessage.count() == 0  # no SMTP configured: inbox only


async def test_mail_goes_out_through_smtp_to_the_group_and_members(booking, smtp):
    booking_id = await _request(booking)
    await approve(booking_id, ActorRef(None, "manager", staff=True))
    assert await OutboxMessage.count() == 4  # two notices x (group contact, member)
    result = await deliver_due()
    assert result == {"sent": 4, "retried": 0, "failed": 0}
    recipients = sorted(rcpt for message in smtp.messages for rcpt in message.rcpt_tos)
    assert recipients == [
        "himawari@example.jp",
        "himawari@example.jp",
        "member1@example.jp",
        "member1@example.jp",
    ]
    subjects = {
        str(make_header(decode_header(message_from_bytes(m.content)["Subject"]))) for m in smtp.messages
    }
    assert any(subject.startswith("予約承認のお知らせ") for subject in subjects)
    body = message_from_bytes(smtp.messages[-1].content).get_payload(decode=True).decode()
    assert "/bookings/" in body  # the link back to the booking
    assert await deliver_due() == {"sent": 0, "retried": 0, "failed": 0}  # nothing is sent twice


async def test_a_mail_failure_is_retried_later_and_loses_nothing(booking, monkeypatch):
    monkeypatch.setenv("CENTER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CENTER_SMTP_PORT", str(free_port()))  # nobody listens there: an outage
    get_settings.cache_clear()
    try:
        await _request(booking)
        result = await deliver_due()
        assert result == {"sent": 0, "retried": 1, "failed": 0}  # the head failed; the rest waits behind it
        head, second = await OutboxMessage.select().order_by(OutboxMessage.id)
        assert head["status"] == "pending" and head["attempts"] == 1 and head["last_error"]
        assert head["next_attempt_at"] > datetime.now(UTC)
        assert second["attempts"] == 0
        assert await deliver_due() == {"sent": 0, "retried": 0, "failed": 0}  # not due yet
        for day in range(1, 11):  # a day later each time: every back-off has passed
            await deliver_due(datetime.now(UTC) + timedelta(days=day))
        rows = await OutboxMessage.select().order_by(OutboxMessage.id)
        assert [(r["status"], r["attempts"]) for r in rows] == [("pending", 11), ("pending", 0)]  # none lost
        assert await Notice.count() == 1  # the change and its notice stand
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


async def test_the_inbox_page_shows_the_groups_notices_and_marks_them_read(client, booking):
    await _request(booking)
    await login(client, "member1")
    page = await client.get("/inbox")
    assert page.status_code == 200
    assert "申込み受付のお知らせ" in page.text
    assert "新着" in page.text
    await post_form(client, "/inbox/read")
    assert await Notice.count().where(Notice.read_at.is_null()) == 0


async def test_a_due_job_runs_once_even_when_two_processes_race(db):
    runs = []

    async def job(now):
        runs.append(now)
        await asyncio.sleep(0.05)
        return {"done": 1}

    scheduler.register("test.once", timedelta(minutes=5), job)
    try:
        # 30 s into a due time's five minutes: a minute later is the same due time, six the next.
        now = scheduler._JOBS["test.once"].due_at(datetime.now(UTC)) + timedelta(seconds=30)
        results = await asyncio.gather(
            *(scheduler.run_job(scheduler._JOBS["test.once"], now) for _ in range(5))
        )
        assert len(runs) == 1
        assert sorted(r for r in results if r) == ["done=1"]
        row = await JobRun.select().where(JobRun.name == "test.once").first()
        assert row["runs"] == 1 and row["last_ok"] and row["lease_until"] is None
        assert await scheduler.run_job(scheduler._JOBS["test.once"], now + timedelta(minutes=1)) is None
        assert await scheduler.run_job(scheduler._JOBS["test.once"], now + timedelta(minutes=6)) == "done=1"
    finally:
        scheduler._JOBS.pop("test.once", None)


async def test_a_failing_job_is_recorded_for_the_status_page(client, db):
    async def broken(now):
        raise RuntimeError("SMTP unreachable")

    scheduler.register("test.broken", timedelta(minutes=1), broken)
    try:
        await scheduler.run_due()
        row = await JobRun.select().where(JobRun.name == "test.broken").first()
        assert not row["last_ok"] and "SMTP unreachable" in row["last_summary"]
        await make_user("manager1", ("manager",))
        await login(client, "manager1")
        page = await client.get("/manage/jobs")
        assert "test.broken" in page.text and "SMTP unreachable" in page.text
        assert "bookings.lapse_requests" in page.text
    finally:
        scheduler._JOBS.pop("test.broken", None)


async def test_notify_renders_dates_in_each_language(db):
    group = await make_group("テスト団体")
    await notify(
        kind="test",
        subject="Booking approved: %(room)s on %(date)s",
        body="",
        group_id=group,
        params={
            "room": {"ja": "和室", "en": "Japanese-style Room"},
            "date": datetime(2026, 12, 1, 3, tzinfo=UTC).date(),
        },
    )
    notice = await Notice.select().first()
    assert "令和8年12月1日" in notice["subject_ja"] and "和室" in notice["subject_ja"]
    assert "1 Dec 2026" in notice["subject_en"] and "Japanese-style Room" in notice["subject_en"]
    assert await Group.count() == 1
