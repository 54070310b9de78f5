"""JSON API for members' booking requests, their bookings and cancellation. The rules are the
request form's (bookings.web.forms, bookings.service); errors are problem details in the user's
language, with per-field messages; a taken slot answers 409 with what holds it and free
alternatives."""

from __future__ import annotations

import json
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter

from bookings import listing, service
from bookings.availability import _hold_label, _labels
from bookings.schemas import (
    AlternativeOut,
    BookingIn,
    BookingListOut,
    BookingOut,
    CancelIn,
    ConflictOut,
    FeesOut,
    TakenProblem,
)
from bookings.terms import check_agreement, current_terms
from bookings.web.api_common import API_ERRORS, PROBLEM, date_param, instant
from bookings.web.common import STATUS_LABELS, actor_of, is_staff, status_label, visible_booking
from bookings.web.forms import parse_request
from center.accounts.guards import requires_login, requires_member
from center.lib import dates
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_, gettext, pick
from center.places.rooms import room_by_code
from center.web.errors import TITLES

MAX_LIST = 1000
DEFAULT_LIST = 200
# The request form's field names, as the API calls them.
API_FIELDS = {"group": "group_id"}


def booking_out(request: Request, row: dict) -> BookingOut:
    """A booking row from `booking_rows` (with its room and group names) for the API."""
    approved = row["status"] == "approved"
    return BookingOut(
        id=row["id"],
        request_number=row["request_number"],
        status=row["status"],
        status_label=status_label(row["status"]),
        group_id=row["group"],
        group_name=row["group_name"],
        room=row["room_code"],
        room_name=pick(row["room_name_ja"], row["room_name_en"]),
        date=dates.to_local(row["starts_at"]).date().isoformat(),
        starts_at=instant(row["starts_at"]) or "",
        ends_at=instant(row["ends_at"]) or "",
        slots=[code for code in row["slot_codes"].split(",") if code],
        purpose=row["purpose"],
        expected_head_count=row["expected_head_count"],
        public=row["public"],
        public_title=row["public_title"],
        contact_name=row["contact_name"],
        contact_phone=row["contact_phone"],
        equipment=_codes(row),
        commercial=row["commercial"],
        fees=FeesOut(
            room_fee=row["room_fee"],
            equipment_fee=row["equipment_fee"],
            heating_fee=row["heating_fee"],
            surcharge_fee=row["surcharge_fee"],
            reduction_fee=row["reduction_fee"],
            total=row["fee_total"],
            refund_due=row["refund_due"],
        ),
        permit_number=row["permit_number"],
        permit_url=request.app.route_reverse("bookings:permit", booking_id=row["id"]) if approved else None,
        lapses_at=instant(row["lapses_at"]) if row["status"] == "requested" else None,
        decision_reason=row["decision_reason"],
        cancelled_at=instant(row["cancelled_at"]),
        cancel_reason=row["cancel_reason"],
        created_at=instant(row["created_at"]) or "",
        updated_at=instant(row["updated_at"]) or "",
        url=request.app.route_reverse("bookings:detail", booking_id=row["id"]),
        terms_version=row["terms_version"],
        terms_agreed_at=instant(row["terms_agreed_at"]),
    )


def _codes(row: dict) -> list[str]:
    """The equipment column as a list, whichever way the engine hands JSON back."""
    value = row["equipment"]
    if isinstance(value, str):
        try:
            value = json.loads(value or "[]")
        except ValueError:
            return []
    return [str(code) for code in value] if isinstance(value, list) else []


async def _one(request: Request, booking_id: int) -> BookingOut:
    return booking_out(request, await listing.booking_row(booking_id))


def _form_data(data: BookingIn) -> dict[str, Any]:
    """The API body as the request form would send it, so both are read by the same rules."""
    return {
        "day": data.day,
        "slots": list(data.slots),
        "start": data.start or "",
        "end": data.end or "",
        "purpose": data.purpose,
        "expected_head_count": str(data.expected_head_count),
        "public": "1" if data.public else "",
        "public_title": data.public_title,
        "contact_name": data.contact_name,
        "contact_phone": data.contact_phone,
        "equipment": list(data.equipment),
        "commercial": "1" if data.commercial else "",
    }


def _api_fields(invalid: ValidationFailed) -> ValidationFailed:
    return ValidationFailed(
        {API_FIELDS.get(name, name): msgid for name, msgid in invalid.errors.items()},
        invalid.message,
        invalid.field_params,
    )


async def _taken(request: Request, taken: service.BookingTaken) -> Response[TakenProblem]:
    """409: what holds the time (public labels only) and rooms free for the whole period."""
    holds = taken.conflicts
    codes = await listing.room_codes([hold.room_id for hold in holds])
    titles = await _labels(list(holds))
    conflicts = [
        ConflictOut(
            room=codes.get(hold.room_id, ""),
            starts_at=instant(hold.starts_at) or "",
            ends_at=instant(hold.ends_at) or "",
            kind=hold.kind,
            label=_hold_label(hold, titles),
        )
        for hold in holds
    ]
    month = dates.to_local(holds[0].starts_at).strftime("%Y-%m") if holds else ""
    alternatives = [
        AlternativeOut(
            room=room["code"],
            name=pick(room["name_ja"], room["name_en"]),
            floor=room["floor"],
            capacity=room["capacity"],
            availability_url=request.app.route_reverse("bookings:room_month", code=room["code"])
            + (f"?month={month}" if month else ""),
        )
        for room in taken.alternatives
    ]
    problem = TakenProblem(
        type="about:blank",
        title=gettext(TITLES[409]),
        status=409,
        detail=gettext(taken.message),
        conflicts=conflicts,
        alternatives=alternatives,
    )
    return Response(problem, status_code=409, media_type=PROBLEM)


class BookingsApiController(Controller):
    """Bookings as members of their groups and booking staff see them: a member's request (the
    one handler that needs more than a login), the list, one booking, and cancellation."""

    path = "/api/bookings"
    guards = (requires_login,)
    tags = ("bookings",)

    @post(
        "/",
        name="bookings:api_create",
        guards=[requires_member],  # creating needs a member; reading and cancelling a login
        status_code=201,
        exception_handlers=API_ERRORS,
        responses={
            409: ResponseSpec(
                data_container=TakenProblem,
                description="The time was taken (perhaps a moment ago): what holds it and free rooms",
                media_type=PROBLEM,
            )
        },
    )
    async def api_create(self, request: Request, data: JSONBody[BookingIn]) -> Response[BookingOut]:
        """Request a room for one of your groups: takes a tentative hold at once, which lapses unless
        the center approves it in time. `agree_to_terms` must be true (the terms of use in force are
        recorded on the booking). 400 with per-field messages when a rule refuses it; 409 when the
        time is taken, listing free rooms."""
        if data.group_id not in request.user.group_ids:
            raise ValidationFailed({"group_id": N_("Choose a group.")})
        room = await room_by_code(data.room) if data.room else None
        try:
            version = check_agreement(data.agree_to_terms, None, await current_terms())
            booking_request = parse_request(_form_data(data), room)
            booking_id = await service.request_booking(
                booking_request, data.group_id, actor_of(request), terms_agreed=True, terms_version=version
            )
        except service.BookingTaken as taken:
            return await _taken(request, taken)  # type: ignore[return-value]
        except ValidationFailed as invalid:
            raise _api_fields(invalid) from None
        location = request.app.route_reverse("bookings:api_detail", booking_id=booking_id)
        return Response(await _one(request, booking_id), status_code=201, headers={"Location": location})

    @get("/", name="bookings:api_list")
    async def api_list(
        self,
        request: Request,
        status: Annotated[
            str | None, QueryParameter(description="requested, approved, declined, cancelled or lapsed")
        ] = None,
        start: Annotated[
            str | None, QueryParameter(name="from", description="First day of use, YYYY-MM-DD")
        ] = None,
        end: Annotated[
            str | None, QueryParameter(name="to", description="Last day of use, YYYY-MM-DD")
        ] = None,
        limit: Annotated[
            int, QueryParameter(ge=1, le=MAX_LIST, description="At most this many")
        ] = DEFAULT_LIST,
    ) -> BookingListOut:
        """Your groups' bookings by time of use (booking staff: every group's)."""
        if status and status not in STATUS_LABELS:
            raise ValidationFailed({"status": N_("Choose a status from the list.")})
        first, last = date_param(start, "from"), date_param(end, "to")
        if first and last and last < first:
            raise ValidationFailed({"to": N_("The last day must not be before the first day.")})
        group_ids = None if is_staff(request) else request.user.group_ids
        total, rows = await listing.bookings_between(
            group_ids=group_ids, status=status, first=first, last=last, limit=limit
        )
        return BookingListOut(total=total, limit=limit, bookings=[booking_out(request, row) for row in rows])

    @get("/{booking_id:int}", name="bookings:api_detail")
    async def api_detail(self, request: Request, booking_id: FromPath[int]) -> BookingOut:
        """One booking: members of its group and booking staff (front desk, manager) only."""
        await visible_booking(request, booking_id)
        return await _one(request, booking_id)

    @post(
        "/{booking_id:int}/cancel",
        name="bookings:api_cancel",
        status_code=200,
        exception_handlers=API_ERRORS,
    )
    async def api_cancel(
        self, request: Request, booking_id: FromPath[int], data: JSONBody[CancelIn | None] = None
    ) -> BookingOut:
        """Cancel a booking and release the room at once, recording the refund due. Members of the
        group until the online deadline; booking staff at any time, with a reason."""
        await visible_booking(request, booking_id)
        reason = (data.reason if data else "").strip()
        if len(reason) > 500:
            raise ValidationFailed({"reason": N_("Use at most 500 characters.")})
        user = request.user
        await service.cancel(
            booking_id,
            actor_of(request),
            reason,
            group_ids=tuple(user.group_ids),
        )
        return await _one(request, booking_id)


ROUTES = [BookingsApiController]
