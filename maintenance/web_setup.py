"""The lists behind the tickets: the locations the manager edits (add, edit, deactivate,
reactivate, delete while unused) and each recurring inspection's page (edit, pause, resume)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from center.accounts.guards import requires_facilities, requires_manager
from center.lib.errors import DomainError, ValidationFailed
from center.lib.i18n import N_, gettext
from center.web.templating import flash
from maintenance import inspections, locations, tickets
from maintenance.web_common import Form, labels, redirect

MANAGER: dict[str, Any] = {"guards": [requires_manager]}
FACILITIES: dict[str, Any] = {"guards": [requires_facilities]}


def _values(row: dict, names: tuple[str, ...]) -> dict[str, str]:
    return {name: "" if row.get(name) is None else str(row[name]) for name in names}


# Locations -------------------------------------------------------------------------------------


async def _locations_page(values: dict, errors: dict, status_code: int = 200) -> Template:
    return Template(
        "maintenance/locations.html",
        context={
            "rows": await locations.list_locations(),
            "rooms": await locations.room_choices(),
            "values": values,
            "errors": errors,
            **labels(),
        },
        status_code=status_code,
    )


@get("/maintenance/locations", name="maintenance:locations", **MANAGER)
async def location_list(request: Request) -> Template:
    """Every place tickets and reports can name, with the form to add one."""
    return await _locations_page({"sort_order": "0"}, {})


@post("/maintenance/locations", name="maintenance:location_create", **MANAGER)
async def location_create(request: Request, data: Form) -> Template | Redirect:
    try:
        fields = await locations.parse_location(data)
        await locations.create_location(fields, request.user)
    except ValidationFailed as invalid:
        return await _locations_page(dict(data), invalid.translated(), status_code=400)
    flash(request, N_("The location was added."))
    return redirect(request, "maintenance:locations")


async def _location_page(
    location_id: int,
    values: dict | None = None,
    errors: dict | None = None,
    message: str = "",
    status_code: int = 200,
) -> Template:
    row = await locations.get_location(location_id)
    return Template(
        "maintenance/location.html",
        context={
            "location": row,
            "in_use": await locations.in_use(location_id),
            "rooms": await locations.room_choices(),
            "values": values if values is not None else _values(row, locations.FIELDS),
            "errors": errors or {},
            "message": message,
            **labels(),
        },
        status_code=status_code,
    )


@get("/maintenance/locations/{location_id:int}", name="maintenance:location", **MANAGER)
async def location_page(request: Request, location_id: FromPath[int]) -> Template:
    """Edit one location; deactivate, reactivate or (while unused) delete it."""
    return await _location_page(location_id)


@post("/maintenance/locations/{location_id:int}", name="maintenance:location_update", **MANAGER)
async def location_update(request: Request, location_id: FromPath[int], data: Form) -> Template | Redirect:
    await locations.get_location(location_id)
    try:
        fields = await locations.parse_location(data, location_id=location_id)
        await locations.update_location(location_id, fields, request.user)
    except ValidationFailed as invalid:
        return await _location_page(location_id, dict(data), invalid.translated(), status_code=400)
    flash(request, N_("The location was saved."))
    return redirect(request, "maintenance:locations")


@post(
    "/maintenance/locations/{location_id:int}/deactivate", name="maintenance:location_deactivate", **MANAGER
)
async def location_deactivate(request: Request, location_id: FromPath[int]) -> Redirect:
    await locations.set_active(location_id, False, request.user)
    flash(request, N_("The location was deactivated: it no longer appears in the forms."))
    return redirect(request, "maintenance:location", location_id=location_id)


@post(
    "/maintenance/locations/{location_id:int}/reactivate", name="maintenance:location_reactivate", **MANAGER
)
async def location_reactivate(request: Request, location_id: FromPath[int]) -> Redirect:
    await locations.set_active(location_id, True, request.user)
    flash(request, N_("The location is active again."))
    return redirect(request, "maintenance:location", location_id=location_id)


@post("/maintenance/locations/{location_id:int}/delete", name="maintenance:location_delete", **MANAGER)
async def location_delete(request: Request, location_id: FromPath[int]) -> Template | Redirect:
    try:
        await locations.delete_location(location_id, request.user)
    except DomainError as refused:
        if refused.status_code == 404:
            raise
        return await _location_page(
            location_id, message=gettext(refused.message, **refused.params), status_code=refused.status_code
        )
    flash(request, N_("The location was deleted."))
    return redirect(request, "maintenance:locations")


# Inspections -----------------------------------------------------------------------------------

INSPECTION_FIELDS = (
    "title_ja",
    "title_en",
    "location",
    "every",
    "unit",
    "next_due",
    "lead_days",
    "season_from",
    "season_to",
)


async def _inspection_page(
    inspection_id: int, values: dict | None = None, errors: dict | None = None, status_code: int = 200
) -> Template:
    row = await inspections.get_inspection(inspection_id)
    return Template(
        "maintenance/inspection.html",
        context={
            "inspection": row,
            "values": values if values is not None else _values(row, INSPECTION_FIELDS),
            "errors": errors or {},
            "locations": await tickets.location_choices(keep=row["location"]),
            "units": {key: gettext(value) for key, value in inspections.UNITS.items()},
            **labels(),
        },
        status_code=status_code,
    )


@get("/maintenance/inspections/{inspection_id:int}", name="maintenance:inspection", **FACILITIES)
async def inspection_page(request: Request, inspection_id: FromPath[int]) -> Template:
    """Edit a recurring inspection, pause it or resume it."""
    return await _inspection_page(inspection_id)


@post("/maintenance/inspections/{inspection_id:int}", name="maintenance:inspection_update", **FACILITIES)
async def inspection_update(
    request: Request, inspection_id: FromPath[int], data: Form
) -> Template | Redirect:
    row = await inspections.get_inspection(inspection_id)
    try:
        fields = await inspections.parse_inspection(data, keep_location=row["location"])
    except ValidationFailed as invalid:
        return await _inspection_page(inspection_id, dict(data), invalid.translated(), status_code=400)
    await inspections.update_inspection(inspection_id, fields, request.user)
    await inspections.open_due()
    flash(request, N_("The inspection was saved."))
    return redirect(request, "maintenance:inspections")


@post("/maintenance/inspections/{inspection_id:int}/pause", name="maintenance:inspection_pause", **FACILITIES)
async def inspection_pause(request: Request, inspection_id: FromPath[int]) -> Redirect:
    await inspections.set_active(inspection_id, False, request.user)
    flash(request, N_("The inspection is paused: it opens no tickets until it is resumed."))
    return redirect(request, "maintenance:inspection", inspection_id=inspection_id)


@post(
    "/maintenance/inspections/{inspection_id:int}/resume", name="maintenance:inspection_resume", **FACILITIES
)
async def inspection_resume(request: Request, inspection_id: FromPath[int]) -> Redirect:
    await inspections.set_active(inspection_id, True, request.user)
    await inspections.open_due()
    flash(request, N_("The inspection was resumed."))
    return redirect(request, "maintenance:inspection", inspection_id=inspection_id)


ROUTES = [
    location_list,
    location_create,
    location_page,
    location_update,
    location_deactivate,
    location_reactivate,
    location_delete,
    inspection_page,
    inspection_update,
    inspection_pause,
    inspection_resume,
]
