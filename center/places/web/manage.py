"""The manager's pages for rooms and the center's calendar. Plain HTML forms: POST, then a 303
redirect; on bad input the page is shown again with the errors (status 400) and nothing changed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from center.accounts.guards import requires_manager
from center.lib import dates
from center.lib.errors import NotFound, ValidationFailed
from center.lib.i18n import N_, gettext
from center.places import calendar as cal
from center.places import calendar_admin as admin
from center.places import photos, room_editing, rooms
from center.places.display import display_helpers
from center.places.equipment import equipment_choices, equipment_label
from center.web.forms import Form
from center.web.templating import flash

Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]

PREVIEW_DAYS = 60


def _translated(errors: Mapping[str, str]) -> dict[str, str]:
    return {name: gettext(msg) for name, msg in errors.items()}


def _helpers() -> dict[str, Any]:
    return display_helpers()


# --- rooms -----------------------------------------------------------------------------------


async def _room_form(
    room: dict | None, values: Mapping[str, Any] | None = None, errors: Mapping[str, str] | None = None
) -> Template:
    slots = await rooms.all_slots()
    return Template(
        "places/room_form.html",
        context={
            "room": room,
            "slots": slots,
            "values": dict(values) if values is not None else room_editing.form_values(room, slots),
            "errors": _translated(errors or {}),
            "equipment_choices": equipment_choices(),
            "equipment_label": equipment_label,
            **_helpers(),
        },
        status_code=400 if errors else 200,
    )


async def _existing_room(room_id: int) -> dict:
    room = await rooms.room_by_id(room_id)
    if room is None:
        raise NotFound(N_("That room does not exist."))
    return room


# --- the calendar ----------------------------------------------------------------------------

HOURS_FIELDS = [f"hours_{d}_{part}" for d in range(7) for part in ("closed", "opens", "closes")]
SLOT_FIELDS = ["slot_code", "slot_name_ja", "slot_name_en", "slot_starts", "slot_ends", "slot_sort_order"]
CLOSED_FIELDS = [
    "closed_starts_on",
    "closed_ends_on",
    "closed_reason_ja",
    "closed_reason_en",
    "closed_yearly",
]
PROFILE_FIELDS = [
    "profile_name_ja",
    "profile_name_en",
    "profile_address_ja",
    "profile_phone",
    "heating_from_month",
    "heating_to_month",
    "holidays_closed",
]


async def _calendar_page(
    posted: Mapping[str, Any] | None = None,
    fields: list[str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> Template:
    """The calendar settings page; after a refused post, that form shows what was sent."""
    hours = await admin.opening_hours()
    profile = await cal.load_profile()
    values: dict[str, Any] = {
        **admin.hours_form_values(hours),
        **admin.slot_form_values(None),
        "closed_starts_on": "",
        "closed_ends_on": "",
        **admin.profile_form_values(profile),
    }
    if posted is not None and fields:
        for name in fields:
            values[name] = posted.get(name, "")
    today = dates.today()
    preview = [
        info
        for info in await cal.days_info(today, today + timedelta(days=PREVIEW_DAYS - 1))
        if not info.open or info.holiday
    ]
    return Template(
        "places/manage_calendar.html",
        context={
            "values": values,
            "errors": _translated(errors or {}),
            "slots": await admin.slots(),
            "closed_days": await admin.closed_days(),
            "profile": profile,
            "preview": preview,
            "preview_days": PREVIEW_DAYS,
            **_helpers(),
        },
        status_code=400 if errors else 200,
    )


def _back(request: Request, message: str) -> Redirect:
    flash(request, message)
    return Redirect(path=request.app.route_reverse("places:manage_calendar"), status_code=303)


async def _slot_form(slot: dict, values: Mapping[str, Any] | None = None, errors=None) -> Template:
    return Template(
        "places/slot_form.html",
        context={
            "slot": slot,
            "values": dict(values) if values is not None else admin.slot_form_values(slot),
            "errors": _translated(errors or {}),
        },
        status_code=400 if errors else 200,
    )


async def _existing_slot(slot_id: int) -> dict:
    for slot in await admin.slots():
        if slot["id"] == slot_id:
            return slot
    raise NotFound(N_("That slot does not exist."))


class ManageRoomsController(Controller):
    """The manager's rooms: the list, a new room, a room's details and fees, its photo."""

    path = "/manage/rooms"
    guards = (requires_manager,)

    @get("/", name="places:manage_rooms")
    async def manage_rooms(self) -> Template:
        """Every room, bookable or not, with its booking mode and fees."""
        return Template(
            "places/manage_rooms.html",
            context={"rooms": await rooms.list_rooms(bookable_only=False), **_helpers()},
        )

    @get("/new", name="places:new_room_form")
    async def new_room_form(self) -> Template:
        return await _room_form(None)

    @post("/new", name="places:create_room")
    async def create_room(self, request: Request, data: Form) -> Template | Redirect:
        try:
            room_id = await room_editing.save_room(None, data, actor=request.user)
        except ValidationFailed as exc:
            return await _room_form(None, data, exc.errors)
        flash(request, N_("The room was added."))
        return Redirect(
            path=request.app.route_reverse("places:edit_room_form", room_id=room_id), status_code=303
        )

    @get("/{room_id:int}", name="places:edit_room_form")
    async def edit_room_form(self, room_id: FromPath[int]) -> Template:
        return await _room_form(await _existing_room(room_id))

    @post("/{room_id:int}", name="places:update_room")
    async def update_room(self, request: Request, room_id: FromPath[int], data: Form) -> Template | Redirect:
        room = await _existing_room(room_id)
        try:
            await room_editing.save_room(room_id, data, actor=request.user)
        except ValidationFailed as exc:
            return await _room_form(room, data, exc.errors)
        flash(request, N_("The room was saved."))
        return Redirect(path=request.app.route_reverse("places:manage_rooms"), status_code=303)

    @post("/{room_id:int}/photo", name="places:upload_photo")
    async def upload_photo(
        self, request: Request, room_id: FromPath[int], data: Upload
    ) -> Template | Redirect:
        """Replace the room's photo: JPEG or PNG by content, 5 MB at most, re-encoded and resized."""
        room = await _existing_room(room_id)
        upload = data.get("photo")
        try:
            if not isinstance(upload, UploadFile):
                raise ValidationFailed({"photo": photos.MSG_EMPTY})
            content = await upload.read(photos.MAX_BYTES + 1)
            await upload.close()
            processed, extension = await photos.process_upload(content)
        except ValidationFailed as exc:
            return await _room_form(room, None, exc.errors)
        filename = photos.store(room_id, processed, extension)
        try:
            previous = await room_editing.set_photo(room_id, filename, actor=request.user)
        except BaseException:
            photos.remove(filename)
            raise
        photos.remove(previous)
        flash(request, N_("The photo was saved."))
        return Redirect(
            path=request.app.route_reverse("places:edit_room_form", room_id=room_id), status_code=303
        )

    @post("/{room_id:int}/photo/delete", name="places:delete_photo")
    async def delete_photo(self, request: Request, room_id: FromPath[int]) -> Redirect:
        await _existing_room(room_id)
        previous = await room_editing.set_photo(room_id, None, actor=request.user)
        photos.remove(previous)
        flash(request, N_("The photo was removed."))
        return Redirect(
            path=request.app.route_reverse("places:edit_room_form", room_id=room_id), status_code=303
        )


class ManageCalendarController(Controller):
    """The manager's calendar: opening hours, slots (区分), closed days and the center's profile."""

    path = "/manage/calendar"
    guards = (requires_manager,)

    @get("/", name="places:manage_calendar")
    async def manage_calendar(self) -> Template:
        """Opening hours, slots, closed days, the center profile and a preview of the next 60 days."""
        return await _calendar_page()

    @post("/hours", name="places:save_hours")
    async def save_hours(self, request: Request, data: Form) -> Template | Redirect:
        try:
            await admin.save_opening_hours(data, actor=request.user)
        except ValidationFailed as exc:
            return await _calendar_page(data, HOURS_FIELDS, exc.errors)
        return _back(request, N_("The opening hours were saved."))

    @post("/slots", name="places:add_slot")
    async def add_slot(self, request: Request, data: Form) -> Template | Redirect:
        try:
            await admin.save_slot(None, data, actor=request.user)
        except ValidationFailed as exc:
            return await _calendar_page(data, SLOT_FIELDS, exc.errors)
        return _back(request, N_("The slot was added."))

    @get("/slots/{slot_id:int}", name="places:edit_slot_form")
    async def edit_slot_form(self, slot_id: FromPath[int]) -> Template:
        return await _slot_form(await _existing_slot(slot_id))

    @post("/slots/{slot_id:int}", name="places:update_slot")
    async def update_slot(self, request: Request, slot_id: FromPath[int], data: Form) -> Template | Redirect:
        slot = await _existing_slot(slot_id)
        try:
            await admin.save_slot(slot_id, data, actor=request.user)
        except ValidationFailed as exc:
            return await _slot_form(slot, data, exc.errors)
        return _back(request, N_("The slot was saved."))

    @post("/slots/{slot_id:int}/active", name="places:set_slot_active")
    async def set_slot_active(
        self, request: Request, slot_id: FromPath[int], data: Form
    ) -> Template | Redirect:
        active = str(data.get("active", "")) == "1"
        try:
            await admin.set_slot_active(slot_id, active, actor=request.user)
        except ValidationFailed as exc:
            return await _calendar_page(errors={f"slot_{slot_id}_active": msg for msg in exc.errors.values()})
        return _back(
            request, N_("The slot is offered again.") if active else N_("The slot is no longer offered.")
        )

    @post("/closed-days", name="places:add_closed_day")
    async def add_closed_day(self, request: Request, data: Form) -> Template | Redirect:
        try:
            await admin.add_closed_day(data, actor=request.user)
        except ValidationFailed as exc:
            return await _calendar_page(data, CLOSED_FIELDS, exc.errors)
        return _back(request, N_("The closed day was added."))

    @post("/closed-days/{closed_id:int}/delete", name="places:delete_closed_day")
    async def delete_closed_day(self, request: Request, closed_id: FromPath[int]) -> Redirect:
        await admin.delete_closed_day(closed_id, actor=request.user)
        return _back(request, N_("The closed day was deleted."))

    @post("/profile", name="places:save_profile")
    async def save_profile(self, request: Request, data: Form) -> Template | Redirect:
        try:
            await admin.save_profile(data, actor=request.user)
        except ValidationFailed as exc:
            return await _calendar_page(data, PROFILE_FIELDS, exc.errors)
        return _back(request, N_("The center's settings were saved."))


ROUTES = [ManageRoomsController, ManageCalendarController]
