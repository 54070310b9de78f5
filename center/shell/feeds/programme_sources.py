"""Feed events from the programmes: screenings, flower-bed days and a volunteer's signups."""

from __future__ import annotations

from datetime import datetime

from center.lib.i18n import gettext as _
from center.lib.i18n import pick
from center.programmes import feed_events as programme_reads
from center.programmes import screenings as screening_service
from center.shell.feeds.calendars import FeedEvent
from center.shell.feeds.windows import Place, UrlFor, Window, latest


async def screening_events(window: Window, where: Place, url_for: UrlFor) -> tuple[list[FeedEvent], datetime]:
    """Exercise-video screenings, cancelled ones kept as CANCELLED."""
    rows = await screening_service.screenings_between(window.start, window.end)
    events = [
        FeedEvent(
            kind="screening",
            ref=str(row["id"]),
            summary=_("Exercise video: %(title)s", title=row["title"]),
            starts=row["starts_at"],
            ends=row["ends_at"],
            updated_at=row["updated_at"],
            created_at=row["created_at"],
            sequence=row["sequence"],
            status="CANCELLED" if row["status"] == "cancelled" else "CONFIRMED",
            location=where.location(row["room_name_ja"], row["room_name_en"]),
            url=url_for("programmes:screenings"),
        )
        for row in rows
    ]
    return events, latest(await programme_reads.screenings_changed())


def _day_event(day: dict, where: Place, url_for: UrlFor, **overrides) -> FeedEvent:
    fields = {
        "kind": "flowerbed",
        "ref": str(day["id"]),
        "summary": pick(day["title_ja"], day["title_en"]),
        "starts": day["starts_at"],
        "ends": day["ends_at"],
        "updated_at": day["updated_at"],
        "created_at": day["created_at"],
        "sequence": day["sequence"],
        "status": "CANCELLED" if day["status"] == "cancelled" else "CONFIRMED",
        "location": ", ".join(
            p for p in (day["meeting_point"], pick(where.center_ja, where.center_en), where.address) if p
        ),
        "description": day["change_note"] or "",
        "url": url_for("programmes:flowerbed_day", day_id=day["id"]),
    }
    fields.update(overrides)
    return FeedEvent(**fields)


async def flowerbed_events(window: Window, where: Place, url_for: UrlFor) -> tuple[list[FeedEvent], datetime]:
    """Flower-bed days on their current date (a postponed day moves: same UID, higher SEQUENCE)."""
    rows = await programme_reads.flowerbed_day_rows(window.start, window.end)
    events = [_day_event(day, where, url_for) for day in rows]
    return events, latest(await programme_reads.flowerbed_days_changed())


_SIGNUP_STATE = {"confirmed": "CONFIRMED", "waitlisted": "TENTATIVE"}


async def volunteer_signups(
    signup_id: int, window: Window, where: Place, url_for: UrlFor
) -> tuple[list[FeedEvent], datetime]:
    """The one signup a volunteer's feed token was made from, on its day. Never the other signups
    with the same name and contact: those are typed in by whoever signs up, so anyone who knows a
    volunteer's name and phone could sign up with them and read that volunteer's days."""
    signups, days = await programme_reads.signup_with_days(signup_id)
    waiting = _("Waiting list")
    events = []
    stamps: list[datetime | None] = []
    for signup in signups:
        day = days[signup["day"]]
        changed = latest(
            day["updated_at"], signup["created_at"], signup["promoted_at"], signup["cancelled_at"]
        )
        stamps.append(changed)
        if not window.start <= day["day"] <= window.end:
            continue
        status = _SIGNUP_STATE.get(signup["status"], "CANCELLED")
        if day["status"] == "cancelled":
            status = "CANCELLED"
        title = pick(day["title_ja"], day["title_en"])
        events.append(
            _day_event(
                day,
                where,
                url_for,
                kind="signup",
                ref=str(signup["id"]),
                summary=f"[{waiting}] {title}" if signup["status"] == "waitlisted" else title,
                updated_at=changed,
                created_at=signup["created_at"],
                sequence=day["sequence"]
                + (1 if signup["promoted_at"] else 0)
                + (1 if signup["cancelled_at"] else 0),
                status=status,
            )
        )
    return events, latest(*stamps)
