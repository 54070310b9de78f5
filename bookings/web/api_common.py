"""What the JSON API's resources share: instants and dates as the API writes and reads them, and
problem details for a body that does not decode."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from litestar import Request, Response
from litestar.exceptions import ValidationException

from center.lib.errors import ValidationFailed
from center.lib.i18n import N_
from center.web.errors import handle_exception

PROBLEM = "application/problem+json"


def instant(value: datetime | None) -> str | None:
    """An instant in UTC, ISO 8601 with Z (None stays None)."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def date_param(raw: str | None, field: str) -> date | None:
    """A YYYY-MM-DD query parameter (None when absent); ValidationFailed naming `field` otherwise."""
    if raw is None or raw == "":
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed({field: N_("Enter a date as YYYY-MM-DD.")}) from None


def bad_body(request: Request, exc: ValidationException) -> Response[Any]:
    """A body that does not decode (wrong types, unknown fields, not JSON): per-field messages
    where the decoder names the field, else the general one."""
    errors: dict[str, str] = {}
    for item in exc.extra if isinstance(exc.extra, list) else []:
        key = str(item.get("key") or "") if isinstance(item, dict) else ""
        if key and key not in errors:
            errors[key] = N_("Some of the values sent are not valid.")
    if not errors:
        return handle_exception(request, exc)
    return handle_exception(request, ValidationFailed(errors))


API_ERRORS = {ValidationException: bad_body}
