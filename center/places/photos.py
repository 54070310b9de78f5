"""Room photos: uploads are checked by their content (JPEG or PNG only, whatever the file name
says), at most 5 MB and center.lib.images.MAX_PIXELS (checked from the header before decoding),
re-encoded (which drops metadata such as GPS positions) and shrunk to at most 1600 pixels on the
long side, then kept under the data folder. Handlers call `process_upload`, which decodes in a
worker thread (center/lib/images.py)."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from center.lib import images
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_
from center.lib.uploads import MEDIA_TYPES, media_type, stored_file, upload_dir  # noqa: F401  (re-exported)

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 1600
MAX_PIXELS = images.MAX_PIXELS  # refuse decompression bombs before decoding
FORMATS = {"JPEG": ".jpg", "PNG": ".png"}

MSG_NOT_IMAGE = N_("The photo must be a JPEG or PNG image.")
MSG_TOO_BIG = N_("The photo must be 5 MB or smaller.")
MSG_EMPTY = N_("Choose a photo file to upload.")
MSG_TOO_MANY_PIXELS = N_("The photo must have at most 12 million pixels (for example 4000 × 3000).")


def photo_dir() -> Path:
    return upload_dir("rooms")


def photo_path(filename: str | None) -> Path | None:
    """The stored file for a room's photo name, or None if missing or not one of ours."""
    return stored_file("rooms", filename)


def process(content: bytes) -> tuple[bytes, str]:
    """Check and re-encode an uploaded photo; returns (bytes, extension) or raises
    ValidationFailed on the "photo" field."""
    if not content:
        raise ValidationFailed({"photo": MSG_EMPTY})
    if len(content) > MAX_BYTES:
        raise ValidationFailed({"photo": MSG_TOO_BIG})
    try:
        kind, _width, _height = images.probe(content)
        with Image.open(io.BytesIO(content)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            if kind == "JPEG":
                image.convert("RGB").save(out, "JPEG", quality=85, optimize=True, progressive=True)
            else:
                if image.mode not in {"RGB", "RGBA", "L", "LA", "P"}:
                    image = image.convert("RGBA")
                image.save(out, "PNG", optimize=True)
    except images.TooManyPixels as exc:
        raise ValidationFailed({"photo": MSG_TOO_MANY_PIXELS}) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationFailed({"photo": MSG_NOT_IMAGE}) from exc
    return out.getvalue(), FORMATS[kind]


async def process_upload(content: bytes) -> tuple[bytes, str]:
    """`process` in a worker thread, a few at a time: the event loop keeps answering."""
    return await images.in_worker(process, content)


def store(room_id: int, content: bytes, extension: str) -> str:
    """Write a processed photo under a fresh, unguessable name; returns the file name."""
    filename = f"room-{room_id}-{secrets.token_hex(8)}{extension}"
    target = photo_dir() / filename
    temporary = target.with_suffix(target.suffix + ".part")
    temporary.write_bytes(content)
    temporary.replace(target)
    return filename


def remove(filename: str | None) -> None:
    path = photo_path(filename)
    if path is not None:
        path.unlink(missing_ok=True)
