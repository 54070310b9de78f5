"""E-mail delivery from the outbox: in order, once each, through outages.

The queue ("pending") goes out strictly in the order the notices were written. When the mail
server cannot be reached, or refuses the connection, the sender or the session (an outage), the
message at the head of the queue records the attempt and its error and waits with back-off, and
everything behind it waits too; when the server is back the queue drains in order. An outage never
makes a message fail: the attempts and the last error show on the managers' jobs page instead.
A refusal of one message alone does not hold the queue: a permanent one (5xx) marks it failed at
once; a temporary one (4xx) sets it aside ("deferred") to be retried on its own back-off schedule,
after which it fails.

Each message is claimed (its next attempt pushed forward, conditionally) before it is sent, and a
pass that loses a claim to another process stops, leaving the queue to that process: two
processes never send the same message, nor overtake each other. Every message carries a stable
Message-ID, so a receiving server can recognise a resend after a crash between sending and
recording it (the one window in which SMTP can deliver twice)."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import anyio.to_thread

from center.lib.settings import get_settings
from center.notices.tables import OutboxMessage

# Waits before the 2nd, 3rd, ... attempt (CENTER_MAIL_BACKOFF changes them). A message set aside
# fails after the last; through an outage the queue's head retries on the same waits, capped at
# OUTAGE_MAX_WAIT, for as long as it lasts.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=12),
)
OUTAGE_MAX_WAIT = timedelta(minutes=15)  # once the server is back, the queue resumes within this
CLAIM = timedelta(minutes=10)  # a claimed message is retried after this if its sender crashed

# The server as a whole is unavailable: the queue waits.
OUTAGE_ERRORS = (
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPNotSupportedError,
)


def classify(exc: BaseException) -> str:
    """ "outage", "deferred" (this message, temporarily) or "failed" (this message, for good)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return "failed" if codes and all(code >= 500 for code in codes) else "deferred"
    if isinstance(exc, OUTAGE_ERRORS):
        return "outage"
    if isinstance(exc, smtplib.SMTPResponseException):
        if exc.smtp_code == 421:  # the server is closing the session
            return "outage"
        return "failed" if exc.smtp_code >= 500 else "deferred"
    return "outage"  # OSError: refused, unreachable, timed out, name not resolved


def schedule() -> tuple[timedelta, ...]:
    """The waits between attempts: CENTER_MAIL_BACKOFF ("1m,5m,15m,1h") or BACKOFF."""
    from center.lib.scheduler.timing import parse_duration

    setting = get_settings().mail_backoff
    return tuple(parse_duration(part) for part in setting.split(",") if part.strip()) or BACKOFF


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt."""
    waits = schedule()
    return waits[min(max(attempts, 1), len(waits)) - 1]


def outage_wait(attempts: int) -> timedelta:
    """The wait of the queue's head after its `attempts`-th attempt failed in an outage."""
    return min(backoff(attempts), OUTAGE_MAX_WAIT)


def message_id(message: dict) -> str:
    domain = get_settings().mail_from.rpartition("@")[2] or "localhost"
    return f"<center-outbox-{message['id']}@{domain}>"


def _send(message: dict) -> None:
    settings = get_settings()
    mail = EmailMessage()
    mail["From"] = settings.mail_from
    mail["To"] = message["to_address"]
    mail["Subject"] = message["subject"]
    mail["Message-ID"] = message_id(message)
    mail.set_content(message["body"])
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(mail)


async def _claim(message: dict, now: datetime) -> bool:
    claimed = (
        await OutboxMessage.update({OutboxMessage.next_attempt_at: now + CLAIM})
        .where(
            (OutboxMessage.id == message["id"])
            & (OutboxMessage.status == message["status"])
            & (OutboxMessage.next_attempt_at == message["next_attempt_at"])
        )
        .returning(OutboxMessage.id)
    )
    return bool(claimed)


async def _attempt(message: dict, now: datetime, counts: dict[str, int]) -> str:
    """Send one message: "sent", "outage", "deferred", "failed", or "taken" by another process."""
    if not await _claim(message, now):
        return "taken"
    attempts = message["attempts"] + 1
    try:
        await anyio.to_thread.run_sync(_send, message)
    except (OSError, smtplib.SMTPException) as exc:
        outcome = classify(exc)
        status, retry_at = "pending", now + outage_wait(attempts)
        if outcome == "deferred" and attempts <= len(schedule()):
            status, retry_at = "deferred", now + backoff(attempts)
        elif outcome != "outage":
            outcome, status, retry_at = "failed", "failed", now
        counts["failed" if status == "failed" else "retried"] += 1
        await OutboxMessage.update(
            {
                OutboxMessage.status: status,
                OutboxMessage.attempts: attempts,
                OutboxMessage.next_attempt_at: retry_at,
                OutboxMessage.last_error: f"{type(exc).__name__}: {exc}"[:1000],
            }
        ).where(OutboxMessage.id == message["id"])
        return outcome
    await OutboxMessage.update(
        {
            OutboxMessage.status: "sent",
            OutboxMessage.attempts: attempts,
            OutboxMessage.sent_at: datetime.now(UTC),
            OutboxMessage.last_error: "",
        }
    ).where(OutboxMessage.id == message["id"])
    counts["sent"] += 1
    return "sent"


async def deliver_due(now: datetime | None = None, limit: int = 50) -> dict[str, int]:
    """One delivery pass: the queue in order until its head must wait, then the deferred ones."""
    now = now or datetime.now(UTC)
    counts = {"sent": 0, "retried": 0, "failed": 0}
    queue = await (
        OutboxMessage.select()
        .where(OutboxMessage.status == "pending")
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    for message in queue:
        if message["next_attempt_at"] > now:
            break  # the queue waits behind its head
        if await _attempt(message, now, counts) in ("outage", "taken"):
            return counts
    deferred = await (
        OutboxMessage.select()
        .where((OutboxMessage.status == "deferred") & (OutboxMessage.next_attempt_at <= now))
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    for message in deferred:
        if await _attempt(message, now, counts) in ("outage", "taken"):
            break
    return counts


async def outbox_overview(limit: int = 50) -> dict:
    """For the jobs page: messages per status, the oldest waiting, and the unsent ones in order."""
    counts = {
        row["status"]: row["count"]
        for row in await OutboxMessage.raw(
            "SELECT status, COUNT(*) AS count FROM center_outbox GROUP BY status"
        )
    }
    waiting = await (
        OutboxMessage.select(
            OutboxMessage.id,
            OutboxMessage.to_address,
            OutboxMessage.subject,
            OutboxMessage.status,
            OutboxMessage.attempts,
            OutboxMessage.next_attempt_at,
            OutboxMessage.last_error,
            OutboxMessage.created_at,
        )
        .where(OutboxMessage.status != "sent")
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return {"counts": counts, "waiting": waiting}
