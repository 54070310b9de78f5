"""The ledger: one table of room holds. The database refuses two active holds that overlap on the
same room (see the raw migration: an exclusion constraint on PostgreSQL, triggers on SQLite)."""

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from center.places.tables import Room


class Hold(Table, tablename="center_hold"):
    """Room time held by a booking, a screening, a closure or a programme. Half-open [starts_at,
    ends_at) in UTC. Released holds stay as history."""

    room = ForeignKey(Room, null=False)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    kind = Varchar(length=20)  # booking | screening | closure | programme
    ref = Integer(null=True, default=None)  # the id of the owning record in its domain
    label = Varchar(length=200, default="")
    active = Boolean(default=True)
    created_at = Timestamptz()
    created_by = Integer(null=True, default=None)
    released_at = Timestamptz(null=True, default=None)
    release_reason = Text(default="")
