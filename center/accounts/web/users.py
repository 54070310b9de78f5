"""The manager's accounts pages: search, new accounts, profile, roles, active, passwords."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from center.accounts import audit_log, users
from center.accounts.guards import (
    keep_session_after_password_change,
    requires_manager,
)
from center.accounts.listing import page_number
from center.accounts.roles import STAFF_ROLES
from center.accounts.web.common import field_errors, form_values, page_context, text_field
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_
from center.web.forms import Form
from center.web.htmx import VARY, wants_partial
from center.web.templating import flash


async def _new_user_page(values: dict[str, Any], errors: dict[str, str], status_code: int = 200) -> Template:
    return Template(
        "accounts/user_new.html",
        context=page_context(values=values, errors=errors, group_choices=await users.group_choices()),
        status_code=status_code,
    )


async def _user_page(
    request: HTMXRequest,
    user_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    user = await users.get_user(user_id)
    return Template(
        "accounts/user_detail.html",
        context=page_context(
            account=user,
            is_self=user_id == request.user.id,
            history=await audit_log.history("user", user_id),
            errors=errors or {},
            values=values or {k: user[k] for k in ("display_name", "email", "phone")},
        ),
        status_code=status_code,
    )


def _back_to_user(request: HTMXRequest, user_id: int) -> Redirect:
    return Redirect(path=request.app.route_reverse("accounts:user_detail", user_id=user_id), status_code=303)


# ---- the audit log --------------------------------------------------------------------------


class ManageUsersController(Controller):
    """The manager's accounts: search, new accounts, profile, roles, active, passwords."""

    path = "/manage/users"
    guards = (requires_manager,)

    @get("/", name="accounts:manage_users")
    async def manage_users(
        self,
        request: HTMXRequest,
        q: FromQuery[str] = "",
        role: FromQuery[str] = "",
        page: FromQuery[str] = "1",
    ) -> Template:
        """Every account with its roles, state and groups; search by name, user name or e-mail."""
        role = role if role in (*STAFF_ROLES, "member") else ""
        found = await users.list_users(q, role, page_number(page))
        context = page_context(page=found, q=q, role=role)
        if wants_partial(request):
            return Template("accounts/_user_results.html", context=context, headers=VARY)
        return Template("accounts/manage_users.html", context=context, headers=VARY)

    @get("/new", name="accounts:user_new_form")
    async def user_new_form(self) -> Template:
        """The form for a new staff or member account."""
        return await _new_user_page({"roles": []}, {})

    @post("/new", name="accounts:user_create")
    async def user_create(self, request: HTMXRequest, data: Form) -> Template | Redirect:
        """Create a staff or member account."""
        try:
            user_id = await users.create_account(data, actor=request.user)
        except ValidationFailed as exc:
            values: dict[str, Any] = form_values(data)
            values["roles"] = users.as_list(data.get("roles"))
            return await _new_user_page(values, field_errors(exc), status_code=400)
        flash(request, N_("The account was created."))
        return Redirect(
            path=request.app.route_reverse("accounts:user_detail", user_id=user_id), status_code=303
        )

    @get("/{user_id:int}", name="accounts:user_detail")
    async def user_detail(self, request: HTMXRequest, user_id: FromPath[int]) -> Template:
        """One account: profile, roles, state, password reset and history."""
        return await _user_page(request, user_id)

    @post("/{user_id:int}/profile", name="accounts:user_profile")
    async def user_profile(
        self, request: HTMXRequest, user_id: FromPath[int], data: Form
    ) -> Template | Redirect:
        """Change an account's name, e-mail and phone."""
        try:
            await users.update_profile(user_id, data, actor=request.user)
        except ValidationFailed as exc:
            return await _user_page(
                request, user_id, errors=field_errors(exc), values=form_values(data), status_code=400
            )
        flash(request, N_("The account was saved."))
        return _back_to_user(request, user_id)

    @post("/{user_id:int}/roles", name="accounts:user_roles")
    async def user_roles(
        self, request: HTMXRequest, user_id: FromPath[int], data: Form
    ) -> Template | Redirect:
        """Replace an account's staff roles."""
        try:
            await users.change_roles(user_id, users.as_list(data.get("roles")), actor=request.user)
        except ValidationFailed as exc:
            return await _user_page(request, user_id, errors=field_errors(exc), status_code=400)
        flash(request, N_("The roles were saved."))
        return _back_to_user(request, user_id)

    @post("/{user_id:int}/active", name="accounts:user_active")
    async def user_active(
        self, request: HTMXRequest, user_id: FromPath[int], data: Form
    ) -> Template | Redirect:
        """Activate or deactivate an account."""
        active = text_field(data, "active") == "yes"
        try:
            await users.set_active(user_id, active, actor=request.user)
        except ValidationFailed as exc:
            return await _user_page(request, user_id, errors=field_errors(exc), status_code=400)
        flash(request, N_("The account was activated.") if active else N_("The account was deactivated."))
        return _back_to_user(request, user_id)

    @post("/{user_id:int}/password", name="accounts:user_password")
    async def user_password(
        self, request: HTMXRequest, user_id: FromPath[int], data: Form
    ) -> Template | Redirect:
        """Set a new password for someone who forgot theirs."""
        try:
            await users.reset_password(
                user_id, text_field(data, "password"), text_field(data, "confirm"), actor=request.user
            )
        except ValidationFailed as exc:
            return await _user_page(request, user_id, errors=field_errors(exc), status_code=400)
        if user_id == request.user.id:  # their own: this session goes on; the owner's others end
            await keep_session_after_password_change(request)
        flash(
            request, N_("The password was reset. Tell the new password to its owner in person or by phone.")
        )
        return _back_to_user(request, user_id)
