"""PDF rendering: one warm WeasyPrint renderer in the long-lived server process, Jinja templates
under templates/pdf/, Japanese text in IPAex Gothic, and no network access (only our own static
files and data: URIs may be fetched)."""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any

import anyio.to_thread
import segno

from center.lib.settings import BASE_DIR, get_settings
from center.web.templating import build_environment

STATIC_DIR = (BASE_DIR / "static").resolve()


@functools.cache
def static_only_fetcher() -> type:
    """WeasyPrint's URL fetcher limited to our static files and data: URIs (no SSRF, no local
    files). Made on first use: importing WeasyPrint (Pango through cffi) costs a process a few
    seconds of CPU, which only a process that renders a PDF should pay."""
    from weasyprint.urls import URLFetcher

    class StaticOnlyFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, timeout=5)

        def fetch(self, url: str, headers: dict | None = None):
            if url.startswith("file:"):
                from urllib.parse import unquote, urlparse

                path = Path(unquote(urlparse(url).path)).resolve()
                if not path.is_relative_to(STATIC_DIR):
                    raise ValueError(f"refused to fetch {url}")
            return super().fetch(url, headers)

    return StaticOnlyFetcher


class PdfRenderer:
    """Renders templates to PDF bytes. Keeps its font configuration warm; one render at a time."""

    def __init__(self) -> None:
        from weasyprint.text.fonts import FontConfiguration

        self._env = build_environment()
        self._fonts = FontConfiguration()
        self._lock = threading.Lock()

    def render(self, template_name: str, context: dict[str, Any], *, tagged: bool = False) -> bytes:
        """`tagged`: a PDF/UA-1 document (structure tags, marked content) for screen readers."""
        html = self._env.get_template(template_name).render(**context)
        options: dict[str, Any] = {"pdf_variant": "pdf/ua-1"} if tagged else {}
        from weasyprint import HTML

        with self._lock:
            fetcher = static_only_fetcher()()
            document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher)
            return document.write_pdf(font_config=self._fonts, **options)

    def warm_up(self) -> None:
        """Load Pango, HarfBuzz and the Japanese font once, so the first user does not wait."""
        from weasyprint import HTML

        with self._lock:
            HTML(
                string='<html lang="ja"><body style="font-family: IPAexGothic">使用許可書</body></html>'
            ).write_pdf(font_config=self._fonts)


_renderer: PdfRenderer | None = None
_renderer_lock = threading.Lock()


def renderer() -> PdfRenderer:
    global _renderer
    with _renderer_lock:
        if _renderer is None:
            _renderer = PdfRenderer()
        return _renderer


async def render_pdf(template_name: str, context: dict[str, Any], *, tagged: bool = False) -> bytes:
    """Render off the event loop (WeasyPrint is CPU-bound); the request's language carries over.
    `tagged` makes a PDF/UA-1 document that screen readers can follow."""
    return await anyio.to_thread.run_sync(
        functools.partial(renderer().render, template_name, context, tagged=tagged)
    )


async def warm_up() -> None:
    """Off the event loop, while the server already answers (CENTER_PDF_WARM_UP=0 skips it: the
    first PDF then pays for it, as in the test suite's many short-lived servers)."""
    if get_settings().pdf_warm_up:
        await anyio.to_thread.run_sync(lambda: renderer().warm_up())


def qr_data_uri(text: str, scale: int = 4) -> str:
    """A QR code as an SVG data: URI (medium error correction survives a creased printout)."""
    return segno.make(text, error="m").svg_data_uri(scale=scale, border=2)
