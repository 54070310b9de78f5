"""Pages for group registration (団体登録), the member's own groups, account management and the
audit log. Forms work as plain POSTs with a 303 redirect; bad input re-renders the form with
status 400 and every problem tied to its field. List searches update in place with htmx."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from center.accounts import audit_log, groups, users
from center.accounts.guards import (
    PUBLIC,
    keep_session_after_password_change,
    requires_manager,
    requires_member,
)
from center.accounts.listing import page_number
from center.accounts.roles import ROLE_LABELS, STAFF_ROLES
from center.lib import dates
from center.lib.errors import Conflict, DomainError, ValidationFailed
from center.lib.i18n import N_, gettext
from center.shell.pages import client_address
from center.web.templating import flash

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]

APPLIED_KEY = "applied_group"
DECISION_DONE = {
    "approve": N_("The group was approved. Its members can now log in."),
    "decline": N_("The application was declined."),
    "suspend": N_("The group was suspended."),
    "reinstate": N_("The group was reinstated."),
}


# ---- display helpers shared by the templates ------------------------------------------------


def show_value(field: str, value: Any) -> str:
    """An audit value as people read it: labels for known codes, dates in the user's form."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if field == "status" and value in groups.STATUS_LABELS:
        return gettext(groups.STATUS_LABELS[value])
    if field == "reduction" and value in groups.REDUCTION_LABELS:
        return gettext(groups.REDUCTION_LABELS[value])
    if field == "roles" and isinstance(value, list):
        return "、".join(gettext(ROLE_LABELS.get(role, role)) for role in value) or "—"
    if isinstance(value, list):
        return ", ".join(show_value(field, item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {show_value(key, item)}" for key, item in value.items())
    if isinstance(value, str) and len(value) >= 16 and value[4:5] == "-" and value[10:11] == "T":
        try:
            return dates.format_datetime(datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-":
        try:
            return dates.format_date(date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def _label(table: dict[str, str], key: str) -> str:
    return gettext(table[key]) if key in table else key


def _context(**extra: Any) -> dict[str, Any]:
    return {
        "status_label": lambda s: _label(groups.STATUS_LABELS, s),
        "reduction_label": lambda r: _label(groups.REDUCTION_LABELS, r),
        "action_label": lambda a: _label(audit_log.ACTION_LABELS, a),
        "entity_label": lambda e: _label(audit_log.ENTITY_LABELS, e),
        "field_label": lambda f: _label(audit_log.FIELD_LABELS, f),
        "show_value": show_value,
        "statuses": groups.STATUSES,
        "reductions": groups.REDUCTIONS,
        "staff_roles": STAFF_ROLES,
        "role_options": [(role, gettext(ROLE_LABELS[role])) for role in STAFF_ROLES],
        **extra,
    }


def _errors(exc: ValidationFailed, rename: dict[str, str] | None = None) -> dict[str, str]:
    """Field -> message in the user's language, with field names mapped to the ids on the page."""
    rename = rename or {}
    return {rename.get(field, field): gettext(message) for field, message in exc.errors.items()}


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value or "")


def _form_values(data: dict[str, Any]) -> dict[str, str]:
    """What to put back in a re-rendered form: everything except passwords."""
    return {
        key: _text(data, key)
        for key in data
        if not key.startswith("_") and "password" not in key and "confirm" not in key
    }


def _group_form_values(group: dict[str, Any]) -> dict[str, str]:
    values = {name: str(group[name]) for name in groups.GROUP_FIELDS}
    values["in_city"] = "yes" if group["in_city"] else "no"
    values["commercial"] = "yes" if group["commercial"] else "no"
    return values


def _partial(request: HTMXRequest) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


# ---- group registration (visitors) ----------------------------------------------------------


def _apply_page(
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
    message: str = "",
    headers: dict[str, str] | None = None,
) -> Template:
    return Template(
        "accounts/apply.html",
        context=_context(
            values=values,
            errors=errors,
            message=message,
            member_rows=range(groups.MAX_MEMBER_ROWS),
            member_field=groups.member_field,
        ),
        status_code=status_code,
        headers=headers,
    )


@get("/groups/apply", name="accounts:apply_form", opt=PUBLIC)
async def apply_form() -> Template:
    """The group registration form."""
    return _apply_page({"reduction": "none", "in_city": "yes", "commercial": "no"}, {})


@post("/groups/apply", name="accounts:apply", opt=PUBLIC)
async def apply(request: HTMXRequest, data: Form) -> Template | Redirect:
    """Register a group and its members' accounts for review."""
    try:
        group_id = await groups.submit_application(data, address=client_address(request))
    except ValidationFailed as exc:
        return _apply_page(_form_values(data), _errors(exc), status_code=400)
    except DomainError as exc:  # too many applications from this connection
        retry_after = getattr(exc, "retry_after", None)
        return _apply_page(
            _form_values(data),
            {},
            status_code=exc.status_code,
            message=gettext(exc.message, **exc.params),
            headers={"Retry-After": str(retry_after)} if retry_after else None,
        )
    request.session[APPLIED_KEY] = group_id
    return Redirect(path=request.app.route_reverse("accounts:applied"), status_code=303)


@get("/groups/apply/done", name="accounts:applied", opt=PUBLIC)
async def applied(request: HTMXRequest) -> Template | Redirect:
    """The confirmation with the reference number, for the visitor who just applied."""
    group_id = request.session.get(APPLIED_KEY) if isinstance(request.session, dict) else None
    if not group_id:
        return Redirect(path=request.app.route_reverse("accounts:apply_form"), status_code=303)
    group = await groups.get_group(int(group_id))
    members = await groups.members_of(group["id"])
    return Template("accounts/applied.html", context=_context(group=group, members=members))


# ---- the member's own groups ----------------------------------------------------------------


@get("/my/groups", name="accounts:my_groups", guards=[requires_member])
async def my_groups(request: HTMXRequest) -> Template:
    """The signed-in member's approved groups, their details and members."""
    found = await groups.approved_groups_of(request.user.id)
    return Template("accounts/my_groups.html", context=_context(groups=found))


# ---- managing groups ------------------------------------------------------------------------


@get("/manage/groups", name="accounts:manage_groups", guards=[requires_manager])
async def manage_groups(
    request: HTMXRequest, status: FromQuery[str] = "", q: FromQuery[str] = "", page: FromQuery[str] = "1"
) -> Template:
    """Every group, those awaiting review first, with a status filter and a name search."""
    status = status if status in groups.STATUSES else ""
    found = await groups.list_groups(status, q, page_number(page))
    context = _context(page=found, status=status, q=q, counts=await groups.status_counts())
    if _partial(request):
        return Template("accounts/_group_results.html", context=context, headers={"Vary": "HX-Request"})
    return Template("accounts/manage_groups.html", context=context, headers={"Vary": "HX-Request"})


async def _group_page(
    group_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    message: str = "",
    open_edit: bool = False,
    status_code: int = 200,
) -> Template:
    from bookings.desk_checkin import group_no_shows  # the front desk's record of this group

    group = await groups.get_group(group_id)
    return Template(
        "accounts/group_detail.html",
        context=_context(
            group=group,
            no_shows=await group_no_shows(group_id),
            members=await groups.members_of(group_id),
            history=await audit_log.history("group", group_id),
            decisions=[d for d, (allowed, _, _) in groups.DECISIONS.items() if group["status"] in allowed],
            reason_required={d: rule[2] for d, rule in groups.DECISIONS.items()},
            errors=errors or {},
            values=values or _group_form_values(group),
            message=message,
            open_edit=open_edit,
        ),
        status_code=status_code,
    )


def _back_to_group(request: HTMXRequest, group_id: int) -> Redirect:
    return Redirect(
        path=request.app.route_reverse("accounts:group_detail", group_id=group_id), status_code=303
    )


@get("/manage/groups/{group_id:int}", name="accounts:group_detail", guards=[requires_manager])
async def group_detail(group_id: FromPath[int]) -> Template:
    """A group's details, members, decisions and history."""
    return await _group_page(group_id)


@post("/manage/groups/{group_id:int}/edit", name="accounts:group_edit", guards=[requires_manager])
async def group_edit(request: HTMXRequest, group_id: FromPath[int], data: Form) -> Template | Redirect:
    """Correct a group's details."""
    try:
        await groups.update_group(group_id, data, actor=request.user)
    except ValidationFailed as exc:
        return await _group_page(
            group_id, errors=_errors(exc), values=_form_values(data), open_edit=True, status_code=400
        )
    flash(request, N_("The group's details were saved."))
    return _back_to_group(request, group_id)


@post(
    "/manage/groups/{group_id:int}/decision/{decision:str}",
    name="accounts:group_decide",
    guards=[requires_manager],
)
async def group_decide(
    request: HTMXRequest, group_id: FromPath[int], decision: FromPath[str], data: Form
) -> Template | Redirect:
    """Approve, decline, suspend or reinstate a group, with a reason."""
    try:
        await groups.decide(group_id, decision, _text(data, "reason"), actor=request.user)
    except ValidationFailed as exc:
        errors = _errors(exc, {"reason": f"{decision}_reason"})
        return await _group_page(group_id, errors=errors, status_code=400)
    except Conflict as exc:
        return await _group_page(group_id, message=gettext(exc.message), status_code=409)
    flash(request, DECISION_DONE[decision])
    return _back_to_group(request, group_id)


@post("/manage/groups/{group_id:int}/members", name="accounts:group_add_member", guards=[requires_manager])
async def group_add_member(request: HTMXRequest, group_id: FromPath[int], data: Form) -> Template | Redirect:
    """Add an existing account to the group."""
    try:
        await groups.add_member(
            group_id,
            _text(data, "username"),
            _text(data, "is_representative") == "yes",
            actor=request.user,
        )
    except ValidationFailed as exc:
        errors = _errors(exc, {"username": "member_username"})
        values = {"member_username": _text(data, "username")}
        group = await groups.get_group(group_id)
        return await _group_page(
            group_id, errors=errors, values={**_group_form_values(group), **values}, status_code=400
        )
    flash(request, N_("The member was added."))
    return _back_to_group(request, group_id)


@post(
    "/manage/groups/{group_id:int}/members/{user_id:int}/remove",
    name="accounts:group_remove_member",
    guards=[requires_manager],
)
async def group_remove_member(
    request: HTMXRequest, group_id: FromPath[int], user_id: FromPath[int]
) -> Template | Redirect:
    """Take an account out of the group."""
    try:
        await groups.remove_member(group_id, user_id, actor=request.user)
    except Conflict as exc:
        return await _group_page(group_id, message=gettext(exc.message), status_code=409)
    flash(request, N_("The member was removed from the group."))
    return _back_to_group(request, group_id)


# ---- managing accounts ----------------------------------------------------------------------


@get("/manage/users", name="accounts:manage_users", guards=[requires_manager])
async def manage_users(
    request: HTMXRequest, q: FromQuery[str] = "", role: FromQuery[str] = "", page: FromQuery[str] = "1"
) -> Template:
    """Every account with its roles, state and groups; search by name, user name or e-mail."""
    role = role if role in (*STAFF_ROLES, "member") else ""
    found = await users.list_users(q, role, page_number(page))
    context = _context(page=found, q=q, role=role)
    if _partial(request):
        return Template("accounts/_user_results.html", context=context, headers={"Vary": "HX-Request"})
    return Template("accounts/manage_users.html", context=context, headers={"Vary": "HX-Request"})


async def _new_user_page(values: dict[str, Any], errors: dict[str, str], status_code: int = 200) -> Template:
    return Template(
        "accounts/user_new.html",
        context=_context(values=values, errors=errors, group_choices=await users.group_choices()),
        status_code=status_code,
    )


@get("/manage/users/new", name="accounts:user_new_form", guards=[requires_manager])
async def user_new_form() -> Template:
    """The form for a new staff or member account."""
    return await _new_user_page({"roles": []}, {})


@post("/manage/users/new", name="accounts:user_create", guards=[requires_manager])
async def user_create(request: HTMXRequest, data: Form) -> Template | Redirect:
    """Create a staff or member account."""
    try:
        user_id = await users.create_account(data, actor=request.user)
    except ValidationFailed as exc:
        values: dict[str, Any] = _form_values(data)
        values["roles"] = users.as_list(data.get("roles"))
        return await _new_user_page(values, _errors(exc), status_code=400)
    flash(request, N_("The account was created."))
    return Redirect(path=request.app.route_reverse("accounts:user_detail", user_id=user_id), status_code=303)


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
        context=_context(
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


@get("/manage/users/{user_id:int}", name="accounts:user_detail", guards=[requires_manager])
async def user_detail(request: HTMXRequest, user_id: FromPath[int]) -> Template:
    """One account: profile, roles, state, password reset and history."""
    return await _user_page(request, user_id)


@post("/manage/users/{user_id:int}/profile", name="accounts:user_profile", guards=[requires_manager])
async def user_profile(request: HTMXRequest, user_id: FromPath[int], data: Form) -> Template | Redirect:
    """Change an account's name, e-mail and phone."""
    try:
        await users.update_profile(user_id, data, actor=request.user)
    except ValidationFailed as exc:
        return await _user_page(
            request, user_id, errors=_errors(exc), values=_form_values(data), status_code=400
        )
    flash(request, N_("The account was saved."))
    return _back_to_user(request, user_id)


@post("/manage/users/{user_id:int}/roles", name="accounts:user_roles", guards=[requires_manager])
async def user_roles(request: HTMXRequest, user_id: FromPath[int], data: Form) -> Template | Redirect:
    """Replace an account's staff roles."""
    try:
        await users.change_roles(user_id, users.as_list(data.get("roles")), actor=request.user)
    except ValidationFailed as exc:
        return await _user_page(request, user_id, errors=_errors(exc), status_code=400)
    flash(request, N_("The roles were saved."))
    return _back_to_user(request, user_id)


@post("/manage/users/{user_id:int}/active", name="accounts:user_active", guards=[requires_manager])
async def user_active(request: HTMXRequest, user_id: FromPath[int], data: Form) -> Template | Redirect:
    """Activate or deactivate an account."""
    active = _text(data, "active") == "yes"
    try:
        await users.set_active(user_id, active, actor=request.user)
    except ValidationFailed as exc:
        return await _user_page(request, user_id, errors=_errors(exc), status_code=400)
    flash(request, N_("The account was activated.") if active else N_("The account was deactivated."))
    return _back_to_user(request, user_id)


@post("/manage/users/{user_id:int}/password", name="accounts:user_password", guards=[requires_manager])
async def user_password(request: HTMXRequest, user_id: FromPath[int], data: Form) -> Template | Redirect:
    """Set a new password for someone who forgot theirs."""
    try:
        await users.reset_password(
            user_id, _text(data, "password"), _text(data, "confirm"), actor=request.user
        )
    except ValidationFailed as exc:
        return await _user_page(request, user_id, errors=_errors(exc), status_code=400)
    if user_id == request.user.id:  # their own: this session goes on; the owner's others end
        await keep_session_after_password_change(request)
    flash(request, N_("The password was reset. Tell the new password to its owner in person or by phone."))
    return _back_to_user(request, user_id)


# ---- the audit log --------------------------------------------------------------------------


@get("/manage/audit", name="accounts:audit", guards=[requires_manager])
async def audit_view(
    request: HTMXRequest,
    entity: FromQuery[str] = "",
    entity_id: FromQuery[str] = "",
    action: FromQuery[str] = "",
    actor: FromQuery[str] = "",
    date_from: FromQuery[str] = "",
    date_to: FromQuery[str] = "",
    page: FromQuery[str] = "1",
) -> Template:
    """The audit log, newest first, filtered and 50 entries a page."""
    filters = {
        "entity": entity,
        "entity_id": entity_id,
        "action": action,
        "actor": actor,
        "date_from": date_from,
        "date_to": date_to,
    }
    errors: dict[str, str] = {}
    status_code = 200
    try:
        found = await audit_log.search(**filters, page=page_number(page))
    except ValidationFailed as exc:
        errors = _errors(exc)
        status_code = 400
        found = await audit_log.search(page=1)
    query = urlencode({key: value for key, value in filters.items() if value and key not in errors})
    return Template(
        "accounts/audit.html",
        context=_context(
            page=found,
            filters=filters,
            errors=errors,
            choices=await audit_log.filter_choices(),
            no_actor=audit_log.NO_ACTOR,
            query=query,
        ),
        status_code=status_code,
    )


ROUTES = [
    apply_form,
    apply,
    applied,
    my_groups,
    manage_groups,
    group_detail,
    group_edit,
    group_decide,
    group_add_member,
    group_remove_member,
    manage_users,
    user_new_form,
    user_create,
    user_detail,
    user_profile,
    user_roles,
    user_active,
    user_password,
    audit_view,
]
