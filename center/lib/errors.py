"""Domain errors. The web layer maps each to a page in the user's language or problem details."""

from __future__ import annotations

from typing import Any

from center.lib.i18n import N_


class DomainError(Exception):
    """A rule refused a change. `message` is an English msgid translated by the web layer;
    `params` fill its placeholders."""

    status_code = 400
    message = N_("The request could not be completed.")

    def __init__(self, message: str | None = None, **params: Any) -> None:
        self.message = message or self.message
        self.params = params
        super().__init__(self.message % params if params else self.message)


class NotFound(DomainError):
    status_code = 404
    message = N_("Not found.")


class ValidationFailed(DomainError):
    """Bad input: `errors` maps a field name to an English msgid; `params` fill their placeholders."""

    status_code = 400
    message = N_("Please correct the highlighted fields.")

    def __init__(
        self, errors: dict[str, str], message: str | None = None, params: dict[str, Any] | None = None
    ) -> None:
        self.errors = errors
        self.field_params = params or {}
        super().__init__(message)

    def translated(self) -> dict[str, str]:
        """The field messages in the current request's language."""
        from center.lib.i18n import gettext

        return {field: gettext(msgid, **self.field_params) for field, msgid in self.errors.items()}


class Conflict(DomainError):
    status_code = 409
    message = N_("This conflicts with the current state.")
