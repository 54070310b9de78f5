"""The answer to a form posted without htmx: 303 See Other to a named page (the browser then
GETs it, so a reload does not post again)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Redirect


def redirect(request: Request, name: str, **params: Any) -> Redirect:
    """303 to the route `name` with its path parameters."""
    return Redirect(path=request.app.route_reverse(name, **params), status_code=303)
