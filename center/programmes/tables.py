"""Tables of the center's programmes: flower-bed volunteer days (花壇づくり) with their signups,
the volunteer points rule and ledger (介護支援いきいきポイント), and exercise-video screenings
(簡単体操の上映) with their videos and recurring rules."""

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Time, Timestamptz, Varchar
from piccolo.table import Table

from center.places.tables import Room


class FlowerbedDay(Table, tablename="center_flowerbed_day"):
    """A planned day of planting. Capacity counts people (a signup and its companions).
    status: planned | cancelled | held. A postponed day keeps its row with the new date and
    remembers the old one (postponed_from)."""

    title_ja = Varchar(length=200)
    title_en = Varchar(length=200, default="")
    day = Date()
    starts = Time()
    ends = Time()
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    beds = Text(default="")
    meeting_point = Varchar(length=200, default="")
    bring = Text(default="")
    description = Text(default="")
    capacity = Integer()
    rain_plan = Varchar(length=20, default="postpone")  # postpone | cancel
    rain_date = Date(null=True, default=None)
    status = Varchar(length=20, default="planned")
    postponed_from = Date(null=True, default=None)
    change_note = Text(default="")
    beds_planted = Integer(null=True, default=None)
    sequence = Integer(default=0)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class FlowerbedSignup(Table, tablename="center_flowerbed_signup"):
    """One person's signup (with companions) for a day, made without an account. The private
    link's token is stored only as its SHA-256 hash. status: confirmed | waitlisted | cancelled."""

    day = ForeignKey(FlowerbedDay, null=False)
    name = Varchar(length=100)
    phone = Varchar(length=40, default="")
    email = Varchar(length=200, default="")
    contact_key = Varchar(length=220)  # normalised name + phone/email, to refuse duplicates
    age_band = Varchar(length=20)
    volunteer_no = Varchar(length=40, default="")
    companions = Integer(default=0)
    status = Varchar(length=20)
    token_hash = Varchar(length=64, unique=True)
    # The short code a volunteer quotes at the desk or on the phone (center.lib.codes), unique by a
    # partial index in the migration that backfilled it.
    code = Varchar(length=12, default="")
    created_at = Timestamptz()
    promoted_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    attended = Boolean(null=True, default=None)
    minutes = Integer(null=True, default=None)


class PointsRule(Table, tablename="center_points_rule"):
    """The volunteer points rule from a date on; a change adds a row, so past points keep the
    rule they were earned under."""

    effective_from = Date()
    min_age = Integer(default=40)
    points_per_hour = Integer(default=1)
    daily_cap = Integer(default=2)
    yearly_cap = Integer(default=50)
    yen_per_point = Integer(default=100)
    created_at = Timestamptz()
    created_by = Integer(null=True, default=None)


class PointsEntry(Table, tablename="center_points_entry"):
    """Points earned by a registered volunteer for attended hours on a day (one per signup)."""

    volunteer_no = Varchar(length=40)
    volunteer_name = Varchar(length=100)
    signup = ForeignKey(FlowerbedSignup, null=False, unique=True)
    day = Date()
    fiscal_year = Integer()
    minutes = Integer()
    points = Integer()
    rule = ForeignKey(PointsRule, null=True)
    created_at = Timestamptz()


class Video(Table, tablename="center_video"):
    """An exercise video in the library. level: seated | standing."""

    title = Varchar(length=200)
    minutes = Integer()
    level = Varchar(length=20)
    trains = Varchar(length=200, default="")
    staff_notes = Text(default="")
    active = Boolean(default=True)
    created_at = Timestamptz()


class ScreeningRule(Table, tablename="center_screening_rule"):
    """Recurring screenings: weekdays × start times in one room over a date range. Its
    occurrences are written as Screening rows (each with its own hold)."""

    video = ForeignKey(Video, null=False)
    room = ForeignKey(Room, null=False)
    weekdays = Varchar(length=20)  # e.g. "0,2,4" (Monday = 0)
    times = Varchar(length=100)  # e.g. "10:00,14:00"
    starts_on = Date()
    ends_on = Date()
    created_at = Timestamptz()
    created_by = Integer(null=True, default=None)


class Screening(Table, tablename="center_screening"):
    """One screening of a video in a room; holds the room in the ledger while scheduled.
    status: scheduled | cancelled."""

    rule = ForeignKey(ScreeningRule, null=True)
    video = ForeignKey(Video, null=False)
    room = ForeignKey(Room, null=False)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    hold_id = Integer(null=True, default=None)
    status = Varchar(length=20, default="scheduled")
    attendance = Integer(null=True, default=None)
    sequence = Integer(default=0)
    created_at = Timestamptz()
    updated_at = Timestamptz()
