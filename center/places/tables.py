"""Rooms and the center's calendar: opening hours, closed days and the bookable slots (区分)."""

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    SmallInt,
    Text,
    Time,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class Room(Table, tablename="center_room"):
    """A bookable space with its facts, accessibility and booking mode."""

    code = Varchar(length=40, unique=True)
    name_ja = Varchar(length=120)
    name_en = Varchar(length=120)
    floor = SmallInt()
    capacity = Integer()
    area_m2 = Numeric(digits=(7, 1), null=True, default=None)
    description_ja = Text(default="")
    description_en = Text(default="")
    equipment = JSON(default="[]")  # list of equipment codes, see center.places.equipment
    step_free = Boolean(default=True)
    accessible_toilet_m = Integer(null=True, default=None)  # walking distance to the nearest
    hearing_loop = Boolean(default=False)
    accessibility_notes_ja = Text(default="")
    accessibility_notes_en = Text(default="")
    photo = Varchar(length=255, null=True, default=None)
    bookable = Boolean(default=True)
    booked_by = Varchar(length=10, default="slot")  # "slot" or "hour"
    hourly_fee = Integer(default=0)
    hourly_heating_fee = Integer(default=0)
    sort_order = Integer(default=0)
    updated_at = Timestamptz()


class Slot(Table, tablename="center_slot"):
    """A bookable period of the day (区分), e.g. 午前 9:00–12:00."""

    code = Varchar(length=20, unique=True)
    name_ja = Varchar(length=40)
    name_en = Varchar(length=40)
    starts = Time()
    ends = Time()
    sort_order = Integer(default=0)
    active = Boolean(default=True)


class RoomSlotFee(Table, tablename="center_room_slot_fee"):
    """A room is booked by these slots at these fees (yen). The heating fee (暖房料) is charged in
    the heating season only."""

    room = ForeignKey(Room, null=False)
    slot = ForeignKey(Slot, null=False)
    fee = Integer(default=0)
    heating_fee = Integer(default=0)


class RoomEquipmentFee(Table, tablename="center_room_equipment_fee"):
    """The fee (yen) for using a piece of the room's equipment, charged per slot booked (per hour
    for rooms booked by the hour); equipment without a row is free. One row per room and code."""

    room = ForeignKey(Room, null=False)
    equipment = Varchar(length=40)  # a code of center.places.equipment
    fee = Integer(default=0)


class OpeningHours(Table, tablename="center_opening_hours"):
    """Opening hours per weekday (0 = Monday)."""

    weekday = SmallInt(unique=True)
    opens = Time(null=True, default=None)
    closes = Time(null=True, default=None)
    closed = Boolean(default=False)


class ClosedDay(Table, tablename="center_closed_day"):
    """A closed period (休館日), inclusive dates, e.g. 12/29–1/3 or a maintenance day."""

    starts_on = Date()
    ends_on = Date()
    reason_ja = Varchar(length=200)
    reason_en = Varchar(length=200, default="")
    yearly = Boolean(default=False)  # repeats every year on the same month/day


class CenterProfile(Table, tablename="center_profile"):
    """Center-wide calendar settings: one row."""

    name_ja = Varchar(length=200)
    name_en = Varchar(length=200)
    address_ja = Varchar(length=300, default="")
    phone = Varchar(length=40, default="")
    heating_from_month = SmallInt(default=10)
    heating_to_month = SmallInt(default=4)
    holidays_closed = Boolean(default=False)
    updated_at = Timestamptz()
