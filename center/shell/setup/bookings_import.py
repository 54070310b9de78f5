"""`center import bookings FILE.csv`: the bookings already promised on paper, as approved bookings.
Every row goes the way of a staff booking on a group's behalf: checked against the room, the
calendar and the capacity (bookings.rules.check_request; the manager's policy limits are
overridden, as staff may), priced (bookings.fees) and written with its hold through the ledger
(bookings.service.insert_booking), each row under its own savepoint. So a clash with another row,
an existing booking, a screening or a closure is refused by the ledger and named. The whole file
runs in one transaction, rolled back unless `apply` is given and every row is new."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from pathlib import Path

from bookings.rules import BookingRequest, check_request
from bookings.service import insert_booking, permit_number, price
from bookings.tables import Booking
from center.accounts import audit
from center.accounts.actors import ActorRef
from center.accounts.tables import Group
from center.ledger.service import HoldConflict, HoldInfo
from center.lib.dates import to_local
from center.lib.db import get_engine, write_transaction
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_, gettext, pick
from center.places.equipment import EQUIPMENT, label_pair
from center.places.tables import Room, Slot
from center.shell.setup.csv_read import Column, CsvRow, clean, read_csv
from center.shell.setup.report import CLASH, NEW, REFUSED, ImportReport, RowOutcome, labelled

COLUMNS = (
    Column("group", "団体名", "Group name", required=True),
    Column("room", "部屋", "Room", required=True),
    Column("day", "利用日", "Date", required=True),
    Column("slots", "区分", "Slots"),
    Column("start", "開始", "Start"),
    Column("end", "終了", "End"),
    Column("purpose", "利用目的", "Purpose", required=True),
    Column("expected_head_count", "人数", "People", required=True),
    Column("public_title", "公開タイトル", "Public title"),
    Column("contact_name", "連絡先氏名", "Contact name"),
    Column("contact_phone", "連絡先電話", "Contact phone"),
    Column("equipment", "備品", "Equipment"),
)
SEPARATORS = re.compile(r"[、,・/+]+")
DATE_FORMS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
)
FIELD_COLUMNS = {  # check_request's field -> the column it is about
    "day": "day",
    "slots": "slots",
    "start": "start",
    "end": "end",
    "purpose": "purpose",
    "expected_head_count": "expected_head_count",
    "public_title": "public_title",
    "contact_name": "contact_name",
    "contact_phone": "contact_phone",
    "equipment": "equipment",
    "group": "group",
    "room": "room",
}
IMPORT_ACTOR = ActorRef(id=None, display_name="center import bookings", staff=True)


class _Discard(Exception):
    """Raised to roll back the import's transaction (a dry run, or a row refused)."""


def _reason(key: str, message: str, **params: object) -> str:
    """The column and what is wrong with it, in the user's language (`message` an English msgid)."""
    label = next(column.label() for column in COLUMNS if column.key == key)
    return labelled(label, gettext(message, **params))


def parse_day(text: str) -> date | None:
    value = clean(text)
    for form in DATE_FORMS:
        if match := form.fullmatch(value):
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    return None


def parse_time(text: str) -> time | None:
    match = re.fullmatch(r"(\d{1,2})[:：](\d{2})", clean(text))
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        return None
    return time(int(match.group(1)), int(match.group(2)))


class _Lookups:
    """Groups, rooms, slots and equipment by every name a sheet may use for them."""

    def __init__(self, groups: list[dict], rooms: list[dict], slots: list[dict]) -> None:
        self.groups = {clean(group["name"]): group for group in groups}
        self.rooms: dict[str, dict] = {}
        for room in rooms:
            for name in (room["code"], room["name_ja"], room["name_en"]):
                if name:
                    self.rooms.setdefault(clean(name).lower(), room)
        self.slots: dict[str, str] = {}
        for slot in slots:
            for name in (slot["code"], slot["name_ja"], slot["name_en"]):
                if name:
                    self.slots.setdefault(clean(name).lower(), slot["code"])
        self.equipment: dict[str, str] = {}
        for code in EQUIPMENT:
            for name in (code, *label_pair(code).values()):
                self.equipment.setdefault(clean(name).lower(), code)
        self.slot_names = "、".join(pick(slot["name_ja"], slot["name_en"]) for slot in slots)
        self.room_names = "、".join(pick(room["name_ja"], room["name_en"]) for room in rooms)


async def import_bookings(path: Path, *, apply: bool) -> ImportReport:
    table, problems = read_csv(path, COLUMNS)
    report = ImportReport(path.name, table.encoding if table else "", problems=problems)
    if table is None:
        return report
    try:
        async with write_transaction():
            lookups = _Lookups(
                await Group.select(),
                await Room.select().order_by(Room.sort_order),
                await Slot.select().where(Slot.active == True).order_by(Slot.sort_order),
            )
            lines_by_booking: dict[int, int] = {}
            for row in table.rows:
                outcome = await _import_row(row, lookups, lines_by_booking, path.name)
                report.outcomes.append(outcome)
            if not (apply and report.accepted and report.outcomes):
                raise _Discard()
            report.applied = True
    except _Discard:
        pass
    return report


def _summary(row: CsvRow) -> str:
    when = " ".join(value for value in (row.values.get("slots"), row.values.get("start")) if value)
    if row.values.get("end"):
        when += f"–{row.values['end']}"
    return " ".join(
        value for value in (row.values["day"], row.values["room"], when, row.values["group"]) if value
    )


async def _import_row(
    row: CsvRow, lookups: _Lookups, lines_by_booking: dict[int, int], file: str
) -> RowOutcome:
    outcome = RowOutcome(row.line, NEW, _summary(row))
    request, group, room, reasons = _request(row, lookups)
    if reasons:
        outcome.status, outcome.reasons = REFUSED, reasons
        return outcome
    assert request is not None and group is not None and room is not None
    savepoint = await get_engine().current_transaction.get().savepoint()
    try:
        period = await check_request(request, room, group, override=True)
        fee = await price(request, group, room, period)
        now = datetime.now(UTC)
        booking_id = await insert_booking(
            request, group, room, period.starts_at, period.ends_at, period.slot_codes, fee, IMPORT_ACTOR,
            now=now, status="approved", decided_at=now,
        )  # fmt: skip
    except ValidationFailed as exc:
        await savepoint.rollback_to()
        outcome.status = REFUSED
        outcome.reasons = [
            _reason(FIELD_COLUMNS.get(field, "day"), message, **exc.field_params)
            for field, message in exc.errors.items()
        ]
        return outcome
    except HoldConflict as conflict:
        await savepoint.rollback_to()
        outcome.status = CLASH
        outcome.reasons = [await _clash(hold, lines_by_booking) for hold in conflict.conflicts]
        return outcome
    await savepoint.release()
    lines_by_booking[booking_id] = row.line
    await Booking.update({Booking.permit_number: permit_number(booking_id, period.starts_at)}).where(
        Booking.id == booking_id
    )
    after = await Booking.select().where(Booking.id == booking_id).first()
    await audit.record(
        "import", "booking", booking_id, actor=IMPORT_ACTOR, after=after, note=f"{file} line {row.line}"
    )
    return outcome


def _request(
    row: CsvRow, lookups: _Lookups
) -> tuple[BookingRequest | None, dict | None, dict | None, list[str]]:
    """The booking request the row describes, or the reasons it cannot be read."""
    values = row.values
    reasons: list[str] = []
    group = lookups.groups.get(clean(values["group"]))
    if group is None:
        reasons.append(_reason("group", N_("No registered group is named %(name)s."), name=values["group"]))
    room = lookups.rooms.get(clean(values["room"]).lower())
    if room is None:
        message = N_("There is no room %(name)s. The rooms: %(rooms)s.")
        reasons.append(_reason("room", message, name=values["room"], rooms=lookups.room_names))
    day = parse_day(values["day"])
    if day is None:
        message = N_("%(value)s is not a date such as 2027-04-12.")
        reasons.append(_reason("day", message, value=values["day"] or "-"))
    slots = [part for part in SEPARATORS.split(clean(values.get("slots", ""))) if part]
    codes = [lookups.slots.get(part.lower()) for part in slots]
    if None in codes:
        message = N_("Unknown slot %(value)s. The slots: %(slots)s.")
        reasons.append(_reason("slots", message, value=values["slots"], slots=lookups.slot_names))
    start, end = (parse_time(values.get(key, "")) if values.get(key) else None for key in ("start", "end"))
    for key, parsed in (("start", start), ("end", end)):
        if values.get(key) and parsed is None:
            reasons.append(_reason(key, N_("%(value)s is not a time such as 13:30."), value=values[key]))
    head_count = clean(values["expected_head_count"])
    if not head_count.isdigit():
        reasons.append(_reason("expected_head_count", N_("Enter how many people will attend (1 or more).")))
    names = [part for part in SEPARATORS.split(clean(values.get("equipment", ""))) if part]
    equipment = [lookups.equipment.get(name.lower()) for name in names]
    unknown = [name for name, code in zip(names, equipment, strict=True) if code is None]
    if unknown:
        reasons.append(_reason("equipment", N_("Unknown equipment: %(codes)s."), codes=", ".join(unknown)))
    if reasons:
        return None, None, None, reasons
    assert group is not None and room is not None and day is not None
    request = BookingRequest(
        room_id=room["id"],
        day=day,
        slot_codes=[code for code in codes if code],
        start=start,
        end=end,
        purpose=values["purpose"],
        expected_head_count=int(head_count),
        public=bool(values.get("public_title")),
        public_title=values.get("public_title", ""),
        contact_name=values.get("contact_name") or group["representative"],
        contact_phone=values.get("contact_phone") or group["contact_phone"],
        equipment=[code for code in equipment if code],
    )
    return request, group, room, []


async def _clash(hold: HoldInfo, lines_by_booking: dict[int, int]) -> str:
    """What holds the room, in words: a row of this file, a booking, a screening or a closure."""
    when = f"{to_local(hold.starts_at):%Y-%m-%d %H:%M}–{to_local(hold.ends_at):%H:%M}"
    if hold.kind == "booking" and hold.ref in lines_by_booking:
        return gettext(
            "Clashes with line %(line)s of this file (%(when)s).", line=lines_by_booking[hold.ref], when=when
        )
    if hold.kind == "booking" and hold.ref is not None:
        booking = (
            await Booking.select(Booking.group.name.as_alias("group"), Booking.purpose)
            .where(Booking.id == hold.ref)
            .first()
        )
        if booking:
            return gettext(
                "Clashes with the booking of %(group)s, %(purpose)s (%(when)s).",
                group=booking["group"], purpose=booking["purpose"], when=when,
            )  # fmt: skip
    if hold.kind == "screening":
        return gettext("Clashes with an exercise video screening (%(when)s).", when=when)
    if hold.kind == "closure":
        return gettext("Clashes with a closure for works: %(label)s (%(when)s).", label=hold.label, when=when)
    return gettext("Clashes with %(label)s (%(when)s).", label=hold.label or "-", when=when)
