"""Small helpers the account lists share: pages of rows and a case-insensitive "contains" match
that behaves the same on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from piccolo.columns import Column
from piccolo.columns.combination import Where
from piccolo.columns.operators.comparison import ILike, Like

from center.lib.text import normalise, to_katakana  # noqa: F401  (re-exported for the listings)

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
