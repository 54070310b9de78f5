"""Finding a flower-bed signup by its short code on the web: the public page "check or cancel
your signup" (code and the phone's last four digits) and the desk's lookup by code."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from center.accounts.guards import PUBLIC, requires_front_desk
from center.lib.errors import DomainError, ValidationFailed
from center.lib.i18n import N_
from center.places import forms
from center.places.contact import center_contact
from center.programmes import flowerbeds, signup_codes
from center.programmes.web.common import Form, field_errors, labels, message_of
from center.web.forwarded import client_address
from center.web.redirects import redirect
from center.web.templating import flash

PRIVATE = {"X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


async def _find_page(
    values: dict, errors: dict, message: str = "", status: int = 200, found: tuple | None = None
) -> Template:
    signup, day = found if found else (None, None)
    position = await flowerbeds.waiting_position(signup) if signup else None
    return Template(
        "programmes/signup_find.html",
        context={
            "values": values,
            "errors": errors,
            "message": message,
            "signup": signup,
            "day": day,
            "position": position,
            "contact": await center_contact(),
            **labels(),
        },
        status_code=status,
        headers=PRIVATE,
    )


class SignupFindController(Controller):
    """Checking or cancelling a signup by its code, for everyone."""

    path = "/flowerbeds/find"
    opt = PUBLIC

    @get("/", name="programmes:signup_find")
    async def find_form(self, request: Request) -> Template:
        """予約の確認・取り消し: the form for the code and the phone's last four digits."""
        return await _find_page({}, {})

    @post("/", name="programmes:signup_find_post")
    async def find(self, request: Request, data: Form) -> Template:
        """Show the signup behind a code and phone digits, with a button to cancel it."""
        values = {"code": forms.text(data, "code", 40), "digits": forms.text(data, "digits", 20)}
        try:
            code, digits = signup_codes.parse_lookup(data)
            found = await signup_codes.find_signup(code, digits, address=client_address(request))
        except ValidationFailed as exc:
            return await _find_page(values, field_errors(exc), status=400)
        except DomainError as exc:  # no match, or too many attempts from this connection
            return await _find_page(values, {}, message_of(exc), status=exc.status_code)
        return await _find_page({"code": code, "digits": digits}, {}, found=found)

    @post("/cancel", name="programmes:signup_find_cancel")
    async def cancel(self, request: Request, data: Form) -> Template | Redirect:
        """Cancel the signup behind a code and phone digits (POST → 303 to the find page)."""
        values = {"code": forms.text(data, "code", 40), "digits": forms.text(data, "digits", 20)}
        try:
            code, digits = signup_codes.parse_lookup(data)
            await signup_codes.cancel_with_code(code, digits, address=client_address(request))
        except ValidationFailed as exc:
            return await _find_page(values, field_errors(exc), status=400)
        except DomainError as exc:  # no match, already cancelled, the day is over, too many attempts
            return await _find_page(values, {}, message_of(exc), status=exc.status_code)
        flash(request, N_("Your signup is cancelled. Thank you for letting us know."))
        return redirect(request, "programmes:signup_find")


class StaffSignupFindController(Controller):
    """The desk's lookup of a signup by its code."""

    path = "/manage/flowerbeds/find"
    guards = (requires_front_desk,)

    @get("/", name="programmes:staff_signup_find")
    async def staff_find(self, request: Request) -> Template:
        """The desk finds a signup by the code a volunteer reads out, to check or cancel it."""
        raw = request.query_params.get("code", "")
        errors: dict = {}
        signup = day = None
        if raw:
            try:
                signup, day = await signup_codes.staff_find(raw)
            except ValidationFailed as exc:
                errors = field_errors(exc)
            except DomainError as exc:
                errors = {"code": message_of(exc)}
        return Template(
            "programmes/staff_signup_find.html",
            context={
                "values": {"code": forms.text({"c": raw}, "c", 40)},
                "errors": errors,
                "signup": signup,
                "day": day,
                **labels(),
            },
            status_code=400 if errors else 200,
        )


ROUTES = [SignupFindController, StaffSignupFindController]
