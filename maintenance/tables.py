"""The building's condition: places, tickets with their timeline and photos, public problem
reports, room closures (which hold ledger time), recurring inspections and renovation projects."""

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from center.accounts.tables import User
from center.places.tables import Room


class Location(Table, tablename="maintenance_location"):
    """A room or a common area (entrance, a floor's toilets, the elevator, the flower beds ...).
    Managers edit the list."""

    code = Varchar(length=40, unique=True)
    name_ja = Varchar(length=120)
    name_en = Varchar(length=120)
    floor = SmallInt(null=True, default=None)
    room = ForeignKey(Room, null=True, default=None)
    sort_order = Integer(default=0)
    active = Boolean(default=True)


class Project(Table, tablename="maintenance_project"):
    """A renovation project (改修), e.g. "the 2F toilet becomes an accessible toilet"."""

    title_ja = Varchar(length=200)
    title_en = Varchar(length=200, default="")
    summary_ja = Text(default="")
    summary_en = Text(default="")
    barrier_free = Boolean(default=True)
    status = Varchar(length=20, default="planned")  # planned, in_progress, done
    budget = Integer(default=0)  # yen
    planned_on = Date(null=True, default=None)
    completed_on = Date(null=True, default=None)
    public = Boolean(default=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Inspection(Table, tablename="maintenance_inspection"):
    """A recurring preventive check that opens a ticket each time it falls due (fixed schedule)."""

    title_ja = Varchar(length=200)
    title_en = Varchar(length=200, default="")
    location = ForeignKey(Location)
    every = SmallInt(default=1)
    unit = Varchar(length=10, default="month")  # week, month
    season_from = SmallInt(null=True, default=None)  # months in season (inclusive), None: all year
    season_to = SmallInt(null=True, default=None)
    next_due = Date()
    lead_days = SmallInt(default=7)  # the ticket opens this many days before it is due
    active = Boolean(default=True)
    last_done = Date(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()  # any change, its next due date included (the facilities feed's Last-Modified)


class Ticket(Table, tablename="maintenance_ticket"):
    """A piece of work on the building, with its workflow state, cost and who does it."""

    title = Varchar(length=200)
    description = Text(default="")
    category = Varchar(length=20)
    location = ForeignKey(Location)
    priority = Varchar(length=10, default="normal")
    due_on = Date(null=True, default=None)
    status = Varchar(length=20, default="new")
    reject_reason = Text(default="")
    assignee = ForeignKey(User, null=True, default=None)
    contractor = Varchar(length=200, default="")
    contractor_contact = Varchar(length=200, default="")
    access_times = Varchar(length=300, default="")
    estimated_cost = Integer(null=True, default=None)
    actual_cost = Integer(null=True, default=None)
    accessibility_feature = Varchar(
        length=30, default=""
    )  # elevator, accessible_toilet, ramp, automatic_door
    project = ForeignKey(Project, null=True, default=None)
    inspection = ForeignKey(Inspection, null=True, default=None)
    inspection_due = Date(null=True, default=None)
    created_by = ForeignKey(User, null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    resolved_at = Timestamptz(null=True, default=None)


class TicketEvent(Table, tablename="maintenance_ticket_event"):
    """One line of a ticket's timeline: every change, comment, photo and closure."""

    ticket = ForeignKey(Ticket)
    at = Timestamptz()
    actor = ForeignKey(User, null=True, default=None)
    actor_name = Varchar(length=120, default="")
    kind = Varchar(length=20)  # created, status, edit, assign, comment, photo, closure, report
    from_status = Varchar(length=20, default="")
    to_status = Varchar(length=20, default="")
    note = Text(default="")
    changes = JSON(default="{}")


class Report(Table, tablename="maintenance_report"):
    """A citizen's problem report (no account needed). Contact details are for staff only."""

    reference = Varchar(length=20, unique=True)
    location = ForeignKey(Location)
    description = Text()
    contact_name = Varchar(length=120, default="")
    contact_email = Varchar(length=200, default="")
    contact_phone = Varchar(length=40, default="")
    status = Varchar(length=20, default="received")  # received, accepted, merged, declined
    ticket = ForeignKey(Ticket, null=True, default=None)
    staff_note = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ReportEvent(Table, tablename="maintenance_report_event"):
    """One step of a report's public history, as its reporter sees it: received, accepted, in
    progress, done (or closed without work), with the date and a note the staff wrote for the
    public. Staff-only details stay on the ticket's own timeline."""

    report = ForeignKey(Report)
    at = Timestamptz()
    state = Varchar(length=20)  # a key of maintenance.reports.PUBLIC_STATES
    note = Text(default="")
    actor = ForeignKey(User, null=True, default=None)


class Photo(Table, tablename="maintenance_photo"):
    """A checked, re-encoded photo (no metadata) with its thumbnail, on a ticket or a report."""

    ticket = ForeignKey(Ticket, null=True, default=None)
    report = ForeignKey(Report, null=True, default=None)
    filename = Varchar(length=120)
    thumbnail = Varchar(length=120)
    caption = Varchar(length=200, default="")
    uploaded_by = ForeignKey(User, null=True, default=None)
    created_at = Timestamptz()


class Closure(Table, tablename="maintenance_closure"):
    """A room closed for work: one ledger hold (kind "closure") per closure."""

    ticket = ForeignKey(Ticket)
    room = ForeignKey(Room)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    hold = Integer(null=True, default=None)
    active = Boolean(default=True)
    reason = Varchar(length=300, default="")
    created_by = ForeignKey(User, null=True, default=None)
    created_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)


class ClosureEffect(Table, tablename="maintenance_closure_effect"):
    """What a closure did to something that held its room: a booking or a screening moved (to
    `moved_room` at `moved_starts_at`) or cancelled, with its title and time as they were, so
    the ticket keeps the record."""

    closure = ForeignKey(Closure)
    kind = Varchar(length=20)  # booking | screening
    ref = Integer()
    action = Varchar(length=20)  # moved | cancelled
    title = Varchar(length=200, default="")
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    moved_room = ForeignKey(Room, null=True, default=None)
    moved_starts_at = Timestamptz(null=True, default=None)
