"""The JSON API's shapes for availability and bookings (msgspec Structs, so they appear in the
OpenAPI schema at /schema). Instants are UTC in ISO 8601 with a Z; dates and wall-clock times are
Asia/Tokyo. Names follow the request's language (the `lang` cookie; Japanese by default)."""

from __future__ import annotations

import msgspec


class AvailabilityRoomOut(msgspec.Struct):
    code: str
    name: str
    floor: int
    capacity: int
    booked_by: str  # "slot" or "hour"
    step_free: bool  # reachable without steps now (on the first day asked for), not only by design
    step_free_reason: str | None = None  # why not, when the building has a step-free route that is out


class AvailabilitySlotOut(msgspec.Struct):
    code: str
    name: str


class AvailabilityDayOut(msgspec.Struct):
    date: str
    weekday: int  # 0 = Monday
    open: bool
    holiday: str | None
    closed_kind: str | None  # "closed_day", "weekly" or "holiday"
    closed_reason: str | None


class CellOut(msgspec.Struct):
    """One room in one slot of one day. `state` is free, held, closed, past or not_offered. `label`
    says what holds the slot only when that is public (a public event's title, a center programme,
    works); a private booking shows nothing beyond "held"."""

    room: str
    date: str
    slot: str
    starts_at: str
    ends_at: str
    state: str
    state_label: str
    symbol: str
    label: str


class AvailabilityOut(msgspec.Struct):
    start: str = msgspec.field(name="from")
    end: str = msgspec.field(name="to")
    timezone: str = "Asia/Tokyo"
    rooms: list[AvailabilityRoomOut] = msgspec.field(default_factory=list)
    slots: list[AvailabilitySlotOut] = msgspec.field(default_factory=list)
    days: list[AvailabilityDayOut] = msgspec.field(default_factory=list)
    cells: list[CellOut] = msgspec.field(default_factory=list)


class BookingIn(msgspec.Struct, forbid_unknown_fields=True):
    """A booking request. Rooms booked by slot take `slots` (codes of adjacent slots, e.g.
    ["morning", "afternoon"]); rooms booked by the hour take `start` and `end` ("13:00").
    Dates and times are Asia/Tokyo. The same rules apply as to the request form.
    `agree_to_terms` must be true: the group agrees to the terms of use in force (GET /terms),
    whose version the booking records."""

    group_id: int
    room: str
    day: str  # YYYY-MM-DD
    purpose: str
    expected_head_count: int
    slots: list[str] = msgspec.field(default_factory=list)
    start: str | None = None
    end: str | None = None
    public: bool = False
    public_title: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    equipment: list[str] = msgspec.field(default_factory=list)
    commercial: bool = False
    agree_to_terms: bool = False


class CancelIn(msgspec.Struct, forbid_unknown_fields=True):
    """Members cancel within the online deadline (reason optional); staff give a reason."""

    reason: str = ""


class FeesOut(msgspec.Struct):
    room_fee: int  # yen
    equipment_fee: int  # the chosen equipment's fees (附属設備使用料), before surcharges
    heating_fee: int
    surcharge_fee: int
    reduction_fee: int  # taken off (減免)
    total: int
    refund_due: int  # recorded when cancelled


class BookingOut(msgspec.Struct):
    id: int
    request_number: str | None  # 申込番号, e.g. R-2026-00123, from the moment the booking is made
    status: str  # requested | approved | declined | cancelled | lapsed
    status_label: str
    group_id: int
    group_name: str
    room: str
    room_name: str
    date: str  # the day of use, Asia/Tokyo
    starts_at: str
    ends_at: str
    slots: list[str]
    purpose: str
    expected_head_count: int
    public: bool
    public_title: str
    contact_name: str
    contact_phone: str
    equipment: list[str]
    commercial: bool
    fees: FeesOut
    permit_number: str | None
    permit_url: str | None
    lapses_at: str | None  # while the request is open: its decision deadline; null otherwise
    decision_reason: str
    cancelled_at: str | None
    cancel_reason: str
    created_at: str
    updated_at: str
    url: str
    terms_version: int | None = None  # the terms of use agreed to (none: booked by staff)
    terms_agreed_at: str | None = None


class BookingListOut(msgspec.Struct):
    total: int  # matching bookings; at most `limit` are listed
    limit: int
    bookings: list[BookingOut]


class ConflictOut(msgspec.Struct):
    """What holds the time: when, and by what kind of use (never a private group's details)."""

    room: str
    starts_at: str
    ends_at: str
    kind: str
    label: str


class AlternativeOut(msgspec.Struct):
    """A room free for the whole requested time, large enough for the head count."""

    room: str
    name: str
    floor: int
    capacity: int
    availability_url: str


class TakenProblem(msgspec.Struct):
    """409 problem details (RFC 9457) when the time was taken: what holds it and free rooms."""

    type: str
    title: str
    status: int
    detail: str
    conflicts: list[ConflictOut]
    alternatives: list[AlternativeOut]
