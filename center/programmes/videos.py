"""The library of exercise videos shown at the screenings: title, length, level (seated or
standing), what they train, staff notes; added, edited, and retired (inactive) or brought back."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from center.accounts import audit
from center.accounts.actors import Actor
from center.lib.db import write_transaction
from center.lib.errors import NotFound, ValidationFailed
from center.lib.i18n import N_
from center.places import forms
from center.programmes.tables import Video

LEVELS = (("seated", N_("Seated")), ("standing", N_("Standing")))


# --- videos -----------------------------------------------------------------------------------


def parse_video(data: Mapping[str, Any]) -> dict[str, Any]:
    errors = forms.FieldErrors()
    title = forms.text(data, "title", 200)
    if not title:
        errors.add("title", N_("Enter a title."))
    minutes = forms.whole(
        data, "minutes", errors, N_("Enter the length in minutes, from 1 to 180."), low=1, high=180
    )
    level = forms.text(data, "level")
    if level not in dict(LEVELS):
        errors.add("level", N_("Choose seated or standing."))
    if errors:
        raise ValidationFailed(dict(errors))
    return {
        "title": title,
        "minutes": minutes,
        "level": level,
        "trains": forms.text(data, "trains", 200),
        "staff_notes": forms.text(data, "staff_notes", 2000),
    }


async def add_video(fields: dict[str, Any], actor: Actor) -> int:
    async with write_transaction():
        rows = await Video.insert(Video(**fields, created_at=datetime.now(UTC))).returning(
            *Video.all_columns()
        )
        await audit.record("video.add", "video", rows[0]["id"], actor=actor, after=rows[0])
    return rows[0]["id"]


async def get_video(video_id: int) -> dict:
    row = await Video.select().where(Video.id == video_id).first()
    if row is None:
        raise NotFound(N_("That video does not exist."))
    return row


async def update_video(video_id: int, fields: dict[str, Any], actor: Actor) -> dict:
    """Change a video's details; screenings already planned keep showing it."""
    async with write_transaction():
        before = await get_video(video_id)
        await Video.update({getattr(Video, key): value for key, value in fields.items()}).where(
            Video.id == video_id
        )
        after = await get_video(video_id)
        await audit.record("video.update", "video", video_id, actor=actor, before=before, after=after)
    return after


async def set_video_active(video_id: int, active: bool, actor: Actor) -> dict:
    """Retire a video from the choices for new screenings (past ones keep it), or bring it back."""
    async with write_transaction():
        before = await get_video(video_id)
        await Video.update({Video.active: active}).where(Video.id == video_id)
        after = await get_video(video_id)
        await audit.record(
            "video.retire" if not active else "video.restore",
            "video",
            video_id,
            actor=actor,
            before=before,
            after=after,
        )
    return after


async def videos(active_only: bool = True) -> list[dict]:
    query = Video.select().order_by(Video.title)
    if active_only:
        query = query.where(Video.active == True)
    return await query


async def active_video(video_id: int | None) -> dict | None:
    if video_id is None:
        return None
    return await Video.select().where((Video.id == video_id) & (Video.active == True)).first()
