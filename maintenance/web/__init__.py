"""The maintenance domain on the web: one controller per resource (path and guards declared once
per controller), thin handlers that parse the request, call the domain and render."""

from __future__ import annotations

from maintenance.web.closures import ROUTES as CLOSURE_ROUTES
from maintenance.web.dashboard import ROUTES as DASHBOARD_ROUTES
from maintenance.web.inspections import ROUTES as INSPECTION_ROUTES
from maintenance.web.locations import ROUTES as LOCATION_ROUTES
from maintenance.web.projects import ROUTES as PROJECT_ROUTES
from maintenance.web.public import ROUTES as PUBLIC_ROUTES
from maintenance.web.tickets import ROUTES as TICKET_ROUTES
from maintenance.web.triage import ROUTES as TRIAGE_ROUTES

ROUTES: list = [
    *DASHBOARD_ROUTES,
    *TICKET_ROUTES,
    *TRIAGE_ROUTES,
    *CLOSURE_ROUTES,
    *INSPECTION_ROUTES,
    *PROJECT_ROUTES,
    *LOCATION_ROUTES,
    *PUBLIC_ROUTES,
]
