"""The one place uploaded images are decoded. A hostile upload (a small PNG that decodes to
7000 x 7000 pixels) used to be decoded on the event loop, stalling every other request for about a
second and taking hundreds of megabytes. Here:

- `probe()` reads only the header and refuses anything but JPEG or PNG, or more than MAX_PIXELS
  (about 12 megapixels: a 4000 x 3000 phone photo), before any pixel is decoded;
- Pillow's own bomb limit is set to the same figure, so no other decode can exceed it either;
- `in_worker()` runs the decoding in a worker thread behind a small semaphore, so the event loop
  keeps answering and at most WORKERS images are in memory at once per process."""

from __future__ import annotations

import asyncio
import io
import weakref
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import anyio.to_thread
from PIL import Image, UnidentifiedImageError

MAX_PIXELS = 12_000_000
WORKERS = 2
FORMATS = frozenset({"JPEG", "PNG"})

# Pillow warns above this and raises DecompressionBombError above twice this, on every open.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

P = ParamSpec("P")
T = TypeVar("T")
_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


class ImageRefused(ValueError):
    """Not a JPEG or PNG, unreadable, or too many pixels: refused before decoding."""


class TooManyPixels(ImageRefused):
    """A JPEG or PNG with more than MAX_PIXELS."""


def probe(content: bytes) -> tuple[str, int, int]:
    """(format, width, height) from the header alone; ImageRefused unless a JPEG or PNG of at
    most MAX_PIXELS."""
    try:
        with Image.open(io.BytesIO(content)) as image:  # lazy: reads the header only
            kind = image.format or ""
            width, height = image.size
    except Image.DecompressionBombError as exc:
        raise TooManyPixels(str(exc)) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ImageRefused(str(exc)) from exc
    if kind not in FORMATS or not width or not height:
        raise ImageRefused(f"{kind or 'unknown'} {width}x{height}")
    if width * height > MAX_PIXELS:
        raise TooManyPixels(f"{kind} {width}x{height}")
    return kind, width, height


def _gate() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop)
    if gate is None:
        gate = _gates[loop] = asyncio.Semaphore(WORKERS)
    return gate


async def in_worker(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run image work in a worker thread, at most WORKERS at a time in this process."""
    async with _gate():
        return await anyio.to_thread.run_sync(lambda: work(*args, **kwargs))
