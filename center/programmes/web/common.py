"""Small helpers the programme pages share."""

from __future__ import annotations

from typing import Any

from center.lib.errors import DomainError, ValidationFailed
from center.lib.i18n import gettext
from center.programmes import flowerbeds
from center.web.forms import Form  # noqa: F401  (the web modules import it from here)


def field_errors(exc: ValidationFailed) -> dict[str, str]:
    return exc.translated()


def message_of(exc: DomainError) -> str:
    return gettext(exc.message, **exc.params)


def labels() -> dict[str, Any]:
    """Label helpers for templates (English msgids translated at render time)."""
    return {
        "signup_status": lambda code: gettext(flowerbeds.STATUS_LABELS.get(code, code)),
        "day_status": lambda code: gettext(flowerbeds.DAY_STATUS_LABELS.get(code, code)),
        "age_bands": [(code, gettext(label)) for code, _, label in flowerbeds.AGE_BANDS],
        "age_label": lambda code: next(
            (gettext(label) for c, _, label in flowerbeds.AGE_BANDS if c == code), code
        ),
        "rain_plans": [(code, gettext(label)) for code, label in flowerbeds.RAIN_PLANS],
        "clock": flowerbeds.clock_text,
    }


def form_values(data: dict[str, Any]) -> dict[str, str]:
    """Submitted values to show back in a form (text only)."""
    return {
        key: (value[-1] if isinstance(value, list) and value else str(value)) for key, value in data.items()
    }
