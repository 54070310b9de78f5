"""Photos of problems and work: checked by content (JPEG or PNG only, whatever the name says), at
most 5 MB, re-encoded by center.places.photos (which drops EXIF, GPS positions included), with a
small thumbnail for lists. Kept under the data folder with unguessable names."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from PIL import Image

from center.lib import images
from center.lib.uploads import media_type, stored_file, upload_dir  # noqa: F401  (media_type is used as photos.media_type)
from center.places import photos as checker

THUMB_SIDE = 320
MAX_BYTES = checker.MAX_BYTES
MEDIA_TYPES = checker.MEDIA_TYPES


def photo_dir() -> Path:
    return upload_dir("maintenance")


def stored_path(filename: str | None) -> Path | None:
    """The stored file for one of our names, or None if missing or not one of ours."""
    return stored_file("maintenance", filename)


def thumbnail(content: bytes, extension: str) -> bytes:
    with Image.open(io.BytesIO(content)) as image:
        image.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        if extension == ".jpg":
            image.convert("RGB").save(out, "JPEG", quality=80, optimize=True)
        else:
            image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _write(name: str, content: bytes) -> None:
    target = photo_dir() / name
    temporary = target.with_suffix(target.suffix + ".part")
    temporary.write_bytes(content)
    temporary.replace(target)


def save(content: bytes) -> tuple[str, str]:
    """Check, re-encode and store an upload with its thumbnail; returns (file, thumbnail) names.
    Raises ValidationFailed on the "photo" field for anything but a JPEG or PNG of 5 MB or less."""
    processed, extension = checker.process(content)
    stem = f"m-{secrets.token_hex(10)}"
    filename, thumb = f"{stem}{extension}", f"{stem}-t{extension}"
    _write(filename, processed)
    _write(thumb, thumbnail(processed, extension))
    return filename, thumb


async def save_upload(content: bytes) -> tuple[str, str]:
    """`save` in a worker thread, a few at a time (center/lib/images.py): the event loop keeps answering."""
    return await images.in_worker(save, content)


def remove(*names: str) -> None:
    for name in names:
        path = stored_path(name)
        if path is not None:
            path.unlink(missing_ok=True)
