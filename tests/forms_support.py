"""Reading a page's forms as a browser would submit them (for tests that drive a real server over
HTTP): the fields of one form, found by its action, with the values the page filled in."""

from __future__ import annotations

from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlparse

SKIPPED_INPUTS = {"submit", "button", "reset", "image", "file"}


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._select: dict | None = None
        self._option: list | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self._fields = []
            self.forms.append((a.get("action") or "", self._fields))
        elif self._fields is None or "disabled" in a:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in SKIPPED_INPUTS or (kind in ("checkbox", "radio") and "checked" not in a):
                return
            self._fields.append((a["name"] or "", a.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "chosen": [], "first": None}
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "", "selected" in a]
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option[1] += data
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._fields = None
        elif tag == "option" and self._option is not None and self._select is not None:
            value, text, selected = self._option
            value = text.strip() if value is None else value
            if self._select["first"] is None:
                self._select["first"] = value
            if selected:
                self._select["chosen"].append(value)
            self._option = None
        elif tag == "select" and self._select is not None and self._fields is not None:
            chosen = self._select["chosen"] or (
                [self._select["first"]] if self._select["first"] is not None else []
            )
            self._fields += [(self._select["name"], value) for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._fields is not None:
            self._fields.append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None


def _path(action: str) -> str:
    return urlparse(unescape(action)).path.rstrip("/") or "/"


def form_fields(html: str, action: str) -> list[tuple[str, str]]:
    """The (name, value) pairs the first form posting to `action` (a path) would send as shown."""
    parser = _Forms()
    parser.feed(html)
    for found, fields in parser.forms:
        if _path(found) == _path(action):
            return list(fields)
    raise AssertionError(f"no form posts to {action}; forms: {[found for found, _ in parser.forms]}")


def with_values(fields: list[tuple[str, str]], **changes: str | list[str]) -> dict[str, list[str]]:
    """The fields as httpx form data, with `changes` replacing (or adding) whole fields."""
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    for name, value in changes.items():
        data[name] = [value] if isinstance(value, str) else list(value)
    return data
