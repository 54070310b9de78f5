"""The JSON API's shapes for rooms and the calendar (msgspec Structs, so they appear in the
OpenAPI schema). Names are given in both languages; `name` follows the request's language."""

from __future__ import annotations

import msgspec


class EquipmentOut(msgspec.Struct):
    code: str
    label: str


class AccessibilityOut(msgspec.Struct):
    step_free: bool  # reachable without steps today, not only by design
    step_free_by_design: bool  # the building has a step-free route when everything works
    step_free_reason: str | None  # why not today, when the route is out of order
    step_free_until: str | None  # YYYY-MM-DD: when it is expected back, if known
    accessible_toilet_m: int | None
    hearing_loop: bool
    notes: str


class SlotFeeOut(msgspec.Struct):
    slot: str
    name: str
    starts: str  # "09:00", Asia/Tokyo wall-clock time
    ends: str
    fee: int  # yen
    heating_fee: int  # yen, added in the heating season


class RoomOut(msgspec.Struct):
    code: str
    name: str
    name_ja: str
    name_en: str
    floor: int
    capacity: int
    area_m2: float | None
    description: str
    equipment: list[EquipmentOut]
    accessibility: AccessibilityOut
    bookable: bool
    booked_by: str  # "slot" or "hour"
    hourly_fee: int
    hourly_heating_fee: int
    slot_fees: list[SlotFeeOut]
    heating_months: list[int]
    url: str
    photo_url: str | None


class SlotPeriodOut(msgspec.Struct):
    slot: str
    name: str
    starts_at: str  # UTC instant, ISO 8601
    ends_at: str


class DayOut(msgspec.Struct):
    date: str
    open: bool
    opens: str | None  # "09:00", Asia/Tokyo
    closes: str | None
    holiday: str | None
    closed_kind: str | None  # "closed_day", "weekly" or "holiday"
    closed_reason: str | None
    slots: list[SlotPeriodOut]


class CalendarOut(msgspec.Struct):
    start: str = msgspec.field(name="from")
    end: str = msgspec.field(name="to")
    timezone: str = "Asia/Tokyo"
    days: list[DayOut] = msgspec.field(default_factory=list)
