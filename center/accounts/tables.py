"""People, groups (団体), sessions, login throttling, the public forms' rate limit and the audit log."""

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class User(Table, tablename="center_user"):
    """An account. Visitors need none."""

    username = Varchar(length=80, unique=True)
    display_name = Varchar(length=120)
    email = Varchar(length=200, default="")
    phone = Varchar(length=40, default="")
    password_hash = Varchar(length=255)
    active = Boolean(default=True)
    language = Varchar(length=5, default="ja")
    created_at = Timestamptz()
    password_changed_at = Timestamptz()
    last_login_at = Timestamptz(null=True, default=None)


class UserRole(Table, tablename="center_user_role"):
    """A staff role held by a user: front_desk, facilities or manager. Being a member of an
    approved group gives the member role; it is not stored here."""

    user = ForeignKey(User, null=False)
    role = Varchar(length=20)


class Group(Table, tablename="center_group"):
    """A citizen group registered to book rooms."""

    name = Varchar(length=200)
    name_kana = Varchar(length=200, default="")
    representative = Varchar(length=120)
    contact_phone = Varchar(length=40, default="")
    contact_email = Varchar(length=200, default="")
    address = Varchar(length=300, default="")
    activity = Text(default="")
    member_count = Integer(default=0)
    reduction = Varchar(length=20, default="none")  # none | welfare | public_interest
    in_city = Boolean(default=True)
    commercial = Boolean(default=False)
    status = Varchar(length=20, default="pending")  # pending | approved | declined | suspended
    decision_reason = Text(default="")
    decided_at = Timestamptz(null=True, default=None)
    decided_by = Integer(null=True, default=None)
    applied_at = Timestamptz()
    updated_at = Timestamptz()


class GroupMember(Table, tablename="center_group_member"):
    """A user who may book for a group."""

    group = ForeignKey(Group, null=False)
    user = ForeignKey(User, null=False)
    is_representative = Boolean(default=False)


class SessionRecord(Table, tablename="center_session"):
    """Server-side session data, shared by every app process."""

    key = Varchar(length=128, unique=True)
    data = Text()
    expires_at = Timestamptz(null=True, default=None)


class LoginAttempt(Table, tablename="center_login_attempt"):
    """Failed logins, counted per user name and address to rate-limit guessing."""

    username = Varchar(length=80, index=True)
    address = Varchar(length=64, default="")
    attempted_at = Timestamptz()


class RateEvent(Table, tablename="center_rate_event"):
    """One accepted submission of a public form, per bucket (which form) and key (the client
    address), kept in the database so every app process sees the same limit. Rows older than
    the limit's window are pruned as new ones come in. The (bucket, key, at) index is made by a
    raw migration (Piccolo has no multi-column index)."""

    bucket = Varchar(length=40)
    key = Varchar(length=64)
    at = Timestamptz()


class AuditEntry(Table, tablename="center_audit"):
    """Who changed what, when, with the record before and after."""

    at = Timestamptz()
    actor_id = Integer(null=True, default=None)
    actor_name = Varchar(length=120, default="")
    action = Varchar(length=60)
    entity = Varchar(length=60)
    entity_id = Varchar(length=60, default="")
    before = JSON(null=True, default=None)
    after = JSON(null=True, default=None)
    note = Text(default="")
