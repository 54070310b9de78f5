"""Reading a TOML file so that every problem can name its line and key. tomllib gives values
without positions, so the line of a key is found in the text: the header of its table (the n-th
`[[rooms]]` for the n-th room) and then the key's own line inside that table."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from center.lib.i18n import N_, current_locale, gettext

Path_ = tuple[str | int, ...]  # ("rooms", 2, "fees"): the third room's fees

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*[=.]""")
_DECODE_POSITION = re.compile(r"\(at line (\d+), column \d+\)")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file: where (line, key) and what (an English msgid with params)."""

    line: int | None
    key: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        """ "line 12, rooms[2].fees: …" in the current language."""
        japanese = current_locale.get() == "ja"
        where = gettext("line %(line)s", line=self.line) if self.line else ""
        if self.key:
            where = f"{where}{'、' if japanese else ', '}{self.key}" if where else self.key
        message = gettext(self.message, **self.params)
        return f"{where}{'：' if japanese else ': '}{message}" if where else message


def key_text(path: Path_) -> str:
    """("rooms", 2, "fees") -> "rooms[3].fees" (counting rooms from 1, as people do)."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += f".{part}" if text else part
    return text


class TomlText:
    """A TOML file's values and its lines."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.data: dict[str, Any] = tomllib.loads(text)
        self._headers = self._find_headers()

    def _find_headers(self) -> dict[tuple[str, int | None], int]:
        """(table name, index for arrays of tables or None) -> line number (from 1)."""
        headers: dict[tuple[str, int | None], int] = {}
        counts: dict[str, int] = {}
        in_multiline = False
        for number, line in enumerate(self.lines, start=1):
            if line.count('"""') % 2 or line.count("'''") % 2:
                in_multiline = not in_multiline
                continue
            if in_multiline:
                continue
            match = _HEADER.match(line)
            if not match:
                continue
            name = match.group(2).replace(" ", "")
            if match.group(1) == "[[":
                index = counts.get(name, 0)
                counts[name] = index + 1
                headers[(name, index)] = number
            else:
                headers[(name, None)] = number
        return headers

    def _table_span(self, start: int) -> range:
        """The lines after a header up to the next header (as 0-based indexes)."""
        end = len(self.lines)
        for number in sorted(self._headers.values()):
            if number > start:
                end = number - 1
                break
        return range(start, end)

    def line_of(self, path: Path_) -> int | None:
        """The line of the key at `path`, else of the header of the table it belongs to."""
        header, prefix, rest = 0, "", list(path)
        while rest and isinstance(rest[0], str):
            name = f"{prefix}.{rest[0]}" if prefix else rest[0]
            if len(rest) > 1 and isinstance(rest[1], int) and (name, rest[1]) in self._headers:
                header, prefix, rest = self._headers[(name, rest[1])], name, rest[2:]
            elif (name, None) in self._headers:
                header, prefix, rest = self._headers[(name, None)], name, rest[1:]
            else:
                break
        if rest and isinstance(rest[0], str):
            for position in self._table_span(header):
                match = _KEY.match(self.lines[position])
                if match and match.group(1).strip("\"'") == rest[0]:
                    return position + 1
        return header or None


def parse(text: str) -> tuple[TomlText | None, list[Problem]]:
    """The parsed file, or the syntax error with its line."""
    try:
        return TomlText(text), []
    except tomllib.TOMLDecodeError as exc:
        match = _DECODE_POSITION.search(str(exc))
        detail = _DECODE_POSITION.sub("", str(exc)).strip()
        line = int(match.group(1)) if match else None
        return None, [Problem(line, "", N_("This is not valid TOML: %(error)s"), {"error": detail})]
