"""Recurring inspections on the web: the list (overdue first) with the form to add one, and each
inspection's page (edit, pause, resume)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from center.accounts.guards import requires_facilities
from center.lib import dates
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_, gettext
from center.web.templating import flash
from maintenance import inspections, tickets
from maintenance.web.common import Form, labels, redirect


def _values(row: dict, names: tuple[str, ...]) -> dict[str, str]:
    return {name: "" if row.get(name) is None else str(row[name]) for name in names}


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


async def _inspections_page(values: dict, errors: dict, status_code: int = 200) -> Template:
    return Template(
        "maintenance/inspections.html",
        context={
            "rows": await inspections.list_inspections(),
            "values": values,
            "errors": errors,
            "locations": await tickets.location_choices(),
            "units": {key: gettext(value) for key, value in inspections.UNITS.items()},
            "today": dates.today(),
            **labels(),
        },
        status_code=status_code,
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


class InspectionController(Controller):
    """Recurring inspections."""

    path = "/maintenance/inspections"
    guards = (requires_facilities,)

    @get("/", name="maintenance:inspections")
    async def inspection_list(self, request: Request) -> Template:
        """Recurring inspections, overdue first, and the form to add one."""
        return await _inspections_page({"every": "1", "unit": "month", "lead_days": "7"}, {})

    @post("/", name="maintenance:inspection_create")
    async def inspection_create(self, request: Request, data: Form) -> Template | Redirect:
        try:
            fields = await inspections.parse_inspection(data)
        except ValidationFailed as invalid:
            return await _inspections_page(dict(data), invalid.translated(), status_code=400)
        await inspections.create_inspection(fields, request.user)
        await inspections.open_due()
        flash(request, N_("The inspection was added."))
        return redirect(request, "maintenance:inspections")

    @get("/{inspection_id:int}", name="maintenance:inspection")
    async def inspection_page(self, request: Request, inspection_id: FromPath[int]) -> Template:
        """Edit a recurring inspection, pause it or resume it."""
        return await _inspection_page(inspection_id)

    @post("/{inspection_id:int}", name="maintenance:inspection_update")
    async def inspection_update(
        self, request: Request, inspection_id: FromPath[int], data: Form
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

    @post("/{inspection_id:int}/pause", name="maintenance:inspection_pause")
    async def inspection_pause(self, request: Request, inspection_id: FromPath[int]) -> Redirect:
        await inspections.set_active(inspection_id, False, request.user)
        flash(request, N_("The inspection is paused: it opens no tickets until it is resumed."))
        return redirect(request, "maintenance:inspection", inspection_id=inspection_id)

    @post("/{inspection_id:int}/resume", name="maintenance:inspection_resume")
    async def inspection_resume(self, request: Request, inspection_id: FromPath[int]) -> Redirect:
        await inspections.set_active(inspection_id, True, request.user)
        await inspections.open_due()
        flash(request, N_("The inspection was resumed."))
        return redirect(request, "maintenance:inspection", inspection_id=inspection_id)


ROUTES = [InspectionController]
