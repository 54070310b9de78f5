"""A private feed behind its token: whether its owner may still see it, and what it holds.

An unknown or revoked token, or one whose owner has lost the role or group it was made for, gives
no row at all, so the web layer answers each the same bare 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from center.accounts.groups import group_names
from center.accounts.roles import FACILITIES, FRONT_DESK, MANAGER
from center.accounts.service import load_principal
from center.lib.i18n import gettext as _
from center.shell.feeds import sources, tokens


@dataclass(frozen=True)
class FeedContent:
    """A feed's title, the events of each source with its last change, and the place's."""

    title: str
    collected: list[tuple[list, datetime]]
    place_stamp: datetime | None


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


async def feed_token(token: str) -> dict | None:
    """The token's row when it is valid and its owner may still see the feed, else None."""
    row = await tokens.verify(token)
    if row is None or not await _still_allowed(row):
        return None
    return row


async def private_content(row: dict, window: sources.Window, url_for: sources.UrlFor) -> FeedContent:
    """What the token's feed holds in the window; records that the token was used."""
    where, place_stamp = await sources.place()
    center = where.center_name()
    kind, scope = row["kind"], row["scope_id"]
    if kind == "group":
        names = await group_names([scope])
        collected = [
            await sources.group_bookings(scope, window, where, url_for),
            await sources.lottery_results(scope, window, where),
        ]
        title = _("%(group)s: bookings at %(center)s", group=names.get(scope, ""), center=center)
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
    return FeedContent(title, collected, place_stamp)
