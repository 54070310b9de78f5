"""The programmes domain on the web (flower-bed days, volunteer points, exercise-video screenings):
one controller per resource, path and guards declared once per controller, thin handlers that
parse the request, call the domain and render."""

from __future__ import annotations

from center.programmes.web.flowerbeds import ROUTES as FLOWERBED_ROUTES
from center.programmes.web.overview import ROUTES as OVERVIEW_ROUTES
from center.programmes.web.points import ROUTES as POINTS_ROUTES
from center.programmes.web.screenings import ROUTES as SCREENING_ROUTES
from center.programmes.web.signup_codes import ROUTES as SIGNUP_CODE_ROUTES

ROUTES: list = [*OVERVIEW_ROUTES, *FLOWERBED_ROUTES, *POINTS_ROUTES, *SCREENING_ROUTES, *SIGNUP_CODE_ROUTES]
