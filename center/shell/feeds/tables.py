"""Private calendar feed tokens: unguessable, revocable, one per subscription."""

from piccolo.columns import ForeignKey, Integer, Timestamptz, Varchar
from piccolo.table import Table

from center.accounts.tables import User


class FeedToken(Table, tablename="center_feed_token"):
    """A secret that opens one private feed. Only its SHA-256 is stored; the token itself is shown
    once to its owner. Revoked tokens stay as history and answer 404."""

    user = ForeignKey(User, null=True, default=None)  # the owner (None for a volunteer's signup feed)
    token_hash = Varchar(length=64, unique=True)
    kind = Varchar(length=20)  # group | volunteer | desk | facilities
    scope_id = Integer(null=True, default=None)  # e.g. the group id for a group feed
    label = Varchar(length=120, default="")
    language = Varchar(length=5, default="ja")
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
