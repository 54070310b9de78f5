"""Room bookings by citizen groups. Each booking owns one hold in the ledger."""

from piccolo.columns import (
    JSON,
    Boolean,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    SmallInt,
    Text,
    Time,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from center.accounts.tables import Group, User
from center.ledger.tables import Hold
from center.places.tables import Room


class BookingSeries(Table, tablename="bookings_series"):
    """A recurring booking: weekly, every other week, or monthly by weekday (e.g. the 2nd Tuesday;
    nth = -1 is the last). Every occurrence is its own Booking row with its own state."""

    group = ForeignKey(Group, null=False)
    room = ForeignKey(Room, null=False)
    pattern = Varchar(length=20)  # weekly | biweekly | monthly
    weekday = SmallInt()  # 0 = Monday
    nth = SmallInt(null=True, default=None)  # monthly: 1..5, or -1 for the last
    starts_on = Date()
    ends_on = Date()
    slot_codes = Varchar(length=100, default="")
    start_time = Time(null=True, default=None)  # rooms booked by the hour
    end_time = Time(null=True, default=None)
    purpose = Varchar(length=200)
    expected_head_count = Integer(default=0)
    public = Boolean(default=False)
    public_title = Varchar(length=200, default="")
    contact_name = Varchar(length=120, default="")
    contact_phone = Varchar(length=40, default="")
    status = Varchar(length=20, default="active")  # active | cancelled
    created_by = ForeignKey(User, null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


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
    equipment_fee = Integer(default=0)  # the equipment's fees (附属設備使用料), before surcharges
    fee_total = Integer(default=0)
    surcharge_fee = Integer(default=0)  # added by surcharges (commercial, outside the city)
    reduction_fee = Integer(default=0)  # taken off by the group's fee reduction (減免)
    # The reduction category (welfare | public_interest) the reduction was granted under, as it
    # was when the fee was fixed: the income report groups reductions by it, whatever the group's
    # category becomes later. "none" when nothing was taken off.
    reduction_category = Varchar(length=20, default="none")
    commercial = Boolean(default=False)
    outside_city = Boolean(default=False)
    equipment = JSON(default="[]")
    permit_number = Varchar(length=30, null=True, default=None)  # unique: see the raw migration
    # 申込番号, given when the row is written (R-2026-00123): unique, see the raw migration
    request_number = Varchar(length=20, null=True, default=None)
    lapses_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    cancel_reason = Text(default="")
    refund_due = Integer(default=0)
    override_reason = Text(default="")
    series = ForeignKey(BookingSeries, null=True, default=None)
    occurrence_on = Date(null=True, default=None)
    lottery_entry = Integer(null=True, default=None)  # the LotteryEntry that won this booking
    ical_sequence = Integer(default=0)  # goes up on every time, room or status change
    # The front desk's record of the day (used by the usage reports)
    checked_in_at = Timestamptz(null=True, default=None)
    checked_in_by = Integer(null=True, default=None)
    actual_head_count = Integer(null=True, default=None)
    checked_out_at = Timestamptz(null=True, default=None)
    key_number = Varchar(length=20, default="")
    key_out_at = Timestamptz(null=True, default=None)
    key_returned_at = Timestamptz(null=True, default=None)
    no_show_at = Timestamptz(null=True, default=None)
    desk_note = Text(default="")
    walk_in = Boolean(default=False)
    walk_in_name = Varchar(length=120, default="")  # an unregistered person booking at the desk
    walk_in_phone = Varchar(length=40, default="")
    requested_by = ForeignKey(User, null=True, default=None)
    decided_by = ForeignKey(User, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    decision_reason = Text(default="")
    # The terms of use (BookingTerms.version) the member agreed to on the confirmation step or
    # through the API, and when; empty for bookings staff made on a group's behalf.
    terms_version = Integer(null=True, default=None)
    terms_agreed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class BookingPolicy(Table, tablename="bookings_policy"):
    """The booking rules the manager edits (one row). Staff may override them with a reason."""

    book_from_days = Integer(default=3)  # earliest: this many days ahead
    book_until_months = Integer(default=6)  # latest: this many months ahead
    min_minutes = Integer(default=60)
    max_minutes = Integer(default=720)
    max_future_bookings = Integer(default=20)  # per group, requested or approved, in the future
    tentative_days = Integer(default=10)  # an unapproved request lapses after this many days
    # ... and at the latest at closing time this many days before the day of use (bookings/deadlines.py)
    decide_days_before = Integer(default=3)
    cancel_online_until_days = Integer(default=1)  # a group may cancel online until this many days before
    no_show_grace_minutes = Integer(default=30)  # after this, an unchecked booking may be marked no-show
    lottery_months_ahead = Integer(default=2)  # applications for month M open in month M-2
    lottery_open_day = Integer(default=10)
    lottery_close_day = Integer(default=19)
    lottery_draw_day = Integer(default=20)
    max_head_count_ratio = Integer(default=100)  # percent of capacity allowed
    updated_at = Timestamptz()


class Surcharge(Table, tablename="bookings_surcharge"):
    """A fee multiplier for a kind of use, e.g. commercial use ×2, users from outside the city ×1.5."""

    code = Varchar(length=30, unique=True)  # commercial | outside_city
    name_ja = Varchar(length=100)
    name_en = Varchar(length=100)
    percent = Integer(default=100)  # 200 = ×2, 150 = ×1.5
    active = Boolean(default=True)


class ReductionRate(Table, tablename="bookings_reduction_rate"):
    """The fee reduction (減免) for a group category: percent of the room and heating fee waived."""

    category = Varchar(length=30, unique=True)  # welfare | public_interest
    name_ja = Varchar(length=100)
    name_en = Varchar(length=100)
    room_fee_percent = Integer(default=100)
    heating_fee_percent = Integer(default=0)
    active = Boolean(default=True)


class RefundRule(Table, tablename="bookings_refund_rule"):
    """Cancelled this many days or more before use: this share of each fee is refunded. The rule with
    the largest `min_days_before` not above the actual days applies."""

    min_days_before = Integer()
    room_fee_percent = Integer()
    heating_fee_percent = Integer()


class LotteryRoom(Table, tablename="bookings_lottery_room"):
    """A room whose slots are allocated by lottery (抽選) before first-come booking opens."""

    room = ForeignKey(Room, null=False, unique=True)
    active = Boolean(default=True)


class LotteryRound(Table, tablename="bookings_lottery_round"):
    """The lottery for one month of use: the application window, the draw and its seed, and the
    date by which winners must confirm."""

    month = Varchar(length=7, unique=True)  # "2027-02": the month of use
    opens_on = Date()
    closes_on = Date()
    draw_on = Date()
    confirm_by = Date()
    status = Varchar(length=20, default="open")  # open | drawn
    seed = Varchar(length=64, default="")
    drawn_at = Timestamptz(null=True, default=None)
    drawn_by = ForeignKey(User, null=True, default=None)


class LotteryEntry(Table, tablename="bookings_lottery_entry"):
    """A group's application for one slot of one room on one day; one per group per slot."""

    round = ForeignKey(LotteryRound, null=False)
    group = ForeignKey(Group, null=False)
    room = ForeignKey(Room, null=False)
    day = Date()
    slot_code = Varchar(length=20)
    purpose = Varchar(length=200)
    expected_head_count = Integer(default=0)
    public = Boolean(default=False)
    public_title = Varchar(length=200, default="")
    applied_by = ForeignKey(User, null=True, default=None)
    status = Varchar(length=20, default="applied")  # applied | won | lost | confirmed | forfeited | withdrawn
    booking = ForeignKey(Booking, null=True, default=None)
    created_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)


class Payment(Table, tablename="bookings_payment"):
    """Money taken or paid back at the front desk for a booking; receipts are numbered."""

    booking = ForeignKey(Booking, null=False)
    kind = Varchar(length=10)  # payment | refund
    amount = Integer()  # yen, always positive; the kind says which way it went
    method = Varchar(length=10, default="cash")  # cash | other
    receipt_number = Varchar(length=30, unique=True)
    paid_at = Timestamptz()
    recorded_by = ForeignKey(User, null=True, default=None)
    note = Text(default="")


class PaymentSettings(Table, tablename="bookings_payment_settings"):
    """How and by when groups pay, and what the permit carries (one row, the manager edits it):
    the deadline (this many days before the day of use; 0 = on the day, before use starts), the
    payment instructions shown to members, the ordinance line and the designated manager's seal."""

    pay_days_before = Integer(default=0)
    payment_instructions = Text(default="")
    ordinance_text = Text(default="")
    seal_image = Bytea(null=True, default=None)  # re-encoded PNG or JPEG, see bookings/permit_settings.py
    seal_media_type = Varchar(length=20, default="")
    updated_at = Timestamptz()


class BookingTerms(Table, tablename="bookings_terms"):
    """The terms of use (利用規約) members agree to before requesting a room. Each save by the
    manager adds a new version; the highest version is the current one, and a booking keeps the
    version it was agreed under."""

    version = Integer(unique=True)
    body_ja = Text(default="")
    body_en = Text(default="")
    published_at = Timestamptz()
    published_by = ForeignKey(User, null=True, default=None)
