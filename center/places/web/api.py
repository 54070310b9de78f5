"""JSON API for rooms and the center's calendar (public reads). Errors are problem details."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from typing import Annotated

from litestar import Controller, Request, get
from litestar.params import FromPath, QueryParameter

from center.accounts.guards import PUBLIC
from center.lib import dates
from center.lib.errors import NotFound, ValidationFailed
from center.lib.i18n import N_, pick
from center.places import calendar as cal
from center.places import rooms
from center.places.equipment import equipment_label
from center.places.schemas import (
    AccessibilityOut,
    CalendarOut,
    DayOut,
    EquipmentOut,
    RoomOut,
    SlotFeeOut,
    SlotPeriodOut,
)

MAX_DAYS = 366
DEFAULT_DAYS = 31


def _hhmm(value) -> str | None:
    return f"{value.hour:02d}:{value.minute:02d}" if value else None


def _season(profile: dict | None) -> list[int]:
    first, last = (profile["heating_from_month"], profile["heating_to_month"]) if profile else (10, 4)
    months = [(first + n - 1) % 12 + 1 for n in range(12)]  # season order, e.g. 10, 11, 12, 1 ...
    return [m for m in months if cal.in_heating_season(date(2000, m, 1), first, last)]


def _room_out(request: Request, room: dict, season: list[int]) -> RoomOut:
    photo = None
    if room["photo"]:
        photo = f"{request.app.route_reverse('places:room_photo', code=room['code'])}?v={room['photo']}"
    return RoomOut(
        code=room["code"],
        name=pick(room["name_ja"], room["name_en"]),
        name_ja=room["name_ja"],
        name_en=room["name_en"],
        floor=room["floor"],
        capacity=room["capacity"],
        area_m2=float(room["area_m2"]) if room["area_m2"] is not None else None,
        description=pick(room["description_ja"], room["description_en"]),
        equipment=[EquipmentOut(code=code, label=equipment_label(code)) for code in room["equipment"]],
        accessibility=AccessibilityOut(
            step_free=room["access"].now,
            step_free_by_design=room["access"].by_design,
            step_free_reason=" ".join(room["access"].reasons) or None,
            step_free_until=room["access"].until.isoformat() if room["access"].until else None,
            accessible_toilet_m=room["accessible_toilet_m"],
            hearing_loop=room["hearing_loop"],
            notes=pick(room["accessibility_notes_ja"], room["accessibility_notes_en"]),
        ),
        bookable=room["bookable"],
        booked_by=room["booked_by"],
        hourly_fee=room["hourly_fee"],
        hourly_heating_fee=room["hourly_heating_fee"],
        slot_fees=[
            SlotFeeOut(
                slot=fee["code"],
                name=pick(fee["name_ja"], fee["name_en"]),
                starts=_hhmm(fee["starts"]) or "",
                ends=_hhmm(fee["ends"]) or "",
                fee=fee["fee"],
                heating_fee=fee["heating_fee"],
            )
            for fee in room["fees"]
        ],
        heating_months=season,
        url=request.app.route_reverse("places:room", code=room["code"]),
        photo_url=photo,
    )


def _date_param(raw: str | None, field: str) -> date | None:
    if raw is None or raw == "":
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed({field: N_("Enter a date as YYYY-MM-DD.")}) from None


class RoomApiController(Controller):
    """Bookable rooms as JSON, for anyone."""

    path = "/api/rooms"
    opt = PUBLIC
    tags = ("rooms",)

    @get("/", name="places:api_rooms")
    async def api_rooms(self, request: Request) -> list[RoomOut]:
        """Every bookable room with its facts, equipment, accessibility and fees. Accepts the same
        filters as the room page: floor, capacity (minimum), equipment (repeatable), step_free."""
        filters, errors = rooms.parse_filters(request.query_params)
        if errors:
            raise ValidationFailed(dict(errors))
        season = _season(await cal.load_profile())
        return [_room_out(request, room, season) for room in await rooms.list_rooms(filters)]

    @get("/{code:str}", name="places:api_room")
    async def api_room(self, request: Request, code: FromPath[str]) -> RoomOut:
        """One room by its code."""
        room = await rooms.room_by_code(code)
        if room is None:
            raise NotFound(N_("That room does not exist."))
        return _room_out(request, room, _season(await cal.load_profile()))


class CalendarApiController(Controller):
    """The center's calendar as JSON, for anyone."""

    path = "/api/calendar"
    opt = PUBLIC
    tags = ("calendar",)

    @get("/", name="places:api_calendar")
    async def api_calendar(
        self,
        start: Annotated[
            str | None, QueryParameter(name="from", description="First day, YYYY-MM-DD (default: today)")
        ] = None,
        end: Annotated[
            str | None, QueryParameter(name="to", description="Last day, YYYY-MM-DD (default: 30 days on)")
        ] = None,
    ) -> CalendarOut:
        """Each day in [from, to] (at most 366 days): open or closed and why, hours in Asia/Tokyo,
        the public holiday, and the bookable slots with UTC start and end instants."""
        first = _date_param(start, "from") or dates.today()
        last = _date_param(end, "to") or first + timedelta(days=DEFAULT_DAYS - 1)
        if last < first:
            raise ValidationFailed({"to": N_("The last day must not be before the first day.")})
        if (last - first).days + 1 > MAX_DAYS:
            raise ValidationFailed({"to": N_("Ask for at most 366 days at a time.")})
        days = [
            DayOut(
                date=info.day.isoformat(),
                open=info.open,
                opens=_hhmm(info.opens),
                closes=_hhmm(info.closes),
                holiday=info.holiday,
                closed_kind=cal.closed_kind(info),
                closed_reason=cal.closed_reason_text(info),
                slots=[
                    SlotPeriodOut(
                        slot=slot.code,
                        name=slot.name,
                        starts_at=slot.starts_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
                        ends_at=slot.ends_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
                    )
                    for slot in info.slots
                ],
            )
            for info in await cal.days_info(first, last)
        ]
        return CalendarOut(start=first.isoformat(), end=last.isoformat(), days=days)


ROUTES = [RoomApiController, CalendarApiController]
