"""Where uploaded files are kept (under the data directory, one folder per kind) and how they are
served back: only names we made, only the media types we accept."""

from __future__ import annotations

from pathlib import Path

from center.lib.settings import get_settings

MEDIA_TYPES = {".jpg": "image/jpeg", ".png": "image/png"}


def upload_dir(kind: str) -> Path:
    """The folder for one kind of upload ("rooms", "maintenance"), made on first use."""
    path = get_settings().data_dir / "uploads" / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def stored_file(kind: str, filename: str | None) -> Path | None:
    """The stored file for one of our names, or None if missing or not a plain name of ours
    (no paths, no hidden files)."""
    if not filename or "/" in filename or "\\" in filename or filename.startswith("."):
        return None
    path = upload_dir(kind) / filename
    return path if path.is_file() else None


def media_type(path: Path) -> str:
    """The Content-Type to serve a stored upload with."""
    return MEDIA_TYPES.get(path.suffix, "application/octet-stream")
