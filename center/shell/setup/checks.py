"""Checking one TOML table against its keys: each key's kind, limits, default and whether it is
required; unknown keys are refused (a misspelt key would otherwise be silently ignored). Every
problem names its line and key (see toml_text)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Any

from center.lib.i18n import N_
from center.shell.setup.toml_text import Path_, Problem, TomlText, key_text

CODE_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
MSG_CODE = N_("Use 1 to 40 lower-case letters, digits, hyphens or underscores.")
MSG_REQUIRED = N_("This key is required.")
MSG_UNKNOWN = N_("Unknown key: check its spelling against docs/setup.md.")
MSG_TABLE = N_("Expected a table of keys and values.")
MSG_TABLES = N_("Expected one or more [[%(name)s]] tables.")
MSG_DUPLICATE = N_("The code %(code)s is used twice.")


@dataclass(frozen=True)
class Key:
    """What one key may hold. kind: text, code, int, bool, time, date, number, texts."""

    kind: str
    required: bool = False
    default: Any = None
    low: int | float = 0
    high: int | float = 9_999_999
    limit: int = 200


class Bad(Exception):
    def __init__(self, message: str, **params: Any) -> None:
        self.message = message
        self.params = params
        super().__init__(message)


def _text(value: Any, key: Key) -> str:
    if not isinstance(value, str) or len(value.strip()) > key.limit:
        raise Bad(N_("Expected text of at most %(limit)s characters."), limit=key.limit)
    return value.strip()


def _int(value: Any, key: Key) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not key.low <= value <= key.high:
        raise Bad(N_("Expected a whole number from %(low)s to %(high)s."), low=key.low, high=key.high)
    return value


def _number(value: Any, key: Key) -> Decimal:
    try:
        number = (
            Decimal(str(value)) if isinstance(value, int | float) and not isinstance(value, bool) else None
        )
    except InvalidOperation:
        number = None
    if number is None or not key.low <= number <= key.high:
        raise Bad(N_("Expected a number from %(low)s to %(high)s."), low=key.low, high=key.high)
    return number


def _bool(value: Any, key: Key) -> bool:
    if not isinstance(value, bool):
        raise Bad(N_("Expected true or false."))
    return value


def _time(value: Any, key: Key) -> time:
    if isinstance(value, time):
        return value.replace(tzinfo=None)
    if isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
        hours, minutes = (int(part) for part in value.strip().split(":"))
        if hours < 24 and minutes < 60:
            return time(hours, minutes)
    raise Bad(N_('Expected a time of day such as "09:00".'))


def _date(value: Any, key: Key) -> date:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise Bad(N_("Expected a date such as 2027-04-01."))


def _code(value: Any, key: Key) -> str:
    if not isinstance(value, str) or not CODE_PATTERN.fullmatch(value) or len(value) > key.limit:
        raise Bad(MSG_CODE)
    return value


def _texts(value: Any, key: Key) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise Bad(N_('Expected a list of texts such as ["tables", "chairs"].'))
    return [item.strip() for item in value]


CONVERTERS = {
    "text": _text,
    "code": _code,
    "int": _int,
    "number": _number,
    "bool": _bool,
    "time": _time,
    "date": _date,
    "texts": _texts,
}


class Checker:
    """Collects problems while converting a file's tables."""

    def __init__(self, source: TomlText) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def add(self, path: Path_, message: str, **params: Any) -> None:
        self.problems.append(Problem(self.source.line_of(path), key_text(path), message, params))

    def table(self, path: Path_, value: Any, keys: dict[str, Key], *, extra: tuple[str, ...] = ()) -> dict:
        """The table's values converted (defaults filled in); `extra` keys are left for the caller."""
        if not isinstance(value, dict):
            self.add(path, MSG_TABLE)
            return {}
        result: dict[str, Any] = {}
        for name in value:
            if name not in keys and name not in extra:
                self.add((*path, name), MSG_UNKNOWN)
        for name, key in keys.items():
            if name not in value:
                if key.required:
                    self.add((*path, name), MSG_REQUIRED)
                result[name] = list(key.default) if isinstance(key.default, list) else key.default
                continue
            try:
                result[name] = CONVERTERS[key.kind](value[name], key)
            except Bad as bad:
                self.add((*path, name), bad.message, **bad.params)
                result[name] = key.default
            if key.required and result[name] in ("", []):
                self.add((*path, name), MSG_REQUIRED)
        return result

    def tables(
        self, name: str, value: Any, keys: dict[str, Key], *, extra: tuple[str, ...] = ()
    ) -> list[dict]:
        """An array of tables ([[name]]), each checked; codes must be unique when there is a code."""
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.add((name,), MSG_TABLES, name=name)
            return []
        rows = [self.table((name, index), item, keys, extra=extra) for index, item in enumerate(value)]
        seen: set[str] = set()
        for index, row in enumerate(rows):
            code = row.get("code")
            if code and code in seen:
                self.add((name, index, "code"), MSG_DUPLICATE, code=code)
            seen.add(code)
        return rows
