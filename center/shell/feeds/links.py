"""The pages where people find the public feeds and make, rotate and revoke their private feed
links (a group's, a volunteer's, the desk's, the facilities team's)."""

from __future__ import annotations

import segno
from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from center.accounts.guards import PUBLIC, requires_login
from center.accounts.memberships import approved_groups_of
from center.accounts.roles import FACILITIES, FRONT_DESK, MANAGER, MEMBER
from center.lib.errors import DomainError
from center.lib.i18n import LOCALES, N_, current_locale
from center.lib.i18n import gettext as _
from center.programmes import flowerbeds
from center.shell.feeds import sources, tokens
from center.shell.feeds.web import SUFFIX, kind_label
from center.web.forms import Form
from center.web.templating import flash


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
        for group in await approved_groups_of(user.id):
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


def _new_link(request: Request, token: str, label: str) -> dict:
    return {
        "label": label,
        **links_for(request, request.app.route_reverse("feeds:private", feed=token + SUFFIX)),
    }


class AccountFeedsController(Controller):
    """A signed-in person's private feed links: make one, rotate it, revoke it."""

    path = "/account/feeds"
    guards = (requires_login,)

    @get("/", name="feeds:account")
    async def account_page(self, request: Request) -> Template:
        """The user's feed links: make, rotate, revoke; public feeds to subscribe to."""
        return await _page(request)

    @post("/", name="feeds:make")
    async def make_link(self, request: Request, data: Form) -> Template:
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

    @post("/{token_id:int}/rotate", name="feeds:rotate")
    async def rotate_link(self, request: Request, token_id: FromPath[int]) -> Template:
        """Replace a link with a new one: the old address stops working at once."""
        token, _id = await tokens.rotate(token_id, user_id=request.user.id, actor=request.user)
        row = await tokens.verify(token)
        label = kind_label(row["kind"]) if row else ""
        return await _page(request, new=_new_link(request, token, row["label"] if row else label))

    @post("/{token_id:int}/revoke", name="feeds:revoke")
    async def revoke_link(self, request: Request, token_id: FromPath[int]) -> Redirect:
        """Revoke a link: calendars subscribed with it stop updating."""
        await tokens.revoke(token_id, user_id=request.user.id, actor=request.user)
        flash(request, N_("The link is revoked. Calendars subscribed with it no longer update."))
        return Redirect(path=request.app.route_reverse("feeds:account"), status_code=303)


class FeedPagesController(Controller):
    """The public feeds' page, and a volunteer's link to their signups."""

    path = "/feeds"
    opt = PUBLIC

    @get("/", name="feeds:index")
    async def index_page(self, request: Request) -> Template:
        """The public feeds anyone may subscribe to: events, screenings, flower-bed days, rooms."""
        from center.lib.i18n import pick

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

    @post("/volunteer/{token:str}", name="feeds:volunteer")
    async def volunteer_link(self, request: Request, token: FromPath[str]) -> Template:
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
            headers={
                "Cache-Control": "no-store",
                "Referrer-Policy": "no-referrer",
                "X-Robots-Tag": "noindex",
            },
        )


ROUTES = [FeedPagesController, AccountFeedsController]
