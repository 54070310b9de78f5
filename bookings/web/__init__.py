"""HTTP for bookings: public availability, members' requests, staff management, and the API."""

from bookings.web.api import ROUTES as API_ROUTES
from bookings.web.api_bookings import ROUTES as API_BOOKING_ROUTES
from bookings.web.availability import ROUTES as AVAILABILITY_ROUTES
from bookings.web.confirm import ROUTES as CONFIRM_ROUTES
from bookings.web.desk import ROUTES as DESK_ROUTES
from bookings.web.desk_booking import ROUTES as DESK_BOOKING_ROUTES
from bookings.web.desk_scan import ROUTES as DESK_SCAN_ROUTES
from bookings.web.desk_walk_in import ROUTES as WALK_IN_ROUTES
from bookings.web.lottery import ROUTES as LOTTERY_ROUTES
from bookings.web.lottery_manage import ROUTES as LOTTERY_MANAGE_ROUTES
from bookings.web.manage import ROUTES as MANAGE_ROUTES
from bookings.web.member_moves import ROUTES as MEMBER_MOVE_ROUTES
from bookings.web.my_bookings import ROUTES as MY_BOOKING_ROUTES
from bookings.web.payments import ROUTES as PAYMENT_ROUTES
from bookings.web.requests import ROUTES as REQUEST_ROUTES
from bookings.web.rules import ROUTES as RULES_ROUTES
from bookings.web.series import ROUTES as SERIES_ROUTES
from bookings.web.series_detail import ROUTES as SERIES_DETAIL_ROUTES
from bookings.web.staff_moves import ROUTES as STAFF_MOVE_ROUTES
from bookings.web.terms import ROUTES as TERMS_ROUTES

ROUTES = [
    *AVAILABILITY_ROUTES,
    *REQUEST_ROUTES,
    *MY_BOOKING_ROUTES,
    *MANAGE_ROUTES,
    *STAFF_MOVE_ROUTES,
    *RULES_ROUTES,
    *API_ROUTES,
    *API_BOOKING_ROUTES,
    *SERIES_ROUTES,
    *SERIES_DETAIL_ROUTES,
    *MEMBER_MOVE_ROUTES,
    *LOTTERY_ROUTES,
    *LOTTERY_MANAGE_ROUTES,
    *DESK_ROUTES,
    *DESK_BOOKING_ROUTES,
    *WALK_IN_ROUTES,
    *PAYMENT_ROUTES,
    *CONFIRM_ROUTES,
    *TERMS_ROUTES,
    *DESK_SCAN_ROUTES,
]
