"""The locations the manager edits: add, edit, deactivate, reactivate, delete while unused."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from center.accounts.guards import requires_manager
from center.lib.errors import DomainError, ValidationFailed
from center.lib.i18n import N_, gettext
from center.web.templating import flash
from maintenance import locations
from maintenance.web.common import Form, labels, redirect


def _values(row: dict, names: tuple[str, ...]) -> dict[str, str]:
    return {name: "" if row.get(name) is None else str(row[name]) for name in names}


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


class LocationController(Controller):
    """The places tickets, reports and inspections refer to (managers only)."""

    path = "/maintenance/locations"
    guards = (requires_manager,)

    @get("/", name="maintenance:locations")
    async def location_list(self, request: Request) -> Template:
        """Every place tickets and reports can name, with the form to add one."""
        return await _locations_page({"sort_order": "0"}, {})

    @post("/", name="maintenance:location_create")
    async def location_create(self, request: Request, data: Form) -> Template | Redirect:
        try:
            fields = await locations.parse_location(data)
            await locations.create_location(fields, request.user)
        except ValidationFailed as invalid:
            return await _locations_page(dict(data), invalid.translated(), status_code=400)
        flash(request, N_("The location was added."))
        return redirect(request, "maintenance:locations")

    @get("/{location_id:int}", name="maintenance:location")
    async def location_page(self, request: Request, location_id: FromPath[int]) -> Template:
        """Edit one location; deactivate, reactivate or (while unused) delete it."""
        return await _location_page(location_id)

    @post("/{location_id:int}", name="maintenance:location_update")
    async def location_update(
        self, request: Request, location_id: FromPath[int], data: Form
    ) -> Template | Redirect:
        await locations.get_location(location_id)
        try:
            fields = await locations.parse_location(data, location_id=location_id)
            await locations.update_location(location_id, fields, request.user)
        except ValidationFailed as invalid:
            return await _location_page(location_id, dict(data), invalid.translated(), status_code=400)
        flash(request, N_("The location was saved."))
        return redirect(request, "maintenance:locations")

    @post("/{location_id:int}/deactivate", name="maintenance:location_deactivate")
    async def location_deactivate(self, request: Request, location_id: FromPath[int]) -> Redirect:
        await locations.set_active(location_id, False, request.user)
        flash(request, N_("The location was deactivated: it no longer appears in the forms."))
        return redirect(request, "maintenance:location", location_id=location_id)

    @post("/{location_id:int}/reactivate", name="maintenance:location_reactivate")
    async def location_reactivate(self, request: Request, location_id: FromPath[int]) -> Redirect:
        await locations.set_active(location_id, True, request.user)
        flash(request, N_("The location is active again."))
        return redirect(request, "maintenance:location", location_id=location_id)

    @post("/{location_id:int}/delete", name="maintenance:location_delete")
    async def location_delete(self, request: Request, location_id: FromPath[int]) -> Template | Redirect:
        try:
            await locations.delete_location(location_id, request.user)
        except DomainError as refused:
            if refused.status_code == 404:
                raise
            return await _location_page(
                location_id,
                message=gettext(refused.message, **refused.params),
                status_code=refused.status_code,
            )
        flash(request, N_("The location was deleted."))
        return redirect(request, "maintenance:locations")


ROUTES = [LocationController]
