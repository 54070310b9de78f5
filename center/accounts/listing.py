"""Small helpers the account lists share: pages of rows and a case-insensitive "contains" match
that behaves the same on SQLite and PostgreSQL."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from piccolo.columns import Column
from piccolo.columns.combination import Where
from piccolo.columns.operators.comparison import ILike, Like

PAGE_SIZE = 50


@dataclass(frozen=True)
class Page:
    """One page of a longer list."""

    rows: list[Any]
    total: int
    number: int
    size: int = PAGE_SIZE
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def page_number(value: Any) -> int:
    """A 1-based page number from a query value; anything odd means the first page."""
    try:
        return max(1, int(str(value)))
    except (TypeError, ValueError):
        return 1


def contains(column: Column, text: str) -> Where:
    """`column` contains `text`, ignoring ASCII case on both engines (ILIKE on PostgreSQL; SQLite's
    LIKE is already case-insensitive for ASCII). Wildcards typed by the user only widen a search."""
    operator = ILike if column._meta.engine_type == "postgres" else Like
    return Where(column=column, value=f"%{text}%", operator=operator)


def normalise(text: str) -> str:
    """Full-width letters and digits to half-width, half-width kana to full-width (NFKC), trimmed."""
    return unicodedata.normalize("NFKC", text or "").strip()


def to_katakana(text: str) -> str:
    """Hiragana to katakana, so ふりがな and フリガナ are stored and searched alike."""
    return "".join(chr(ord(ch) + 0x60) if "\u3041" <= ch <= "\u3096" else ch for ch in text)
