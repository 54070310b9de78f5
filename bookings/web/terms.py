"""The terms of use: the public page (the version in force, or an older one a booking agreed to)
and the manager's page that publishes a new version."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from bookings.terms import current_terms, publish_terms, terms_history, terms_paragraphs, terms_version
from center.accounts.guards import PUBLIC, requires_manager
from center.lib.errors import NotFound, ValidationFailed
from center.lib.i18n import N_
from center.places import forms
from center.web.forms import Form
from center.web.templating import flash


async def _edit_page(
    values: dict | None = None, errors: dict[str, str] | None = None, status_code: int = 200
):
    current = await current_terms()
    return Template(
        "bookings/terms_edit.html",
        context={
            "current": current,
            "values": values
            or {
                "body_ja": current["body_ja"] if current else "",
                "body_en": current["body_en"] if current else "",
            },
            "errors": errors or {},
            "history": await terms_history(),
        },
        status_code=status_code,
    )


class TermsController(Controller):
    """The terms of use, for anyone."""

    path = "/terms"
    opt = PUBLIC

    @get("/", name="bookings:terms")
    async def terms_page(
        self,
        version: Annotated[
            int | None, QueryParameter(description="An earlier version (default: in force)")
        ] = None,
    ) -> Template:
        """The terms of use in force with their version and date; ?version=N shows an earlier one."""
        current = await current_terms()
        shown = current if version is None else await terms_version(version)
        if version is not None and shown is None:
            raise NotFound(N_("That version of the terms of use does not exist."))
        return Template(
            "bookings/terms.html",
            context={
                "terms": shown,
                "current": current,
                "paragraphs": terms_paragraphs(shown) if shown else [],
            },
        )


class TermsEditController(Controller):
    """The manager publishes a new version of the terms."""

    path = "/manage/terms"
    guards = (requires_manager,)

    @get("/", name="bookings:terms_edit")
    async def terms_edit(self, request: Request) -> Template:
        """The manager edits the terms; saving publishes a new version."""
        return await _edit_page()

    @post("/", name="bookings:terms_publish")
    async def terms_publish(self, request: Request, data: Form) -> Template | Redirect:
        values = {"body_ja": forms.text(data, "body_ja"), "body_en": forms.text(data, "body_en")}
        try:
            await publish_terms(values["body_ja"], values["body_en"], request.user)
        except ValidationFailed as invalid:
            return await _edit_page(values, invalid.translated(), status_code=400)
        flash(request, N_("A new version of the terms of use was published."))
        return Redirect(path=request.app.route_reverse("bookings:terms_edit"), status_code=303)


ROUTES = [TermsController, TermsEditController]
