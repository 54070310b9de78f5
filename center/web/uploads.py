"""Serving a stored upload (a photo, a scan) for the browser to show in the page, never to sniff
as another type."""

from __future__ import annotations

from pathlib import Path

from litestar.exceptions import NotFoundException
from litestar.response import File

from center.lib.uploads import media_type


def inline_file(path: Path | None, cache_control: str, headers: dict[str, str] | None = None) -> File:
    """The stored file at `path` shown inline with `cache_control` (and `headers`); 404 without one."""
    if path is None:
        raise NotFoundException()
    safe = {"Cache-Control": cache_control, "X-Content-Type-Options": "nosniff", **(headers or {})}
    return File(path=path, media_type=media_type(path), content_disposition_type="inline", headers=safe)
