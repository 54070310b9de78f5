"""The staff's starting point for the center's own programmes."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template

from center.accounts.guards import requires_front_desk
from center.programmes import flowerbeds
from center.programmes.web.common import labels


class ProgrammesController(Controller):
    """The programmes' overview for staff."""

    path = "/manage/programmes"
    guards = (requires_front_desk,)

    @get("/", name="programmes:manage")
    async def manage(self, request: Request) -> Template:
        """The staff's starting point for the center's own programmes."""
        from center.programmes import screenings

        return Template(
            "programmes/manage.html",
            context={
                "next_day": await flowerbeds.next_day(),
                "today_screenings": await screenings.screenings_on_day(),
                **labels(),
            },
        )


ROUTES = [ProgrammesController]
