"""The audit log: who changed what, when, searchable."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, get
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from center.accounts import audit_log
from center.accounts.guards import (
    requires_manager,
)
from center.accounts.listing import page_number
from center.accounts.web.common import field_errors, page_context
from center.lib.errors import ValidationFailed


class AuditController(Controller):
    """The audit log, for managers."""

    path = "/manage/audit"
    guards = (requires_manager,)

    @get("/", name="accounts:audit")
    async def audit_view(
        self,
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
            errors = field_errors(exc)
            status_code = 400
            found = await audit_log.search(page=1)
        query = urlencode({key: value for key, value in filters.items() if value and key not in errors})
        return Template(
            "accounts/audit.html",
            context=page_context(
                page=found,
                filters=filters,
                errors=errors,
                choices=await audit_log.filter_choices(),
                no_actor=audit_log.NO_ACTOR,
                query=query,
            ),
            status_code=status_code,
        )
