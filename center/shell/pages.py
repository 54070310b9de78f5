"""The home page, the language switch, logging in and out, and the password change page."""

from __future__ import annotations

from urllib.parse import urlparse

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from center.accounts import service as accounts
from center.accounts.guards import PUBLIC, keep_session_after_password_change, requires_login, sign_in
from center.lib import dates
from center.lib.errors import DomainError, ValidationFailed
from center.lib.i18n import LOCALES, N_, gettext
from center.lib.settings import get_settings
from center.places.calendar import day_info
from center.shell.staff_counts import staff_counts
from center.web.conditional import visitor_page
from center.web.forms import Form
from center.web.forwarded import client_address
from center.web.locale import lang_cookie
from center.web.templating import flash


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths may be redirected to after login or a language switch."""
    if not target:
        return default
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


async def _home(request: Request) -> Template:
    from bookings.public import public_events_on  # the public face of the bookings domain

    today = dates.today()
    info = await day_info(today)
    events = await public_events_on(today)
    counts = await staff_counts(request.user)
    return Template(
        "center/home.html", context={"today": today, "info": info, "events": events, "counts": counts}
    )


class HomeController(Controller):
    """The home page and the language switch, for anyone."""

    path = "/"
    opt = PUBLIC

    @get("/", name="center:home")
    async def home(self, request: Request) -> Response | Template:
        """Today at the center: open or closed, today's public events, where to go next (a visitor's:
        conditional, center.web.conditional)."""
        return await visitor_page(request, lambda: _home(request))

    @post("/lang", name="center:set_language")
    async def set_language(self, request: Request, data: Form) -> Redirect:
        """Switch the interface language; works as a plain form post."""
        locale = str(data.get("lang", "ja"))
        if locale not in LOCALES:
            locale = "ja"
        response = Redirect(path=safe_next(str(data.get("next") or ""), "/"), status_code=303)
        response.set_cookie(lang_cookie(locale, get_settings().https))
        return response


class SessionController(Controller):
    """Logging in and out, for anyone."""

    path = "/"
    opt = PUBLIC

    @get("/login", name="center:login_form")
    async def login_form(self, request: Request, next: FromQuery[str | None] = None) -> Template:
        return Template("auth/login.html", context={"next": safe_next(next), "errors": {}, "username": ""})

    @post("/login", name="center:login")
    async def login(self, request: Request, data: Form) -> Template | Redirect:
        username = str(data.get("username", ""))
        target = safe_next(str(data.get("next") or ""))
        try:
            principal = await accounts.authenticate(
                username, str(data.get("password", "")), client_address(request)
            )
        except DomainError as exc:
            retry_after = getattr(exc, "retry_after", None)
            return Template(
                "auth/login.html",
                context={"next": target, "username": username, "error": gettext(exc.message, **exc.params)},
                status_code=exc.status_code,
                headers={"Retry-After": str(retry_after)} if retry_after else None,
            )
        await sign_in(request, principal)
        flash(request, N_("You are logged in."))
        return Redirect(path=target, status_code=303)

    @post("/logout", name="center:logout")
    async def logout(self, request: Request) -> Redirect:
        request.clear_session()
        return Redirect(path="/", status_code=303)


class PasswordController(Controller):
    """The signed-in person's password change."""

    path = "/account/password"
    guards = (requires_login,)

    @get("/", name="center:password_form")
    async def password_form(self, request: Request) -> Template:
        return Template("auth/password.html", context={"errors": {}})

    @post("/", name="center:change_password")
    async def change_password(self, request: Request, data: Form) -> Template | Redirect:
        try:
            await accounts.change_password(
                request.user.id,
                str(data.get("current", "")),
                str(data.get("new", "")),
                str(data.get("confirm", "")),
            )
        except ValidationFailed as exc:
            errors = {field: gettext(msg) for field, msg in exc.errors.items()}
            return Template("auth/password.html", context={"errors": errors}, status_code=400)
        await keep_session_after_password_change(request)
        flash(request, N_("Your password was changed."))
        return Redirect(path="/", status_code=303)


ROUTES = [HomeController, SessionController, PasswordController]
