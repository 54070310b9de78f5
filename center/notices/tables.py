"""Notices to groups, users and people without accounts (an inbox), and the e-mail outbox that
delivers them after the change commits, retrying on failure."""

from piccolo.columns import ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from center.accounts.tables import Group, User


class Notice(Table, tablename="center_notice"):
    """One notice, written in the same transaction as the change it announces, in both languages."""

    group = ForeignKey(Group, null=True, default=None)
    user = ForeignKey(User, null=True, default=None)
    email = Varchar(length=200, default="")  # for people without an account (e.g. volunteers)
    kind = Varchar(length=40)
    subject_ja = Varchar(length=300)
    subject_en = Varchar(length=300, default="")
    body_ja = Text(default="")
    body_en = Text(default="")
    link = Varchar(length=300, default="")
    entity = Varchar(length=40, default="")
    entity_id = Varchar(length=40, default="")
    created_at = Timestamptz()
    read_at = Timestamptz(null=True, default=None)


class OutboxMessage(Table, tablename="center_outbox"):
    """An e-mail waiting to be sent (or sent). Retried with back-off; never blocks a change."""

    notice = ForeignKey(Notice, null=True, default=None)
    to_address = Varchar(length=200)
    subject = Varchar(length=300)
    body = Text(default="")
    status = Varchar(length=20, default="pending")  # pending | sent | failed (gave up)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz()
    last_error = Text(default="")
    sent_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
