"""Notices: written in the same transaction as the change they announce, shown in the recipient's
inbox, and e-mailed through the outbox when SMTP is configured. Delivery happens afterwards
(center/notices/delivery.py) and is retried with back-off, so a mail failure never loses or blocks a
change."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from center.accounts.tables import Group, GroupMember, User
from center.lib.dates import format_date, format_datetime
from center.lib.i18n import current_locale, gettext
from center.lib.prepared import PreparedInsert
from center.lib.settings import get_settings
from center.notices.tables import Notice, OutboxMessage


def _render(msgid: str, params: dict[str, Any], locale: str) -> str:
    """A message in one locale; dates in that locale's form, {"ja","en"} pairs picked."""
    token = current_locale.set(locale)
    try:
        values = {}
        for key, value in params.items():
            if isinstance(value, datetime):
                values[key] = format_datetime(value)
            elif isinstance(value, date):
                values[key] = format_date(value)
            elif isinstance(value, dict) and "ja" in value:
                values[key] = value.get(locale) or value["ja"]
            else:
                values[key] = value
        return gettext(msgid, **values)
    finally:
        current_locale.reset(token)


# Every notice goes through here (center.lib.prepared).
_INSERT_NOTICE = PreparedInsert(Notice, returning=(Notice.id,))


async def notify(
    *,
    kind: str,
    subject: str,
    body: str,
    params: dict[str, Any] | None = None,
    group_id: int | None = None,
    user_id: int | None = None,
    email: str = "",
    link: str = "",
    entity: str = "",
    entity_id: Any = "",
) -> int:
    """Write a notice (subject and body are English msgids; params fill them). Call it inside the
    transaction that makes the change. Queues e-mail to the recipients when SMTP is configured."""
    params = params or {}
    now = datetime.now(UTC)
    rows = await _INSERT_NOTICE.run(
        {
            "group": group_id,
            "user": user_id,
            "email": email,
            "kind": kind,
            "subject_ja": _render(subject, params, "ja")[:300],
            "subject_en": _render(subject, params, "en")[:300],
            "body_ja": _render(body, params, "ja"),
            "body_en": _render(body, params, "en"),
            "link": link,
            "entity": entity,
            "entity_id": str(entity_id),
            "created_at": now,
        }
    )
    notice_id = rows[0]["id"]
    settings = get_settings()
    if settings.smtp_host:
        for address, locale in await _recipients(group_id, user_id, email):
            text_body = _render(body, params, locale)
            if link:
                text_body += f"\n\n{settings.base_url}{link}"
            await OutboxMessage.insert(
                OutboxMessage(
                    notice=notice_id,
                    to_address=address,
                    subject=_render(subject, params, locale)[:300],
                    body=text_body,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    return notice_id


async def _recipients(group_id: int | None, user_id: int | None, email: str) -> list[tuple[str, str]]:
    """(address, language) for everyone a notice reaches by e-mail, once each."""
    found: dict[str, str] = {}
    if email:
        found[email] = "ja"
    if group_id is not None:
        group = await Group.select(Group.contact_email).where(Group.id == group_id).first()
        if group and group["contact_email"]:
            found.setdefault(group["contact_email"], "ja")
        members = await GroupMember.select(
            GroupMember.user.email.as_alias("email"), GroupMember.user.language.as_alias("language")
        ).where((GroupMember.group == group_id) & (GroupMember.user.active == True))
        for member in members:
            if member["email"]:
                found[member["email"]] = member["language"] or "ja"
    if user_id is not None:
        user = await User.select(User.email, User.language).where(User.id == user_id).first()
        if user and user["email"]:
            found[user["email"]] = user["language"] or "ja"
    return list(found.items())


async def inbox(
    *, group_ids: tuple[int, ...] = (), user_id: int | None = None, limit: int = 100
) -> list[dict]:
    """Notices for a user and their groups, newest first."""
    where = Notice.user == (user_id if user_id is not None else -1)
    if group_ids:
        where = where | Notice.group.is_in(list(group_ids))
    return await Notice.select().where(where).order_by(Notice.created_at, ascending=False).limit(limit)


async def mark_read(notice_ids: list[int]) -> None:
    if notice_ids:
        await Notice.update({Notice.read_at: datetime.now(UTC)}).where(
            Notice.id.is_in(notice_ids) & Notice.read_at.is_null()
        )
