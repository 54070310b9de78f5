"""HTTP for the center's programmes: flower-bed days, volunteer points, exercise-video screenings
and the lobby signage. Each module keeps its own routes; this one gathers them."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from center.accounts.guards import requires_front_desk
from center.programmes import flowerbeds
from center.programmes.web_common import labels
from center.programmes.web_flowerbeds import ROUTES as FLOWERBED_ROUTES
from center.programmes.web_points import ROUTES as POINTS_ROUTES
from center.programmes.web_screenings import ROUTES as SCREENING_ROUTES
from center.programmes.web_signup_codes import ROUTES as SIGNUP_CODE_ROUTES


@get("/manage/programmes", name="programmes:manage", guards=[requires_front_desk])
async def manage(request: Request) -> Template:
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


ROUTES: list = [manage, *FLOWERBED_ROUTES, *POINTS_ROUTES, *SCREENING_ROUTES, *SIGNUP_CODE_ROUTES]
