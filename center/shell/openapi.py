"""The OpenAPI schema describes the JSON API and nothing else, honestly.

- Only /api/ operations are in it: every other route (HTML pages, feeds, PDFs, CSV) is left out,
  whoever wrote it, because the shell marks them here once at start-up.
- Each operation lists every status it can answer besides its success: 400 (bad input; every
  operation, since the input-bounds check refuses control characters and far dates anywhere),
  401 and 403 when guarded, 403 for unsafe methods (CSRF) too, 404 with path parameters, and 409
  for changes; all as application/problem+json with the Problem body center/web/errors.py sends.
- It is served as JSON only (/schema/openapi.json, no documentation page that loads scripts from
  a CDN), to staff only, and not at all with CENTER_API_SCHEMA=0."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import msgspec
from litestar import Controller, Router
from litestar.handlers.http_handlers import HTTPRouteHandler
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.utils import join_paths

from center.accounts.guards import requires_staff

PROBLEM = "application/problem+json"
API_PREFIX = "/api/"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Problem(msgspec.Struct):
    """RFC 9457 problem details, as every API error is answered (center/web/errors.py)."""

    type: str
    title: str
    status: int
    detail: str
    errors: dict[str, str] | msgspec.UnsetType = msgspec.UNSET  # per field, for 400


DESCRIPTIONS = {
    400: "Bad input: problem details, with a message per field",
    401: "Not logged in",
    403: "Not allowed for your roles, or the CSRF token is missing",
    404: "No such record",
    409: "Conflicts with the current state",
}


def _problem(status: int) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem, description=DESCRIPTIONS[status], media_type=PROBLEM, generate_examples=False
    )


def error_statuses(
    handler: HTTPRouteHandler, paths: Iterable[str] = (), guarded_above: bool = False
) -> list[int]:
    """The error statuses this operation can answer (`paths`: its full paths when it sits in a
    controller; `guarded_above`: whether its controller has guards)."""
    statuses = {400}
    guarded = guarded_above or any(layer.guards for layer in handler.ownership_layers)
    if guarded:
        statuses |= {401, 403}
    if handler.http_methods & UNSAFE:
        statuses |= {403, 409}
    if any("{" in path for path in (tuple(paths) or handler.paths)):
        statuses.add(404)
    return sorted(statuses)


def _http_handlers(route_handlers: Iterable[object]) -> Iterator[tuple[HTTPRouteHandler, list[str], bool]]:
    """Each HTTP handler with its full paths and whether its controller (if any) has guards."""
    for item in route_handlers:
        if isinstance(item, HTTPRouteHandler):
            yield item, sorted(item.paths), False
        elif isinstance(item, type) and issubclass(item, Controller):
            # On the class, an attribute a controller does not set is Controller's slot descriptor.
            prefix = item.path if isinstance(item.path, str) else ""
            guarded = isinstance(item.guards, list | tuple) and bool(item.guards)
            for value in vars(item).values():
                if isinstance(value, HTTPRouteHandler):
                    yield value, [join_paths([prefix, path]) for path in value.paths], guarded
        # routers (static files) are not in the schema


def describe_api_only(route_handlers: Iterable[object]) -> None:
    """Leave every route but /api/ out of the schema; document the errors of the API routes."""
    for handler, paths, guarded_above in _http_handlers(route_handlers):
        if not all(path.startswith(API_PREFIX) for path in paths):
            handler.include_in_schema = False
            continue
        declared = dict(handler.responses or {})
        for status in error_statuses(handler, paths, guarded_above):
            declared.setdefault(status, _problem(status))
        handler.responses = declared


def openapi_config(enabled: bool) -> OpenAPIConfig | None:
    """The schema as JSON at /schema/openapi.json for staff, or None (switched off)."""
    if not enabled:
        return None
    return OpenAPIConfig(
        title="Tomakomai Civic Activity Center",
        version="1.0",
        description="The JSON API of the center's booking system. Errors are application/problem+json.",
        render_plugins=[JsonRenderPlugin()],
        openapi_router=Router("/schema", route_handlers=[], guards=[requires_staff], include_in_schema=False),
    )
