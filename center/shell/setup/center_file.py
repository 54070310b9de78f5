"""The center file: a TOML description of the center (profile, opening hours, slots, closed days,
rooms with their fees and equipment, maintenance locations, permit text, booking policy, terms of
use), checked completely before anything is written. docs/setup.md documents every key;
center/shell/demo_data/center.toml and docs/samples/center.toml are two examples."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from center.lib.i18n import N_
from center.places.equipment import EQUIPMENT
from center.shell.setup.checks import Checker, Key
from center.shell.setup.toml_text import Problem, parse

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SECTIONS = ("profile", "hours", "slots", "closed_days", "rooms", "locations", "permit", "policy", "terms")
FEE = Key("int", default=0)

PROFILE = {
    "name_ja": Key("text", required=True),
    "name_en": Key("text", default=""),
    "address_ja": Key("text", default="", limit=300),
    "phone": Key("text", default="", limit=40),
    "heating_from_month": Key("int", default=10, low=1, high=12),
    "heating_to_month": Key("int", default=4, low=1, high=12),
    "holidays_closed": Key("bool", default=False),
}
HOURS = {"opens": Key("time", required=True), "closes": Key("time", required=True)}
SLOT = {
    "code": Key("code", required=True, limit=20),
    "name_ja": Key("text", required=True, limit=40),
    "name_en": Key("text", default="", limit=40),
    "starts": Key("time", required=True),
    "ends": Key("time", required=True),
}
CLOSED_DAY = {
    "starts_on": Key("date", required=True),
    "ends_on": Key("date"),
    "reason_ja": Key("text", required=True),
    "reason_en": Key("text", default=""),
    "yearly": Key("bool", default=False),
}
ROOM = {
    "code": Key("code", required=True),
    "name_ja": Key("text", required=True, limit=120),
    "name_en": Key("text", default="", limit=120),
    "floor": Key("int", required=True, low=-9, high=99),
    "capacity": Key("int", required=True, low=1, high=9999),
    "area_m2": Key("number", high=99999.9),
    "description_ja": Key("text", default="", limit=2000),
    "description_en": Key("text", default="", limit=2000),
    "equipment": Key("texts", default=[]),
    "step_free": Key("bool", default=True),
    "accessible_toilet_m": Key("int", high=9999),
    "hearing_loop": Key("bool", default=False),
    "accessibility_notes_ja": Key("text", default="", limit=2000),
    "accessibility_notes_en": Key("text", default="", limit=2000),
    "bookable": Key("bool", default=True),
    "booked_by": Key("text", default="slot"),
    "hourly_fee": FEE,
    "hourly_heating_fee": FEE,
}
ROOM_FEES = ("fees", "heating_fees", "equipment_fees")
LOCATION = {
    "code": Key("code", required=True),
    "name_ja": Key("text", required=True, limit=120),
    "name_en": Key("text", default="", limit=120),
    "floor": Key("int", low=-9, high=99),
}
PERMIT = {
    "ordinance_text": Key("text", default="", limit=300),
    "pay_days_before": Key("int", default=0, high=60),
    "payment_instructions": Key("text", default="", limit=1000),
}
TERMS = {
    "file": Key("text", limit=300),
    "body_ja": Key("text", limit=20000),
    "body_en": Key("text", limit=20000),
}


@dataclass
class CenterConfig:
    """A checked center file, ready to write (center/shell/setup/center_write.py)."""

    profile: dict[str, Any]
    hours: dict[int, dict[str, Any]]  # weekday (0 = Monday) -> opens, closes, closed
    slots: list[dict[str, Any]]
    closed_days: list[dict[str, Any]]
    rooms: list[dict[str, Any]]  # the room's columns plus fees {slot code: (fee, heating)}, equipment_fees
    locations: list[dict[str, Any]]
    permit: dict[str, Any] | None = None
    policy: dict[str, Any] | None = None
    terms: dict[str, str] | None = None


def load_center_file(path: Path) -> tuple[CenterConfig | None, list[Problem]]:
    """Read and check a center file; the config, or None and every problem found."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(None, "", N_("The file cannot be read: %(error)s"), {"error": str(exc)})]
    return check_center_text(text, path.parent)


def check_center_text(text: str, folder: Path) -> tuple[CenterConfig | None, list[Problem]]:
    source, problems = parse(text)
    if source is None:
        return None, problems
    check = Checker(source)
    data = source.data
    for name in data:
        if name not in SECTIONS:
            check.add((name,), N_("Unknown section: check its spelling against docs/setup.md."))
    for name in ("profile", "hours", "slots", "rooms"):
        if name not in data:
            check.add((name,), N_("The section [%(name)s] is required."), name=name)
    profile = check.table(("profile",), data.get("profile", {}), PROFILE)
    hours = _hours(check, data.get("hours", {}))
    slots = check.tables("slots", data.get("slots"), SLOT)
    open_days = [day for day in hours.values() if not day["closed"] and day["opens"] and day["closes"]]
    for index, slot in enumerate(slots):
        if not (slot["starts"] and slot["ends"]):
            continue
        if slot["ends"] <= slot["starts"]:
            check.add(("slots", index, "ends"), N_("The end must be after the start."))
        elif open_days and not any(_within(slot, day) for day in open_days):
            check.add(("slots", index, "starts"), N_("The slot lies outside the opening hours of every day."))
    closed_days = check.tables("closed_days", data.get("closed_days"), CLOSED_DAY)
    for index, day in enumerate(closed_days):
        day["ends_on"] = day["ends_on"] or day["starts_on"]
        if day["starts_on"] and day["ends_on"] < day["starts_on"]:
            check.add(("closed_days", index, "ends_on"), N_("The last day must not be before the first."))
    rooms = check.tables("rooms", data.get("rooms"), ROOM, extra=ROOM_FEES)
    for index, room in enumerate(rooms):
        _room(check, index, room, data["rooms"][index], [slot["code"] for slot in slots])
    locations = check.tables("locations", data.get("locations"), LOCATION)
    room_locations = {f"room-{room['code']}" for room in rooms}
    for index, place in enumerate(locations):
        if place["code"] in room_locations:
            check.add(("locations", index, "code"), N_("Codes room-<room code> are kept for the rooms."))
    permit = check.table(("permit",), data["permit"], PERMIT) if "permit" in data else None
    policy = _policy(check, data["policy"]) if "policy" in data else None
    terms = _terms(check, data["terms"], folder) if "terms" in data else None
    if check.problems:
        return None, sorted(check.problems, key=lambda problem: problem.line or 0)
    config = CenterConfig(profile, hours, slots, closed_days, rooms, locations, permit, policy, terms)
    return config, []


def _hours(check: Checker, value: Any) -> dict[int, dict[str, Any]]:
    """Every weekday's hours: the defaults, a day's own [hours.sat], closed_weekdays."""
    if not isinstance(value, dict):
        check.add(("hours",), N_("Expected a table of keys and values."))
        return {}
    default = check.table(("hours",), value, HOURS, extra=("closed_weekdays", *WEEKDAYS))
    days = {weekday: {**default, "closed": False} for weekday in range(7)}
    closed = value.get("closed_weekdays", [])
    if not isinstance(closed, list) or any(day not in WEEKDAYS for day in closed):
        check.add(
            ("hours", "closed_weekdays"), N_("Expected weekdays from: %(days)s."), days=", ".join(WEEKDAYS)
        )
        closed = []
    for weekday, name in enumerate(WEEKDAYS):
        if name in value:
            days[weekday] = {**check.table(("hours", name), value[name], HOURS), "closed": False}
        if name in closed:
            days[weekday] = {"opens": None, "closes": None, "closed": True}
    for weekday, day in days.items():
        if day["opens"] and day["closes"] and day["closes"] <= day["opens"]:
            path = (
                ("hours", WEEKDAYS[weekday], "closes") if WEEKDAYS[weekday] in value else ("hours", "closes")
            )
            check.add(path, N_("The closing time must be after the opening time."))
    return days


def _slot_fees(check: Checker, path: tuple, value: Any, slot_codes: list[str]) -> dict[str, int] | None:
    """A list with one fee per slot, in slot order, or a table {slot code: fee}."""
    if value is None:
        return None
    if isinstance(value, list):
        if len(value) != len(slot_codes) or not all(_is_fee(fee) for fee in value):
            check.add(
                path,
                N_("Expected %(count)s fees in yen, one per slot, in slot order."),
                count=len(slot_codes),
            )
            return None
        return dict(zip(slot_codes, value, strict=True))
    if isinstance(value, dict):
        unknown = [code for code in value if code not in slot_codes]
        if unknown:
            check.add(path, N_("Unknown slot: %(codes)s."), codes=", ".join(unknown))
            return None
        if not all(_is_fee(fee) for fee in value.values()):
            check.add(path, N_("Enter a fee in yen as a whole number of 0 or more."))
            return None
        return dict(value)
    check.add(path, N_("Expected %(count)s fees in yen, one per slot, in slot order."), count=len(slot_codes))
    return None


def _is_fee(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 9_999_999


def _room(check: Checker, index: int, room: dict, raw: dict, slot_codes: list[str]) -> None:
    """The room's equipment, booking mode and fees; fills room["fees"] and room["equipment_fees"]."""
    unknown = [code for code in room["equipment"] or [] if code not in EQUIPMENT]
    if unknown:
        check.add(
            ("rooms", index, "equipment"),
            N_("Unknown equipment: %(codes)s. Known codes: %(known)s."),
            codes=", ".join(unknown),
            known=", ".join(EQUIPMENT),
        )
    if room["booked_by"] not in ("slot", "hour"):
        check.add(("rooms", index, "booked_by"), N_('Expected "slot" or "hour".'))
    fees = _slot_fees(check, ("rooms", index, "fees"), raw.get("fees"), slot_codes) or {}
    heating = _slot_fees(check, ("rooms", index, "heating_fees"), raw.get("heating_fees"), slot_codes) or {}
    extra = [code for code in heating if code not in fees]
    if extra:
        check.add(
            ("rooms", index, "heating_fees"),
            N_("A heating fee for a slot without a fee: %(codes)s."),
            codes=", ".join(extra),
        )
    room["fees"] = {code: (fee, heating.get(code, 0)) for code, fee in fees.items()}
    if room["booked_by"] == "slot" and room["bookable"] and not room["fees"] and "fees" not in raw:
        check.add(
            ("rooms", index, "fees"), N_("A room booked by slot needs at least one active slot with a fee.")
        )
    room["equipment_fees"] = {}
    priced = raw.get("equipment_fees", {})
    if not isinstance(priced, dict) or not all(_is_fee(fee) for fee in priced.values()):
        check.add(("rooms", index, "equipment_fees"), N_("Expected a table such as { projector = 500 }."))
    elif missing := [code for code in priced if code not in (room["equipment"] or [])]:
        check.add(
            ("rooms", index, "equipment_fees"),
            N_("A fee for equipment the room does not list: %(codes)s."),
            codes=", ".join(missing),
        )
    else:
        room["equipment_fees"] = {code: fee for code, fee in priced.items() if fee}


def _policy(check: Checker, value: Any) -> dict[str, Any]:
    """The policy's keys and ranges are the booking rules page's (imported only when the file has a
    [policy]: the web module is slow to import, and the demo does without)."""
    from bookings.booking_rules import POLICY_FIELDS

    keys = {name: Key("int", low=low, high=high) for name, (low, high, _msgid) in POLICY_FIELDS.items()}
    given = check.table(("policy",), value, keys)
    policy = {name: number for name, number in given.items() if number is not None}
    if policy.get("min_minutes", 60) > policy.get("max_minutes", 720):
        check.add(("policy", "max_minutes"), N_("The longest booking must not be shorter than the shortest."))
    if policy.get("decide_days_before", 3) > policy.get("book_from_days", 3):
        check.add(
            ("policy", "decide_days_before"),
            N_("Enter no more days than online requests close before the date of use."),
        )
    return policy


def _terms(check: Checker, value: Any, folder: Path) -> dict[str, str] | None:
    """The terms of use, in the file or in another TOML file (`file`, relative to this one)."""
    terms = check.table(("terms",), value, TERMS)
    if terms.get("file"):
        path = folder / terms["file"]
        try:
            with path.open("rb") as handle:
                body = tomllib.load(handle)
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            check.add(("terms", "file"), N_("The file cannot be read: %(error)s"), error=str(exc))
            return None
        terms = {"body_ja": body.get("body_ja"), "body_en": body.get("body_en", "")}
    if not isinstance(terms.get("body_ja"), str) or not terms["body_ja"].strip():
        check.add(("terms", "body_ja"), N_("The terms need body_ja, the text in Japanese."))
        return None
    return {"body_ja": terms["body_ja"].strip(), "body_en": str(terms.get("body_en") or "").strip()}


def _within(slot: dict[str, Any], day: dict[str, Any]) -> bool:
    return day["opens"] <= slot["starts"] and slot["ends"] <= day["closes"]
