"""The terms of use (利用規約) members agree to before requesting a room. The manager edits them;
each save publishes a new version, and the highest version is the one in force. Bookings record
the version agreed to, so a later edit never changes what a group agreed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bookings.tables import BookingTerms
from center.accounts import audit
from center.accounts.actors import Actor
from center.lib.db import write_transaction
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_, pick
from center.lib.versions import reference_cached

MAX_BODY = 20000


async def current_terms() -> dict | None:
    """The version in force (the highest), or None when the center has published none yet; kept per
    process until the terms change (center.lib.versions)."""
    return await reference_cached(
        "terms", BookingTerms.select().order_by(BookingTerms.version, ascending=False).first().run
    )


async def terms_version(version: int) -> dict | None:
    return await BookingTerms.select().where(BookingTerms.version == version).first()


async def terms_history(limit: int = 50) -> list[dict]:
    """Published versions, newest first, with who published each."""
    return await (
        BookingTerms.select(
            BookingTerms.version,
            BookingTerms.published_at,
            BookingTerms.published_by.display_name.as_alias("published_by_name"),
        )
        .order_by(BookingTerms.version, ascending=False)
        .limit(limit)
    )


def terms_body(terms: dict) -> str:
    """The body in the current language (Japanese when there is no English text)."""
    return pick(terms["body_ja"], terms["body_en"])


def terms_paragraphs(terms: dict) -> list[str]:
    """The body split into paragraphs at blank lines, for display without markup."""
    text = terms_body(terms).replace("\r\n", "\n")
    return [part.strip() for part in text.split("\n\n") if part.strip()]


def check_agreement(agreed: bool, shown_version: Any, current: dict | None) -> int | None:
    """The version a request agrees to: refused unless agreed, and unless the version the person
    was shown is still in force (the manager may publish a new one meanwhile). `shown_version` is
    None where the client cannot name one (the JSON API agrees to the version in force)."""
    if not agreed:
        raise ValidationFailed({"agree_to_terms": N_("Agree to the terms of use to send the request.")})
    version = current["version"] if current else None
    if shown_version is not None and str(shown_version) != str(version or ""):
        raise ValidationFailed(
            {
                "agree_to_terms": N_(
                    "The terms of use were updated a moment ago. Please read them and agree again."
                )
            }
        )
    return version


async def publish_terms(body_ja: str, body_en: str, actor: Actor) -> int:
    """Publish a new version of the terms (Japanese required, English optional); its number."""
    body_ja, body_en = body_ja.strip(), body_en.strip()
    errors: dict[str, str] = {}
    if not body_ja:
        errors["body_ja"] = N_("Enter the terms of use in Japanese.")
    elif len(body_ja) > MAX_BODY:
        errors["body_ja"] = N_("Use at most 20,000 characters.")
    if len(body_en) > MAX_BODY:
        errors["body_en"] = N_("Use at most 20,000 characters.")
    if errors:
        raise ValidationFailed(errors)
    async with write_transaction():
        latest = await current_terms()
        version = (latest["version"] if latest else 0) + 1
        row = {
            "version": version,
            "body_ja": body_ja,
            "body_en": body_en,
            "published_at": datetime.now(UTC),
            "published_by": actor.id,
        }
        await BookingTerms.insert(BookingTerms(**row))
        await audit.record("publish", "booking_terms", version, actor=actor, before=latest, after=row)
    return version
