"""A mail outage: with the SMTP server (aiosmtpd) stopped, notices queue and the head of the queue
retries with back-off, recorded and shown on the jobs page; restarted on the same port, the queue
is delivered exactly once each, in the order the notices were written. A refusal of one message
alone (5xx, 4xx) does not hold the others back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller

from center.lib.db import write_transaction
from center.lib.settings import get_settings
from center.notices.delivery import BACKOFF, deliver_due, message_id, outage_wait
from center.notices.service import notify
from center.notices.tables import OutboxMessage
from tests.center.test_notices import free_port
from tests.helpers import login, make_user

pytestmark = pytest.mark.anyio


class Mailbox:
    """Keeps every message; refuses recipients named bounce@ (550) and busy@ (450)."""

    def __init__(self) -> None:
        self.message_ids: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("bounce@"):
            return "550 5.1.1 No such user"
        if address.startswith("busy@"):
            return "450 4.2.1 Mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.message_ids.append(message_from_bytes(envelope.content)["Message-ID"])
        return "250 OK"


@pytest.fixture
def mail_server(monkeypatch):
    """A controller for a real SMTP server on a fixed port, which the test stops and starts."""
    port = free_port()
    mailbox = Mailbox()
    monkeypatch.setenv("CENTER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CENTER_SMTP_PORT", str(port))
    get_settings.cache_clear()
    servers: list[Controller] = []

    class Server:
        box = mailbox

        def start(self) -> None:
            servers.append(Controller(mailbox, hostname="127.0.0.1", port=port))
            servers[-1].start()

        def stop(self) -> None:
            servers[-1].stop()

    yield Server()
    for server in servers:
        if server._thread is not None:
            server.stop()
    monkeypatch.undo()
    get_settings.cache_clear()


async def _notices(first: int, count: int, address: str = "person{n}@example.jp") -> None:
    for n in range(first, first + count):
        async with write_transaction():
            await notify(
                kind="test",
                subject="Notice %(n)s",
                body="Body %(n)s",
                params={"n": n},
                email=address.format(n=n),
            )


async def _ids_in_order() -> list[str]:
    return [
        message_id(row) for row in await OutboxMessage.select(OutboxMessage.id).order_by(OutboxMessage.id)
    ]


async def test_an_outage_queues_mail_and_the_queue_drains_in_order_exactly_once(client, mail_server):
    mail_server.start()
    await _notices(1, 2)
    assert await deliver_due() == {"sent": 2, "retried": 0, "failed": 0}

    mail_server.stop()
    await _notices(3, 3)
    now = datetime.now(UTC)
    assert await deliver_due(now) == {"sent": 0, "retried": 1, "failed": 0}
    await _notices(6, 2)  # written during the outage: they queue behind the others
    for attempt in range(2, 6):  # the scheduler's passes: the head retries on its back-off
        assert await deliver_due(now + outage_wait(attempt - 1) / 2) == {"sent": 0, "retried": 0, "failed": 0}
        now += outage_wait(attempt - 1)
        assert await deliver_due(now) == {"sent": 0, "retried": 1, "failed": 0}
    unsent = await OutboxMessage.select().where(OutboxMessage.status == "pending").order_by(OutboxMessage.id)
    head, *behind = unsent
    assert head["attempts"] == 5 and "Connection refused" in head["last_error"]
    assert head["next_attempt_at"] == now + outage_wait(5) == now + timedelta(minutes=15)  # capped
    assert [row["attempts"] for row in behind] == [0, 0, 0, 0]

    await make_user("manager1", ("manager",))
    await login(client, "manager1")
    page = (await client.get("/manage/jobs")).text
    assert "メール送信待ち" in page and "Connection refused" in page and "person3@example.jp" in page

    mail_server.start()  # back on the same port
    later = now + outage_wait(5)
    results = await asyncio.gather(*(deliver_due(later) for _ in range(4)))  # passes racing each other
    results.append(await deliver_due(later))
    assert sum(result["sent"] for result in results) == 5
    assert mail_server.box.message_ids == await _ids_in_order()  # each once, in the order written
    assert await OutboxMessage.count().where(OutboxMessage.status != "sent") == 0


async def test_one_refused_message_does_not_hold_back_the_queue(db, mail_server):
    mail_server.start()
    await _notices(1, 1)
    await _notices(2, 1, address="bounce@example.jp")
    await _notices(3, 1, address="busy@example.jp")
    await _notices(4, 1)
    assert await deliver_due() == {"sent": 2, "retried": 1, "failed": 1}
    rows = {row["to_address"]: row for row in await OutboxMessage.select()}
    assert (
        rows["bounce@example.jp"]["status"] == "failed" and "550" in rows["bounce@example.jp"]["last_error"]
    )
    assert rows["busy@example.jp"]["status"] == "deferred" and rows["busy@example.jp"]["attempts"] == 1
    assert rows["person4@example.jp"]["status"] == "sent"
    now = datetime.now(UTC)
    for _ in BACKOFF:  # still busy at every retry: set aside, then given up
        now += timedelta(days=1)
        await deliver_due(now)
    busy = await OutboxMessage.select().where(OutboxMessage.to_address == "busy@example.jp").first()
    assert busy["status"] == "failed" and busy["attempts"] == len(BACKOFF) + 1
    assert len(mail_server.box.message_ids) == 2
