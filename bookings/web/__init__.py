"""HTTP for bookings: public availability, members' requests, staff management, and the API."""

from bookings.web.availability import ROUTES as AVAILABILITY_ROUTES

ROUTES = [*AVAILABILITY_ROUTES]
