"""The building's places that maintenance work refers to."""

from piccolo.columns import Boolean, ForeignKey, Integer, SmallInt, Varchar
from piccolo.table import Table

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
