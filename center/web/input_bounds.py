"""One check of odd input before any handler runs: ids the database cannot hold, text with
control characters and dates outside the supported range.

Both databases store ids as 32-bit integers, and PostgreSQL refuses text containing NUL, so such
input used to reach the database and answer 500. Here an id out of range answers 404 (no such
record can exist) and text with a control character answers 400 with a message per field, in the
user's language, before anything is read or written.

Dates (2026-12-31, a month 2026-12, or a date and time) in a path or a query are held to
DATE_MIN..DATE_MAX: far dates used to overflow Python's date arithmetic (a week after 9999-12-31)
and answer 500. One check here covers every parser (pages, API, feeds) at once."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from datetime import date
from typing import Any

from litestar import Request
from litestar.enums import RequestEncodingType

from center.lib.errors import NotFound, ValidationFailed
from center.lib.i18n import N_

ID_MIN = -(2**31)
ID_MAX = 2**31 - 1

# C0 controls and DEL, except tab, line feed and carriage return (text areas keep those).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Something that reads as a date, a month or a date and time; group 1 is the year.
DATE_LIKE = re.compile(r"^\s*([+-]?\d{4,})-\d{1,2}(?:-\d{1,2}(?:[T ].*)?)?\s*$")
DATE_MIN = date(2000, 1, 1)
DATE_MAX = date(2100, 12, 31)

CONTROL_MESSAGE = N_("This contains a character that cannot be used (a control character).")
NUMBER_MESSAGE = N_("This number is out of range.")
DATE_MESSAGE = N_("Give a date between 2000-01-01 and 2100-12-31.")

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def date_out_of_range(value: object) -> bool:
    """A date, or text that reads as a date or a month, outside DATE_MIN..DATE_MAX."""
    if isinstance(value, date):
        day = value if type(value) is date else value.date()  # datetime is a date too
        return not DATE_MIN <= day <= DATE_MAX
    if isinstance(value, str) and (match := DATE_LIKE.match(value)):
        return not DATE_MIN.year <= int(match.group(1)) <= DATE_MAX.year
    return False


def _is_int_annotation(annotation: Any) -> bool:
    """int, int | None, Optional[int], and FromQuery[int]-style Annotated[int, ...]."""
    if annotation is int:
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _is_int_annotation(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return len(args) == 1 and _is_int_annotation(args[0])
    return False


def _int_query_names(request: Request) -> set[str]:
    """Names of the handler's query parameters declared as integers."""
    handler = request.route_handler
    path_names = set(request.path_params)
    names: set[str] = set()
    for name, parameter in handler.parsed_fn_signature.parameters.items():
        if name in path_names or name in {"request", "data", "state", "scope", "headers", "cookies"}:
            continue
        if _is_int_annotation(parameter.annotation):
            names.add(name)
    return names


def _out_of_range(text: str) -> bool:
    try:
        value = int(text.strip())
    except ValueError:
        return False  # not a number at all: the handler's own parsing answers 400
    return not ID_MIN <= value <= ID_MAX


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Every string and integer in a decoded JSON document, with a dotted field path."""
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and has_control_characters(key):
                yield path or str(key), key
            yield from _leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}.{index}" if path else str(index))


async def _body_values(request: Request) -> Iterator[tuple[str, Any]]:
    if request.method not in _BODY_METHODS:
        return iter(())
    content_type, _ = request.content_type
    if content_type == RequestEncodingType.JSON or content_type.endswith("+json"):
        try:
            document = await request.json()
        except Exception:
            return iter(())  # malformed JSON: the handler's own decoding answers 400
        return _leaves(document, "")
    if content_type in (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART):
        form = await request.form()
        return ((name, value) for name, value in form.multi_items() if isinstance(value, str))
    return iter(())


async def check_input_bounds(request: Request) -> None:
    """Before every handler: ids beyond the database's integers are 404, control characters and
    dates out of range 400."""
    for value in request.path_params.values():
        if isinstance(value, int) and not ID_MIN <= value <= ID_MAX:
            raise NotFound()
        if isinstance(value, str) and has_control_characters(value):
            raise NotFound()
    errors: dict[str, str] = {}
    for name, value in request.path_params.items():
        if date_out_of_range(value):
            errors.setdefault(name, DATE_MESSAGE)
    int_names = _int_query_names(request)
    for name, value in request.query_params.multi_items():
        if has_control_characters(value):
            errors.setdefault(name, CONTROL_MESSAGE)
        elif date_out_of_range(value):
            errors.setdefault(name, DATE_MESSAGE)
        elif name in int_names and _out_of_range(value):
            errors.setdefault(name, NUMBER_MESSAGE)
    for name, value in await _body_values(request):
        if isinstance(value, int):
            if not ID_MIN <= value <= ID_MAX:
                errors.setdefault(name, NUMBER_MESSAGE)
        elif has_control_characters(value):
            errors.setdefault(name, CONTROL_MESSAGE)
    if errors:
        raise ValidationFailed(errors)
