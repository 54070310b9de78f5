"""Reading values from submitted forms: full-width digits and commas accepted (people type
１２００ or 1,200), one place for the per-field parse rules the rooms and calendar forms share."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Any


class FieldErrors(dict[str, str]):
    """field name -> English msgid; the first error for a field wins."""

    def add(self, name: str, msgid: str) -> None:
        self.setdefault(name, msgid)


def in_order(errors: Mapping[str, str], order: tuple[str, ...]) -> dict[str, str]:
    """Errors in the order the fields appear on the form (the error summary follows the page);
    fields not in `order` come last."""
    rank = {name: index for index, name in enumerate(order)}
    return dict(sorted(errors.items(), key=lambda item: rank.get(item[0], len(rank))))


def text(data: Mapping[str, Any], name: str, max_length: int | None = None) -> str:
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    value = str(value).replace("\r\n", "\n").strip()
    return value[:max_length] if max_length else value


def values(data: Mapping[str, Any], name: str) -> list[str]:
    """Every value sent for a repeated field (checkbox groups, multi-selects)."""
    if hasattr(data, "getall"):  # a query string's MultiDict
        return [str(v) for v in data.getall(name, [])]
    value = data.get(name)
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def checked(data: Mapping[str, Any], name: str) -> bool:
    return text(data, name).lower() in {"on", "true", "1", "yes"}


def _normal(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).replace(",", "").replace(" ", "").strip()


def whole(
    data: Mapping[str, Any],
    name: str,
    errors: FieldErrors,
    msgid: str,
    *,
    low: int | None = None,
    high: int | None = None,
    required: bool = True,
    default: int | None = None,
) -> int | None:
    """A whole number in [low, high]; an error (msgid) on the field otherwise."""
    raw = _normal(text(data, name))
    if not raw:
        if required:
            errors.add(name, msgid)
        return default
    if not re.fullmatch(r"[-+]?\d{1,9}", raw):
        errors.add(name, msgid)
        return default
    number = int(raw)
    if (low is not None and number < low) or (high is not None and number > high):
        errors.add(name, msgid)
        return default
    return number


def decimal(
    data: Mapping[str, Any], name: str, errors: FieldErrors, msgid: str, *, high: Decimal
) -> Decimal | None:
    """An optional positive decimal with one place (e.g. an area of 48.5 m²)."""
    raw = _normal(text(data, name))
    if not raw:
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation:
        errors.add(name, msgid)
        return None
    if not number.is_finite() or number <= 0 or number > high or number != number.quantize(Decimal("0.1")):
        errors.add(name, msgid)
        return None
    return number.quantize(Decimal("0.1"))


def clock(data: Mapping[str, Any], name: str, errors: FieldErrors, msgid: str) -> time | None:
    """A time of day written as 9:00 or 09:00 (an <input type=time> sends 09:00)."""
    raw = _normal(text(data, name)).replace("：", ":")
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::00)?", raw)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        errors.add(name, msgid)
        return None
    return time(int(match[1]), int(match[2]))


def day(data: Mapping[str, Any], name: str, errors: FieldErrors, msgid: str) -> date | None:
    """A date written YYYY-MM-DD (what <input type=date> sends)."""
    raw = _normal(text(data, name)).replace("/", "-")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.add(name, msgid)
        return None


def hhmm(value: time | None) -> str:
    """A time for an <input type=time> value."""
    return f"{value.hour:02d}:{value.minute:02d}" if value else ""
