"""Room bookings by citizen groups. Each booking owns one hold in the ledger."""

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from center.accounts.tables import Group, User
from center.ledger.tables import Hold
from center.places.tables import Room


class Booking(Table, tablename="bookings_booking"):
    """A group's use of a room for one continuous period (one or more adjacent slots)."""

    group = ForeignKey(Group, null=False)
    room = ForeignKey(Room, null=False)
    hold = ForeignKey(Hold, null=True, default=None)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    slot_codes = Varchar(length=100, default="")  # e.g. "morning,afternoon"; empty when by the hour
    purpose = Varchar(length=200)
    public = Boolean(default=False)
    public_title = Varchar(length=200, default="")
    expected_head_count = Integer(default=0)
    contact_name = Varchar(length=120, default="")
    contact_phone = Varchar(length=40, default="")
    status = Varchar(length=20, default="requested")  # requested|approved|declined|cancelled|lapsed
    room_fee = Integer(default=0)
    heating_fee = Integer(default=0)
    fee_total = Integer(default=0)
    requested_by = ForeignKey(User, null=True, default=None)
    decided_by = ForeignKey(User, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    decision_reason = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()
