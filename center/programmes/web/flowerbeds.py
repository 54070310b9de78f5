"""Flower-bed days on the web: the public list and day pages with signing up, a signup's private
page (see or cancel it), and the staff's pages to plan, edit, cancel or postpone a day for the
weather and cancel a signup for someone who phoned."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from center.accounts.guards import PUBLIC, requires_front_desk
from center.lib.dates import today
from center.lib.errors import DomainError, ValidationFailed
from center.lib.i18n import N_
from center.places import forms
from center.places.contact import center_contact
from center.programmes import flowerbeds
from center.programmes.flowerbed_signups import signup_day
from center.programmes.web.common import Form, field_errors, form_values, labels, message_of
from center.web.forwarded import client_address
from center.web.redirects import redirect
from center.web.templating import flash


async def _day_page(
    day_id: FromPath[int], values: dict, errors: dict, message: str = "", status: int = 200
) -> Template:
    day = await flowerbeds.get_day(day_id)
    [day] = await flowerbeds.with_places([day])
    open_for_signup = day["status"] == "planned" and day["day"] >= today()
    return Template(
        "programmes/flowerbed_day.html",
        context={
            "day": day,
            "values": values,
            "errors": errors,
            "message": message,
            "open_for_signup": open_for_signup,
            "max_companions": flowerbeds.MAX_COMPANIONS,
            **labels(),
        },
        status_code=status,
    )


def _day_values(day: dict) -> dict[str, str]:
    values = {key: str(day[key] or "") for key in ("title_ja", "title_en", "beds", "meeting_point", "bring")}
    values.update(
        description=day["description"],
        day=day["day"].isoformat(),
        starts=day["starts"].strftime("%H:%M"),
        ends=day["ends"].strftime("%H:%M"),
        capacity=str(day["capacity"]),
        rain_plan=day["rain_plan"],
        rain_date=day["rain_date"].isoformat() if day["rain_date"] else "",
    )
    return values


def _edit_page(request: Request, day: dict, values: dict, errors: dict, status: int = 200) -> Template:
    return Template(
        "programmes/day_form.html",
        context={
            "values": values,
            "errors": errors,
            "day": day,
            "form_action": request.app.route_reverse("programmes:day_update", day_id=day["id"]),
            **labels(),
        },
        status_code=status,
    )


async def _manage_page(
    request: Request, day_id: FromPath[int], errors: dict | None = None, status: int = 200
) -> Template:
    day = await flowerbeds.get_day(day_id)
    [day] = await flowerbeds.with_places([day])
    signups = await flowerbeds.signups_of(day_id)
    new_day = flowerbeds.default_new_day(day)
    return Template(
        "programmes/day_manage.html",
        context={
            "day": day,
            "signups": signups,
            "errors": errors or {},
            "new_day": new_day.isoformat() if new_day else "",
            "phone_only": [s for s in signups if s["status"] != "cancelled" and not s["email"]],
            "notices": await flowerbeds.notices_of(day_id),
            **labels(),
        },
        status_code=status,
    )


async def _cancel(request: Request, cancelling: Awaitable[Any], done: str) -> None:
    """Cancel a signup and say how it went: `done`, or why it was refused (no such signup: 404)."""
    try:
        await cancelling
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        flash(request, exc.message, "error")
    else:
        flash(request, done)


class FlowerbedController(Controller):
    """Flower-bed days and signing up, for everyone."""

    path = "/flowerbeds"
    opt = PUBLIC

    @get("/", name="programmes:flowerbeds")
    async def public_list(self, request: Request) -> Template:
        """Upcoming flower-bed days with the places left; cancelled and postponed days say so."""
        days = await flowerbeds.upcoming_days()
        return Template("programmes/flowerbeds.html", context={"days": days, **labels()})

    @get("/{day_id:int}", name="programmes:flowerbed_day")
    async def public_day(self, request: Request, day_id: FromPath[int]) -> Template:
        return await _day_page(day_id, {"companions": "0"}, {})

    @post("/{day_id:int}/signup", name="programmes:flowerbed_signup")
    async def sign_up(self, request: Request, day_id: FromPath[int], data: Form) -> Template | Redirect:
        """Sign up (POST → 303 to the private link's page)."""
        values = form_values(data)
        await flowerbeds.get_day(day_id)  # a missing day is a 404 before anything else
        try:
            fields = flowerbeds.parse_signup(data)
            signup, token = await flowerbeds.sign_up(day_id, fields, address=client_address(request))
        except ValidationFailed as exc:
            return await _day_page(day_id, values, field_errors(exc), status=400)
        except DomainError as exc:
            return await _day_page(day_id, values, {}, message_of(exc), status=exc.status_code)
        if signup["status"] == "confirmed":
            flash(request, N_("You are signed up. Note your signup code below to check or cancel later."))
        else:
            flash(
                request,
                N_(
                    "The day is full, so you are on the waiting list. "
                    "Note your signup code below to check or cancel."
                ),
                "info",
            )
        return redirect(request, "programmes:signup_view", token=token)

    @get("/signups/{token:str}", name="programmes:signup_view")
    async def signup_view(self, request: Request, token: FromPath[str]) -> Template:
        """The private page of one signup (anyone with the link; not indexed)."""
        signup, day = await flowerbeds.signup_by_token(token)
        position = await flowerbeds.waiting_position(signup)
        return Template(
            "programmes/signup.html",
            context={
                "signup": signup,
                "day": day,
                "token": token,
                "position": position,
                "contact": await center_contact(),
                **labels(),
            },
            headers={
                "X-Robots-Tag": "noindex",
                "Referrer-Policy": "no-referrer",
                "Cache-Control": "no-store",
            },
        )

    @post("/signups/{token:str}/cancel", name="programmes:signup_cancel")
    async def signup_cancel(self, request: Request, token: FromPath[str]) -> Redirect:
        await _cancel(
            request,
            flowerbeds.cancel_signup(token),
            N_("Your signup is cancelled. Thank you for letting us know."),
        )
        return redirect(request, "programmes:signup_view", token=token)


class FlowerbedManageController(Controller):
    """Planning and running flower-bed days (front desk)."""

    path = "/manage/flowerbeds"
    guards = (requires_front_desk,)

    @get("/", name="programmes:manage_flowerbeds")
    async def manage_list(self, request: Request) -> Template:
        return Template(
            "programmes/manage_flowerbeds.html",
            context={
                "upcoming": await flowerbeds.upcoming_days(),
                "recent": await flowerbeds.recent_days(),
                **labels(),
            },
        )

    @get("/new", name="programmes:day_form")
    async def day_form(self, request: Request) -> Template:
        values = {"starts": "09:30", "ends": "11:30", "capacity": "20", "rain_plan": "postpone"}
        return Template("programmes/day_form.html", context={"values": values, "errors": {}, **labels()})

    @post("/", name="programmes:day_create")
    async def day_create(self, request: Request, data: Form) -> Template | Redirect:
        try:
            fields = flowerbeds.parse_day_form(data)
        except ValidationFailed as exc:
            return Template(
                "programmes/day_form.html",
                context={"values": form_values(data), "errors": field_errors(exc), **labels()},
                status_code=400,
            )
        day_id = await flowerbeds.plan_day(fields, actor=request.user)
        flash(request, N_("The flower-bed day is planned and open for signups."))
        return redirect(request, "programmes:day_manage", day_id=day_id)

    @get("/{day_id:int}/edit", name="programmes:day_edit")
    async def day_edit(self, request: Request, day_id: FromPath[int]) -> Template:
        """Change a planned day's text, places and rain plan."""
        day = await flowerbeds.get_day(day_id)
        return _edit_page(request, day, _day_values(day), {})

    @post("/{day_id:int}/edit", name="programmes:day_update")
    async def day_update(self, request: Request, day_id: FromPath[int], data: Form) -> Template | Redirect:
        day = await flowerbeds.get_day(day_id)
        try:
            fields = flowerbeds.parse_day_form(data)
            promoted = await flowerbeds.update_day(day_id, fields, actor=request.user)
        except ValidationFailed as exc:
            return _edit_page(request, day, form_values(data), field_errors(exc), status=400)
        except DomainError as exc:
            flash(request, exc.message, "error")
        else:
            if promoted:
                flash(request, N_("The day is saved, and people on the waiting list moved up and were told."))
            else:
                flash(request, N_("The day is saved."))
        return redirect(request, "programmes:day_manage", day_id=day_id)

    @get("/{day_id:int}", name="programmes:day_manage")
    async def day_manage(self, request: Request, day_id: FromPath[int]) -> Template:
        """Who signed up (names and contacts: staff only), the waiting list, the weather actions."""
        return await _manage_page(request, day_id)

    @post("/{day_id:int}/weather", name="programmes:day_weather")
    async def day_weather(self, request: Request, day_id: FromPath[int], data: Form) -> Template | Redirect:
        """Cancel or postpone the day for the weather; everyone signed up is told."""
        await flowerbeds.get_day(day_id)
        action = forms.text(data, "action")
        note = forms.text(data, "note", 500)
        errors = forms.FieldErrors()
        try:
            if action == "cancel":
                await flowerbeds.cancel_day(day_id, note, request.user)
                flash(request, N_("The day is cancelled and everyone signed up has been told."))
            elif action == "postpone":
                new_day = forms.day(data, "new_day", errors, N_("Enter a date like 2026-12-01."))
                if new_day is None:
                    raise ValidationFailed(dict(errors))
                await flowerbeds.postpone_day(day_id, new_day, note, request.user)
                flash(request, N_("The day is postponed and everyone signed up has been told."))
            else:
                raise ValidationFailed({"action": N_("Choose to cancel or to postpone.")})
        except ValidationFailed as exc:
            return await _manage_page(request, day_id, field_errors(exc), status=400)
        except DomainError as exc:
            flash(request, exc.message, "error")
            return redirect(request, "programmes:day_manage", day_id=day_id)
        return redirect(request, "programmes:day_manage", day_id=day_id)

    @post("/signups/{signup_id:int}/cancel", name="programmes:staff_cancel_signup")
    async def staff_cancel(self, request: Request, signup_id: FromPath[int]) -> Redirect:
        """Cancel a signup for someone who phoned the center."""
        day_id = await signup_day(signup_id)
        await _cancel(
            request,
            flowerbeds.staff_cancel_signup(signup_id, request.user),
            N_("The signup is cancelled; the waiting list moved up if a place opened."),
        )
        return redirect(request, "programmes:day_manage", day_id=day_id)


ROUTES = [FlowerbedController, FlowerbedManageController]
