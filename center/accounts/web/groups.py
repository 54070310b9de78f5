"""Group pages: applying to register (団体登録), a member's own groups, and the manager's register of
groups."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from center.accounts import audit_log, group_record, groups
from center.accounts.guards import (
    PUBLIC,
    requires_manager,
    requires_member,
)
from center.accounts.listing import page_number
from center.accounts.web.common import (
    APPLIED_KEY,
    DECISION_DONE,
    field_errors,
    form_values,
    group_form_values,
    page_context,
    text_field,
)
from center.lib.errors import Conflict, DomainError, ValidationFailed
from center.lib.i18n import N_, gettext
from center.web.forms import Form
from center.web.forwarded import client_address
from center.web.htmx import VARY, wants_partial
from center.web.templating import flash


def _apply_page(
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
    message: str = "",
    headers: dict[str, str] | None = None,
) -> Template:
    return Template(
        "accounts/apply.html",
        context=page_context(
            values=values,
            errors=errors,
            message=message,
            member_rows=range(groups.MAX_MEMBER_ROWS),
            member_field=groups.member_field,
        ),
        status_code=status_code,
        headers=headers,
    )


# ---- the member's own groups ----------------------------------------------------------------


class MyGroupsController(Controller):
    """The signed-in member's own groups."""

    path = "/my/groups"
    guards = (requires_member,)

    @get("/", name="accounts:my_groups")
    async def my_groups(self, request: HTMXRequest) -> Template:
        """The signed-in member's approved groups, their details and members."""
        found = await groups.approved_groups_with_members(request.user.id)
        return Template("accounts/my_groups.html", context=page_context(groups=found))


# ---- managing groups ------------------------------------------------------------------------


async def _group_page(
    group_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    message: str = "",
    open_edit: bool = False,
    status_code: int = 200,
) -> Template:
    group = await groups.get_group(group_id)
    return Template(
        "accounts/group_detail.html",
        context=page_context(
            group=group,
            no_shows=await group_record.no_shows(group_id),
            members=await groups.members_of(group_id),
            history=await audit_log.history("group", group_id),
            decisions=[d for d, (allowed, _, _) in groups.DECISIONS.items() if group["status"] in allowed],
            reason_required={d: rule[2] for d, rule in groups.DECISIONS.items()},
            errors=errors or {},
            values=values or group_form_values(group),
            message=message,
            open_edit=open_edit,
        ),
        status_code=status_code,
    )


def _back_to_group(request: HTMXRequest, group_id: int) -> Redirect:
    return Redirect(
        path=request.app.route_reverse("accounts:group_detail", group_id=group_id), status_code=303
    )


# ---- managing accounts ----------------------------------------------------------------------


class GroupApplicationController(Controller):
    """A group applies to register (団体登録): the form, the application, the page after it. Public."""

    path = "/groups/apply"

    @get("/", name="accounts:apply_form", opt=PUBLIC)
    async def apply_form(self) -> Template:
        """The group registration form."""
        return _apply_page({"reduction": "none", "in_city": "yes", "commercial": "no"}, {})

    @post("/", name="accounts:apply", opt=PUBLIC)
    async def apply(self, request: HTMXRequest, data: Form) -> Template | Redirect:
        """Register a group and its members' accounts for review."""
        try:
            group_id = await groups.submit_application(data, address=client_address(request))
        except ValidationFailed as exc:
            return _apply_page(form_values(data), field_errors(exc), status_code=400)
        except DomainError as exc:  # too many applications from this connection
            retry_after = getattr(exc, "retry_after", None)
            return _apply_page(
                form_values(data),
                {},
                status_code=exc.status_code,
                message=gettext(exc.message, **exc.params),
                headers={"Retry-After": str(retry_after)} if retry_after else None,
            )
        request.session[APPLIED_KEY] = group_id
        return Redirect(path=request.app.route_reverse("accounts:applied"), status_code=303)

    @get("/done", name="accounts:applied", opt=PUBLIC)
    async def applied(self, request: HTMXRequest) -> Template | Redirect:
        """The confirmation with the reference number, for the visitor who just applied."""
        group_id = request.session.get(APPLIED_KEY) if isinstance(request.session, dict) else None
        if not group_id:
            return Redirect(path=request.app.route_reverse("accounts:apply_form"), status_code=303)
        group = await groups.get_group(int(group_id))
        members = await groups.members_of(group["id"])
        return Template("accounts/applied.html", context=page_context(group=group, members=members))


class ManageGroupsController(Controller):
    """The manager's register of groups: search, a group's page, edits, decisions and members."""

    path = "/manage/groups"
    guards = (requires_manager,)

    @get("/", name="accounts:manage_groups")
    async def manage_groups(
        self,
        request: HTMXRequest,
        status: FromQuery[str] = "",
        q: FromQuery[str] = "",
        page: FromQuery[str] = "1",
    ) -> Template:
        """Every group, those awaiting review first, with a status filter and a name search."""
        status = status if status in groups.STATUSES else ""
        found = await groups.list_groups(status, q, page_number(page))
        context = page_context(page=found, status=status, q=q, counts=await groups.status_counts())
        if wants_partial(request):
            return Template("accounts/_group_results.html", context=context, headers=VARY)
        return Template("accounts/manage_groups.html", context=context, headers=VARY)

    @get("/{group_id:int}", name="accounts:group_detail")
    async def group_detail(self, group_id: FromPath[int]) -> Template:
        """A group's details, members, decisions and history."""
        return await _group_page(group_id)

    @post("/{group_id:int}/edit", name="accounts:group_edit")
    async def group_edit(
        self, request: HTMXRequest, group_id: FromPath[int], data: Form
    ) -> Template | Redirect:
        """Correct a group's details."""
        try:
            await groups.update_group(group_id, data, actor=request.user)
        except ValidationFailed as exc:
            return await _group_page(
                group_id, errors=field_errors(exc), values=form_values(data), open_edit=True, status_code=400
            )
        flash(request, N_("The group's details were saved."))
        return _back_to_group(request, group_id)

    @post(
        "/{group_id:int}/decision/{decision:str}",
        name="accounts:group_decide",
    )
    async def group_decide(
        self, request: HTMXRequest, group_id: FromPath[int], decision: FromPath[str], data: Form
    ) -> Template | Redirect:
        """Approve, decline, suspend or reinstate a group, with a reason."""
        try:
            await groups.decide(group_id, decision, text_field(data, "reason"), actor=request.user)
        except ValidationFailed as exc:
            errors = field_errors(exc, {"reason": f"{decision}_reason"})
            return await _group_page(group_id, errors=errors, status_code=400)
        except Conflict as exc:
            return await _group_page(group_id, message=gettext(exc.message), status_code=409)
        flash(request, DECISION_DONE[decision])
        return _back_to_group(request, group_id)

    @post("/{group_id:int}/members", name="accounts:group_add_member")
    async def group_add_member(
        self, request: HTMXRequest, group_id: FromPath[int], data: Form
    ) -> Template | Redirect:
        """Add an existing account to the group."""
        try:
            await groups.add_member(
                group_id,
                text_field(data, "username"),
                text_field(data, "is_representative") == "yes",
                actor=request.user,
            )
        except ValidationFailed as exc:
            errors = field_errors(exc, {"username": "member_username"})
            values = {"member_username": text_field(data, "username")}
            group = await groups.get_group(group_id)
            return await _group_page(
                group_id, errors=errors, values={**group_form_values(group), **values}, status_code=400
            )
        flash(request, N_("The member was added."))
        return _back_to_group(request, group_id)

    @post(
        "/{group_id:int}/members/{user_id:int}/remove",
        name="accounts:group_remove_member",
    )
    async def group_remove_member(
        self, request: HTMXRequest, group_id: FromPath[int], user_id: FromPath[int]
    ) -> Template | Redirect:
        """Take an account out of the group."""
        try:
            await groups.remove_member(group_id, user_id, actor=request.user)
        except Conflict as exc:
            return await _group_page(group_id, message=gettext(exc.message), status_code=409)
        flash(request, N_("The member was removed from the group."))
        return _back_to_group(request, group_id)
