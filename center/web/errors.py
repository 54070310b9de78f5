"""One exception handler: a page in the user's language for HTML, problem details for the API."""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from center.lib.errors import DomainError, ValidationFailed
from center.lib.i18n import N_, gettext

logger = logging.getLogger("center")

TITLES = {
    400: N_("The request could not be understood."),
    401: N_("Please log in to continue."),
    403: N_("You do not have permission to do this."),
    404: N_("The page was not found."),
    405: N_("This action is not allowed here."),
    409: N_("This conflicts with the current state."),
    429: N_("Too many requests. Please wait a moment."),
    500: N_("Something went wrong on our side."),
}


def request_id(request: Request) -> str:
    """The id the access log gives this request (set in the scope by center.shell.ops.access)."""
    state = request.scope.get("state") or {}
    return str(state.get("request_id", ""))


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _detail(exc: Exception, status: int) -> tuple[str, dict[str, str]]:
    if isinstance(exc, ValidationFailed):
        return gettext(exc.message), exc.translated()
    if isinstance(exc, DomainError):
        return gettext(exc.message, **exc.params), {}
    if isinstance(exc, PermissionDeniedException) and "CSRF" in str(exc.detail):
        return gettext("The form has expired. Please reload the page and try again."), {}
    if isinstance(exc, ValidationException):
        return gettext("Some of the values sent are not valid."), {}
    return gettext(TITLES.get(status, TITLES[500])), {}


def handle_exception(request: Request, exc: Exception) -> Response[Any]:
    if isinstance(exc, (DomainError, HTTPException)):
        status = exc.status_code
    else:
        status = HTTP_500_INTERNAL_SERVER_ERROR
        logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    detail, errors = _detail(exc, status)
    title = gettext(TITLES.get(status, TITLES[500]))
    if wants_json(request):
        body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
        if errors:
            body["errors"] = errors
        if isinstance(exc, DomainError) and hasattr(exc, "conflicts"):
            body["conflicts"] = [
                {
                    "hold_id": c.id,
                    "room_id": c.room_id,
                    "starts_at": c.starts_at.isoformat(),
                    "ends_at": c.ends_at.isoformat(),
                    "kind": c.kind,
                    "label": c.label,
                }
                for c in exc.conflicts
            ]
        return Response(body, status_code=status, media_type="application/problem+json")
    headers = {}
    if isinstance(exc, HTTPException) and exc.headers:
        headers.update(exc.headers)
    return Template(
        template_name="errors/error.html",
        context={
            "status": status,
            "title": title,
            "detail": detail,
            "errors": errors,
            "login_needed": isinstance(exc, NotAuthorizedException),
            # For the staff to find this request's log lines (the traceback is there, never here).
            "request_id": request_id(request),
        },
        status_code=status,
        headers=headers,
        media_type=MediaType.HTML,
    )
