"""/opendata: the page that lists the datasets with their licence (CC BY 4.0) and how to credit
them, and the two CSV files at stable addresses, built from the live data on each request.

The CSVs carry a strong ETag (a repeat download with If-None-Match is answered 304 with no body)
and may be cached for five minutes, by browsers and shared caches alike: they hold only what the
public pages already show."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Controller, Request, get
from litestar.response import Response, Template

from center.accounts.guards import PUBLIC
from center.lib.i18n import current_locale
from center.lib.settings import get_settings
from center.places.calendar import load_profile
from center.shell.opendata import standard
from center.shell.opendata.events import event_rows
from center.shell.opendata.events import window as event_window
from center.shell.opendata.facilities import facility_rows

CSV_TYPE = "text/csv"  # Litestar adds "; charset=utf-8"
MAX_AGE_SECONDS = 300
DEFAULT_PROFILE = {"name_ja": "苫小牧市市民活動センター", "name_en": "", "address_ja": "", "phone": ""}


def _url_for(request: Request) -> Callable[..., str]:
    """Absolute addresses on the center's public site (CENTER_BASE_URL)."""
    base = get_settings().base_url

    def url_for(name: str, **params: Any) -> str:
        return base + request.app.route_reverse(name, **params)

    return url_for


async def _profile() -> dict:
    found = await load_profile()
    return {**DEFAULT_PROFILE, **{k: v or "" for k, v in (found or {}).items() if k in DEFAULT_PROFILE}}


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(etag: str, if_none_match: str | None) -> bool:
    if not if_none_match:
        return False
    tags = [part.strip().removeprefix("W/") for part in if_none_match.split(",")]
    return "*" in tags or etag in tags


Rows = Callable[[], Awaitable[list[dict[str, str]]]]


async def _csv(request: Request, columns: tuple[str, ...], build: Rows, name: str) -> Response:
    token = current_locale.set("ja")  # the datasets are Japanese, whatever the visitor reads
    try:
        body = standard.to_csv(columns, await build())
    finally:
        current_locale.reset(token)
    etag = _etag(body)
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={MAX_AGE_SECONDS}",
        "Vary": "Accept-Encoding",
    }
    if _matches(etag, request.headers.get("if-none-match")):
        return Response(content=b"", status_code=304, headers=headers, media_type=CSV_TYPE)
    filename = f"{standard.local_government_code()}_{name}"
    headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return Response(content=body, status_code=200, headers=headers, media_type=CSV_TYPE)


class OpenDataController(Controller):
    """The open data page and its CSV files, for anyone."""

    path = "/opendata"
    opt = PUBLIC

    @get("/", name="opendata:index")
    async def index(self, request: Request) -> Template:
        """The datasets, their licence and the credit line to use."""
        profile = await _profile()
        first, last = event_window()
        base = get_settings().base_url
        return Template(
            "opendata/index.html",
            context={
                "center_name_ja": profile["name_ja"],
                "center_name_en": profile["name_en"] or "Tomakomai Civic Activity Center",
                "page_url": base + request.app.route_reverse("opendata:index"),
                "events_url": request.app.route_reverse("opendata:events"),
                "facilities_url": request.app.route_reverse("opendata:facilities"),
                "event_columns": standard.EVENT_COLUMNS,
                "facility_columns": standard.FACILITY_COLUMNS,
                "first": first,
                "last": last,
                "licence_url_ja": standard.LICENCE_URL_JA,
                "licence_url_en": standard.LICENCE_URL_EN,
                "code": standard.local_government_code(),
            },
        )

    @get("/events.csv", name="opendata:events")
    async def events_csv(self, request: Request) -> Response:
        """イベント一覧: the public events a year back and a year ahead."""
        profile, url_for = await _profile(), _url_for(request)
        rows = lambda: event_rows(profile, url_for)  # noqa: E731
        return await _csv(request, standard.EVENT_COLUMNS, rows, standard.EVENT_FILENAME)

    @get("/facilities.csv", name="opendata:facilities")
    async def facilities_csv(self, request: Request) -> Response:
        """公共施設一覧: the center and its rooms."""
        profile, url_for = await _profile(), _url_for(request)
        rows = lambda: facility_rows(profile, url_for)  # noqa: E731
        return await _csv(request, standard.FACILITY_COLUMNS, rows, standard.FACILITY_FILENAME)


ROUTES = [OpenDataController]
