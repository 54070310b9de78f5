"""Pages about paying: the manager's permit settings (the ordinance line and the designated
manager's seal) and the front desk's list of unpaid bookings by deadline."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from bookings import payment_settings, payment_status
from bookings.web.common import page_helpers, parse_day
from center.accounts.guards import requires_front_desk, requires_manager
from center.lib import dates
from center.lib.errors import NotFound, ValidationFailed
from center.lib.i18n import N_
from center.places import photos
from center.web.forms import Form
from center.web.templating import flash

Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


async def _settings_page(
    values: dict[str, Any] | None = None, errors: dict[str, str] | None = None, status_code: int = 200
) -> Template:
    settings = await payment_settings.load_settings()
    return Template(
        "bookings/permit_settings.html",
        context={
            "settings": settings,
            "values": values or settings,
            "errors": errors or {},
            "has_seal": bool(settings["seal_image"]),
            **page_helpers(),
        },
        status_code=status_code,
    )


class PermitSettingsController(Controller):
    """The manager's permit settings: the ordinance line and the seal image."""

    path = "/manage/permit-settings"
    guards = (requires_manager,)

    @get("/", name="bookings:permit_settings")
    async def settings_page(self, request: Request) -> Template:
        """The ordinance line the permit cites and the designated manager's seal."""
        return await _settings_page()

    @post("/", name="bookings:save_permit_settings")
    async def save_settings(self, request: Request, data: Form) -> Template | Redirect:
        try:
            await payment_settings.save_permit_text(data, request.user)
        except ValidationFailed as invalid:
            return await _settings_page(dict(data), invalid.translated(), status_code=400)
        flash(request, N_("The permit settings were saved."))
        return Redirect(path=request.app.route_reverse("bookings:permit_settings"), status_code=303)

    @post("/seal", name="bookings:upload_seal")
    async def upload_seal(self, request: Request, data: Upload) -> Template | Redirect:
        """Replace the seal image: JPEG or PNG by content, 5 MB at most, re-encoded."""
        upload = data.get("seal")
        try:
            if not isinstance(upload, UploadFile):
                raise ValidationFailed({"seal": payment_settings.MSG_SEAL_EMPTY})
            content = await upload.read(photos.MAX_BYTES + 1)
            await upload.close()
            await payment_settings.save_seal(content, request.user)
        except ValidationFailed as invalid:
            return await _settings_page(None, invalid.translated(), status_code=400)
        flash(request, N_("The seal image was saved."))
        return Redirect(path=request.app.route_reverse("bookings:permit_settings"), status_code=303)

    @post("/seal/remove", name="bookings:remove_seal")
    async def remove_seal(self, request: Request) -> Redirect:
        await payment_settings.remove_seal(request.user)
        flash(request, N_("The seal image was removed; permits print an empty seal box."))
        return Redirect(path=request.app.route_reverse("bookings:permit_settings"), status_code=303)

    @get("/seal", name="bookings:seal_image")
    async def seal_image(self, request: Request) -> Response[bytes]:
        settings = await payment_settings.load_settings()
        if not settings["seal_image"]:
            raise NotFound(N_("No seal image was uploaded."))
        return Response(
            bytes(settings["seal_image"]),
            media_type=settings["seal_media_type"],
            headers={"Cache-Control": "private, no-cache", "X-Content-Type-Options": "nosniff"},
        )


class UnpaidController(Controller):
    """The front desk's list of approved bookings not fully paid."""

    path = "/desk/unpaid"
    guards = (requires_front_desk,)

    @get("/", name="desk:unpaid")
    async def unpaid_page(self, request: Request) -> Template:
        """Approved bookings not fully paid, earliest deadline first."""
        since = parse_day(request.query_params.get("from"), None)
        rows = await payment_status.unpaid(since)
        return Template(
            "desk/unpaid.html",
            context={
                "rows": rows,
                "since": since,
                "today": dates.today(),
                "total_due": sum(status.due for _, status in rows),
                **page_helpers(),
            },
        )


ROUTES = [PermitSettingsController, UnpaidController]
