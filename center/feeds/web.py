"""Calendar feeds over HTTP, and the page where users make, rotate and revoke their feed links.

The feed routes are public (opt=PUBLIC): calendar apps fetch without cookies, so a private feed's
credential is the token in its URL, compared by hash; an unknown or revoked token, or one whose
owner has lost the role or group it was made for, answers the same bare 404."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

import segno
from litestar import HttpMethod, Request, Response, get, post, route
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from center.accounts.roles import FACILITIES, FRONT_DESK, MANAGER, MEMBER
from center.accounts.service import load_principal
from center.accounts.tables import Group
from center.dates import today
from center.db import get_engine
from center.errors import DomainError
from center.feeds import sources, tokens
from center.feeds.calendars import etag_of, http_date, not_modified, render_calendar
from center.i18n import LOCALES, N_, current_locale
from center.i18n import gettext as _
from center.lib.versions import current as current_versions
from center.lib.versions import request_memo
from center.programmes import flowerbeds
from center.settings import get_settings
from center.web.auth import PUBLIC, requires_login
from center.web.templating import flash

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
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


async def _center_name(where: sources.Place) -> str:
    from center.i18n import pick

    return pick(where.center_ja, where.center_en) or _("Civic Activity Center")


async def _center_feed(request: Request, title: str, *collectors: sources.Collector) -> Response:
    """A public feed of the center's own events: `title` is a msgid with %(center)s."""
    language, window = _language(request), _window(request)
    query = "&".join(f"{key}={value}" for key, value in sorted(request.query_params.multi_items()))
    with request_memo():
        versions = await current_versions()
        key = f"{id(get_engine())}|{request.url.path}?{query}|{language}|{today()}|{versions.tag}"
        answer = _KEPT.get(key)
        if answer is None:
            where, place_stamp = await sources.place()
            url_for = _url_for(request)
            collected = [await collect(window, where, url_for) for collect in collectors]
            name = _(title, center=await _center_name(where))
            answer = _answer(
                request, name, collected, window, language=language, place_stamp=place_stamp, private=False
            )
            _KEPT[key] = answer
            while len(_KEPT) > MAX_KEPT:
                _KEPT.popitem(last=False)
    return _conditional(request, answer)


@route("/feeds/public.ics", http_method=FEED_METHODS, name="feeds:public", opt=PUBLIC)
async def public_feed(request: Request) -> Response:
    """Every public event: public approved bookings, screenings and flower-bed days."""
    return await _center_feed(
        request,
        N_("%(center)s: events"),
        sources.public_bookings,
        sources.screening_events,
        sources.flowerbed_events,
    )


@route("/feeds/screenings.ics", http_method=FEED_METHODS, name="feeds:screenings", opt=PUBLIC)
async def screenings_feed(request: Request) -> Response:
    """Exercise-video screenings only."""
    return await _center_feed(request, N_("%(center)s: exercise videos"), sources.screening_events)


@route("/feeds/flowerbeds.ics", http_method=FEED_METHODS, name="feeds:flowerbeds", opt=PUBLIC)
async def flowerbeds_feed(request: Request) -> Response:
    """Flower-bed days only."""
    return await _center_feed(request, N_("%(center)s: flower-bed days"), sources.flowerbed_events)


@route("/feeds/rooms/{feed:str}", http_method=FEED_METHODS, name="feeds:room", opt=PUBLIC)
async def room_feed(request: Request, feed: FromPath[str]) -> Response:
    """When one room is busy (by room code, e.g. /feeds/rooms/meeting1.ics): times only."""
    code = feed.removesuffix(SUFFIX)
    room = next((r for r in await sources.rooms() if r["code"] == code), None)
    if room is None or not feed.endswith(SUFFIX):
        return _not_found()
    language, window = _language(request), _window(request)
    where, place_stamp = await sources.place()
    collected = [await sources.room_busy(room["id"], window, where)]
    from center.i18n import pick

    title = _("%(room)s: busy times", room=pick(room["name_ja"], room["name_en"]))
    return await _respond(
        request, title, collected, window, language=language, place_stamp=place_stamp, private=False
    )


async def _still_allowed(row: dict) -> bool:
    """Whether the token's owner may still see its feed (roles and groups change)."""
    if row["kind"] == "volunteer":
        return row["scope_id"] is not None
    if row["user"] is None:
        return False
    principal = await load_principal(row["user"])
    if principal is None:
        return False
    if row["kind"] == "group":
        return row["scope_id"] in principal.group_ids
    if row["kind"] == "desk":
        return principal.has(FRONT_DESK, MANAGER)
    if row["kind"] == "facilities":
        return principal.has(FACILITIES, MANAGER)
    return False


@route("/feeds/t/{feed:str}", http_method=FEED_METHODS, name="feeds:private", opt=PUBLIC)
async def private_feed(request: Request, feed: FromPath[str]) -> Response:
    """A private feed behind its token: /feeds/t/<token>.ics."""
    row = await tokens.verify(feed.removesuffix(SUFFIX)) if feed.endswith(SUFFIX) else None
    if row is None or not await _still_allowed(row):
        return _not_found()
    language, window = _language(request, row["language"]), _window(request)
    where, place_stamp = await sources.place()
    url_for = _url_for(request)
    center = await _center_name(where)
    kind, scope = row["kind"], row["scope_id"]
    if kind == "group":
        group = await Group.select(Group.name).where(Group.id == scope).first()
        collected = [
            await sources.group_bookings(scope, window, where, url_for),
            await sources.lottery_results(scope, window, where),
        ]
        title = _("%(group)s: bookings at %(center)s", group=group["name"] if group else "", center=center)
    elif kind == "volunteer":
        collected = [await sources.volunteer_signups(scope, window, where, url_for)]
        title = _("%(center)s: my flower-bed days", center=center)
    elif kind == "desk":
        collected = [await sources.desk_holds(window, where, url_for)]
        title = _("%(center)s: front desk", center=center)
    else:
        collected = [await sources.facilities_events(window, where, url_for)]
        title = _("%(center)s: facilities", center=center)
    await tokens.touch(row)
    return await _respond(
        request, title, collected, window, language=language, place_stamp=place_stamp, private=True
    )


# --- the token page -----------------------------------------------------------------------------


def links_for(request: Request, path: str) -> dict[str, str]:
    """The link at the address the user reached us by (https:// behind TLS), its webcal:// twin,
    and a QR code of the link."""
    url = str(request.base_url).rstrip("/") + path
    webcal = "webcal://" + url.split("://", 1)[1]
    qr = segno.make(url, error="m").svg_data_uri(scale=4, border=2)
    return {"url": url, "webcal": webcal, "qr": qr}


async def _choices(user) -> list[dict]:
    """The private feeds this user may make links for."""
    found = []
    if user.has(MEMBER) and user.group_ids:
        groups = await Group.select(Group.id, Group.name).where(Group.id.is_in(list(user.group_ids)))
        for group in sorted(groups, key=lambda g: g["id"]):
            found.append(
                {"value": f"group:{group['id']}", "label": kind_label("group") + f" ({group['name']})"}
            )
    if user.has(FRONT_DESK, MANAGER):
        found.append({"value": "desk:", "label": kind_label("desk")})
    if user.has(FACILITIES, MANAGER):
        found.append({"value": "facilities:", "label": kind_label("facilities")})
    return found


async def _page(request: Request, *, new: dict | None = None, status: int = 200, error: str = "") -> Template:
    user = request.user
    mine = await tokens.tokens_of(user.id)
    for token in mine:
        token["kind_label"] = kind_label(token["kind"])
    return Template(
        "feeds/account.html",
        context={
            "choices": await _choices(user),
            "tokens": mine,
            "new": new,
            "error": error,
        },
        status_code=status,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


@get("/feeds", name="feeds:index", opt=PUBLIC)
async def index_page(request: Request) -> Template:
    """The public feeds anyone may subscribe to: events, screenings, flower-bed days, rooms."""
    from center.i18n import pick

    reverse = request.app.route_reverse
    feeds = [
        {"label": _("All public events"), **links_for(request, reverse("feeds:public"))},
        {"label": _("Exercise videos"), **links_for(request, reverse("feeds:screenings"))},
        {"label": _("Flower-bed days"), **links_for(request, reverse("feeds:flowerbeds"))},
    ]
    rooms = [
        {
            "label": _("%(room)s: busy times", room=pick(room["name_ja"], room["name_en"])),
            **links_for(request, reverse("feeds:room", feed=room["code"] + SUFFIX)),
        }
        for room in await sources.rooms()
    ]
    return Template("feeds/index.html", context={"feeds": feeds, "rooms": rooms})


@get("/account/feeds", name="feeds:account", guards=[requires_login])
async def account_page(request: Request) -> Template:
    """The user's feed links: make, rotate, revoke; public feeds to subscribe to."""
    return await _page(request)


def _new_link(request: Request, token: str, label: str) -> dict:
    return {
        "label": label,
        **links_for(request, request.app.route_reverse("feeds:private", feed=token + SUFFIX)),
    }


@post("/account/feeds", name="feeds:make", guards=[requires_login])
async def make_link(request: Request, data: Form) -> Template:
    """Make a link for one of the user's feeds. The page answers the POST itself (no redirect)
    because the token is shown this once and must not be parked in the session store."""
    user = request.user
    choice = str(data.get("feed", ""))
    allowed = {c["value"]: c["label"] for c in await _choices(user)}
    if choice not in allowed:
        return await _page(request, status=400, error=_("Choose one of the feeds listed."))
    kind, _sep, scope = choice.partition(":")
    language = str(data.get("language", "ja"))
    token, _id = await tokens.make_token(
        kind,
        user_id=user.id,
        scope_id=int(scope) if scope else None,
        label=allowed[choice],
        language=language if language in LOCALES else "ja",
        actor=user,
    )
    return await _page(request, new=_new_link(request, token, allowed[choice]))


@post("/account/feeds/{token_id:int}/rotate", name="feeds:rotate", guards=[requires_login])
async def rotate_link(request: Request, token_id: FromPath[int]) -> Template:
    """Replace a link with a new one: the old address stops working at once."""
    token, _id = await tokens.rotate(token_id, user_id=request.user.id, actor=request.user)
    row = await tokens.verify(token)
    label = kind_label(row["kind"]) if row else ""
    return await _page(request, new=_new_link(request, token, row["label"] if row else label))


@post("/account/feeds/{token_id:int}/revoke", name="feeds:revoke", guards=[requires_login])
async def revoke_link(request: Request, token_id: FromPath[int]) -> Redirect:
    """Revoke a link: calendars subscribed with it stop updating."""
    await tokens.revoke(token_id, user_id=request.user.id, actor=request.user)
    flash(request, N_("The link is revoked. Calendars subscribed with it no longer update."))
    return Redirect(path=request.app.route_reverse("feeds:account"), status_code=303)


@post("/feeds/volunteer/{token:str}", name="feeds:volunteer", opt=PUBLIC)
async def volunteer_link(request: Request, token: FromPath[str]) -> Template:
    """A volunteer (no account) makes the feed of their signups from their private signup page;
    making it again replaces the earlier link."""
    try:
        signup, _day = await flowerbeds.signup_by_token(token)
    except DomainError:
        raise NotFoundException() from None
    feed_token, _id = await tokens.make_token(
        "volunteer",
        user_id=None,
        scope_id=signup["id"],
        label=signup["name"],
        language=current_locale.get(),
        replace=True,
    )
    return Template(
        "feeds/volunteer.html",
        context={
            "new": _new_link(request, feed_token, kind_label("volunteer")),
            "back": request.app.route_reverse("programmes:signup_view", token=token),
        },
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"},
    )


ROUTES = [
    index_page,
    public_feed,
    screenings_feed,
    flowerbeds_feed,
    room_feed,
    private_feed,
    account_page,
    make_link,
    rotate_link,
    revoke_link,
    volunteer_link,
]
