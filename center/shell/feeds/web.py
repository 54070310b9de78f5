"""Calendar feeds over HTTP, and the page where users make, rotate and revoke their feed links.

The feed routes are public (opt=PUBLIC): calendar apps fetch without cookies, so a private feed's
credential is the token in its URL, compared by hash; an unknown or revoked token, or one whose
owner has lost the role or group it was made for, answers the same bare 404."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from litestar import Controller, HttpMethod, Request, Response, route
from litestar.exceptions import ValidationException
from litestar.params import FromPath

from center.accounts.guards import PUBLIC
from center.lib.dates import today
from center.lib.db import get_engine
from center.lib.i18n import LOCALES, N_, current_locale
from center.lib.i18n import gettext as _
from center.lib.settings import get_settings
from center.lib.versions import current as current_versions
from center.lib.versions import request_memo
from center.shell.feeds import private, sources
from center.shell.feeds.calendars import etag_of, http_date, not_modified, render_calendar
from center.web import revalidation

CALENDAR_TYPE = "text/calendar"  # Litestar adds "; charset=utf-8"
SUFFIX = ".ics"

KIND_LABELS = {
    "group": N_("Our group's bookings and lottery results"),
    "volunteer": N_("My flower-bed day signups"),
    "desk": N_("Front desk: every hold on every room"),
    "facilities": N_("Facilities: due dates, inspections and closures"),
}

# Feeds answer HEAD as well as GET: some calendar clients check a subscription with HEAD.
FEED_METHODS = [HttpMethod.GET, HttpMethod.HEAD]


def kind_label(kind: str) -> str:
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


# --- serving a feed -----------------------------------------------------------------------------


def _host() -> str:
    return urlsplit(get_settings().base_url).hostname or "localhost"


def _absolute(path: str) -> str:
    return get_settings().base_url + path


def _url_for(request: Request):
    def url_for(name: str, **params: Any) -> str:
        return _absolute(request.app.route_reverse(name, **params))

    return url_for


def _parse_day(text: str | None, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationException(f"{name} must be a date like 2027-04-01") from None


def _window(request: Request) -> sources.Window:
    start = _parse_day(request.query_params.get("from"), "from")
    end = _parse_day(request.query_params.get("to"), "to")
    return sources.narrowed(start, end)


def _language(request: Request, default: str = "ja") -> str:
    lang = request.query_params.get("lang") or default
    if lang not in LOCALES:
        raise ValidationException("lang must be ja or en")
    current_locale.set(lang)
    return lang


async def _respond(
    request: Request,
    name: str,
    collected: list[tuple[list, datetime]],
    window: sources.Window,
    *,
    language: str,
    place_stamp: datetime | None,
    private: bool,
) -> Response:
    answer = _answer(
        request, name, collected, window, language=language, place_stamp=place_stamp, private=private
    )
    return _conditional(request, answer)


@dataclass(frozen=True)
class _Answer:
    body: bytes
    headers: dict[str, str]
    last_modified: datetime


def _answer(
    request: Request,
    name: str,
    collected: list[tuple[list, datetime]],
    window: sources.Window,
    *,
    language: str,
    place_stamp: datetime | None,
    private: bool,
) -> _Answer:
    events = [event for found, _stamp in collected for event in found]
    body = render_calendar(name, events, host=_host(), language=language, source=_absolute(request.url.path))
    stamp = sources.latest(place_stamp, sources.window_stamp(window), *(s for _e, s in collected))
    last_modified = min(stamp, datetime.now(UTC))
    headers = {
        "ETag": etag_of(body),
        "Last-Modified": http_date(last_modified),
        "Cache-Control": "private, no-cache" if private else "public, no-cache",
        "Vary": "Accept-Encoding",
    }
    if private:
        headers.update({"X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer"})
    return _Answer(body, headers, last_modified)


def _conditional(request: Request, answer: _Answer) -> Response:
    """304 when the client's copy is current, else the calendar."""
    headers = dict(answer.headers)
    if not_modified(
        headers["ETag"],
        answer.last_modified,
        request.headers.get("if-none-match"),
        request.headers.get("if-modified-since"),
    ):
        return Response(content=b"", status_code=304, headers=headers, media_type=CALENDAR_TYPE)
    headers["Content-Disposition"] = 'inline; filename="calendar.ics"'
    return Response(content=answer.body, status_code=200, headers=headers, media_type=CALENDAR_TYPE)


# The public feeds' answers, kept per process by address, language, day and data versions
# (center.lib.versions): a repeat costs one query, and a 304 nothing more.
_KEPT: OrderedDict[str, _Answer] = OrderedDict()
MAX_KEPT = 64


def _not_found() -> Response:
    """The same few bytes for every missing feed, so a token's fate cannot be told apart."""
    return Response(
        content=b"Not Found\n",
        status_code=404,
        media_type="text/plain",
        headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"},
    )


def _kept_key(request: Request, language: str, tag: str) -> str:
    query = ""
    if request.scope["query_string"]:
        query = "&".join(f"{key}={value}" for key, value in sorted(request.query_params.multi_items()))
    return f"{id(get_engine())}|{request.scope['path']}?{query}|{language}|{today()}|{tag}"


async def _center_feed(request: Request, title: str, *collectors: sources.Collector) -> Response:
    """A public feed of the center's own events: `title` is a msgid with %(center)s."""
    language, window = _language(request), _window(request)
    with request_memo():
        key = _kept_key(request, language, (await current_versions()).tag)
        answer = _KEPT.get(key)
        if answer is None:
            where, place_stamp = await sources.place()
            url_for = _url_for(request)
            collected = [await collect(window, where, url_for) for collect in collectors]
            name = _(title, center=where.center_name())
            answer = _answer(
                request, name, collected, window, language=language, place_stamp=place_stamp, private=False
            )
            _KEPT[key] = answer
            while len(_KEPT) > MAX_KEPT:
                _KEPT.popitem(last=False)
    # Its revalidation may be answered before the app's middleware (center.web.revalidation).
    revalidation.register(request.scope["path"], request.scope.get("path_template", ""), _revalidate)
    return _conditional(request, answer)


async def _revalidate(request: Request) -> dict[str, str] | None:
    """center.web.revalidation's check, before the app's middleware: the 304's headers when the
    answer kept for this request's key is the client's copy (nothing kept: the app decides)."""
    scope = request.scope
    language = (request.query_params.get("lang") if scope["query_string"] else None) or "ja"
    with request_memo():
        versions = await current_versions(pushed=True)
        key = _kept_key(request, language, versions.tag)
    answer = _KEPT.get(key)
    if answer is None or not not_modified(
        answer.headers["ETag"],
        answer.last_modified,
        _header(scope, b"if-none-match"),
        _header(scope, b"if-modified-since"),
    ):
        return None
    return dict(answer.headers)


def _header(scope: Any, name: bytes) -> str | None:
    """A request header's first value, read off the scope (ASGI names are lower case): building
    the request's Headers would cost more than this whole check."""
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


class FeedController(Controller):
    """The calendar feeds: public ones, one room's busy times, private ones behind a token."""

    path = "/feeds"
    opt = PUBLIC

    @route("/public.ics", http_method=FEED_METHODS, name="feeds:public")
    async def public_feed(self, request: Request) -> Response:
        """Every public event: public approved bookings, screenings and flower-bed days."""
        return await _center_feed(
            request,
            N_("%(center)s: events"),
            sources.public_bookings,
            sources.screening_events,
            sources.flowerbed_events,
        )

    @route("/screenings.ics", http_method=FEED_METHODS, name="feeds:screenings")
    async def screenings_feed(self, request: Request) -> Response:
        """Exercise-video screenings only."""
        return await _center_feed(request, N_("%(center)s: exercise videos"), sources.screening_events)

    @route("/flowerbeds.ics", http_method=FEED_METHODS, name="feeds:flowerbeds")
    async def flowerbeds_feed(self, request: Request) -> Response:
        """Flower-bed days only."""
        return await _center_feed(request, N_("%(center)s: flower-bed days"), sources.flowerbed_events)

    @route("/rooms/{feed:str}", http_method=FEED_METHODS, name="feeds:room")
    async def room_feed(self, request: Request, feed: FromPath[str]) -> Response:
        """When one room is busy (by room code, e.g. /feeds/rooms/meeting1.ics): times only."""
        code = feed.removesuffix(SUFFIX)
        room = next((r for r in await sources.rooms() if r["code"] == code), None)
        if room is None or not feed.endswith(SUFFIX):
            return _not_found()
        language, window = _language(request), _window(request)
        where, place_stamp = await sources.place()
        collected = [await sources.room_busy(room["id"], window, where)]
        from center.lib.i18n import pick

        title = _("%(room)s: busy times", room=pick(room["name_ja"], room["name_en"]))
        return await _respond(
            request, title, collected, window, language=language, place_stamp=place_stamp, private=False
        )

    @route("/t/{feed:str}", http_method=FEED_METHODS, name="feeds:private")
    async def private_feed(self, request: Request, feed: FromPath[str]) -> Response:
        """A private feed behind its token: /feeds/t/<token>.ics."""
        row = await private.feed_token(feed.removesuffix(SUFFIX)) if feed.endswith(SUFFIX) else None
        if row is None:
            return _not_found()
        language, window = _language(request, row["language"]), _window(request)
        content = await private.private_content(row, window, _url_for(request))
        return await _respond(
            request,
            content.title,
            content.collected,
            window,
            language=language,
            place_stamp=content.place_stamp,
            private=True,
        )


ROUTES = [FeedController]
