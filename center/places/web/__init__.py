"""Places on the web: the public room pages (public.py), the manager's rooms and calendar
(manage.py), and the JSON API for rooms and the calendar (api.py)."""

from center.places.web.api import ROUTES as API_ROUTES
from center.places.web.manage import ROUTES as MANAGE_ROUTES
from center.places.web.public import ROUTES as PUBLIC_ROUTES

ROUTES = [*PUBLIC_ROUTES, *MANAGE_ROUTES, *API_ROUTES]
