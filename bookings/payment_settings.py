"""The manager's settings for paying and for the permit (one row of PaymentSettings): the payment
deadline and instructions (edited with the booking rules), the ordinance line the permit cites,
and the designated manager's seal image (checked like room photos: JPEG or PNG by content, 5 MB
at most, re-encoded)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bookings.tables import PaymentSettings
from center.accounts import audit
from center.accounts.actors import Actor
from center.lib import images
from center.lib.db import write_transaction
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_
from center.lib.versions import reference_cached
from center.places import photos
from center.places.forms import FieldErrors, text, whole

MAX_INSTRUCTIONS = 1000
MAX_ORDINANCE = 300
MAX_PAY_DAYS = 60
MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg"}

MSG_SEAL_NOT_IMAGE = N_("The seal must be a JPEG or PNG image.")
MSG_SEAL_TOO_BIG = N_("The seal image must be 5 MB or smaller.")
MSG_SEAL_EMPTY = N_("Choose an image file of the seal to upload.")
_SEAL_MESSAGES = {
    photos.MSG_NOT_IMAGE: MSG_SEAL_NOT_IMAGE,
    photos.MSG_TOO_BIG: MSG_SEAL_TOO_BIG,
    photos.MSG_EMPTY: MSG_SEAL_EMPTY,
}


async def load_settings() -> dict:
    """The settings row (created empty if missing)."""
    row = await PaymentSettings.select().first()
    if row is None:
        async with write_transaction():
            if not await PaymentSettings.exists():
                await PaymentSettings.insert(PaymentSettings(updated_at=datetime.now(UTC)))
        row = await PaymentSettings.select().first()
    return row


async def payment_instructions() -> str:
    """How to pay, as a booking's page shows it (the column alone: not the seal image's bytes); kept
    per process until the settings change."""
    row = await reference_cached(
        "payment_instructions",
        lambda: PaymentSettings.select(PaymentSettings.payment_instructions).first().run(),
    )
    return row["payment_instructions"] if row else ""


def _public(row: dict) -> dict:
    """The row for the audit log: the seal as its size, not its bytes."""
    return {**row, "seal_image": len(row["seal_image"] or b"")}


async def _update(values: dict, actor: Actor, what: str) -> None:
    async with write_transaction():
        before = await load_settings()
        await PaymentSettings.update(
            {getattr(PaymentSettings, k): v for k, v in values.items()}
            | {PaymentSettings.updated_at: datetime.now(UTC)}
        ).where(PaymentSettings.id == before["id"])
        after = await load_settings()
        await audit.record(
            "update", what, before["id"], actor=actor, before=_public(before), after=_public(after)
        )


def parse_payment_rules(data: Mapping[str, Any], errors: FieldErrors) -> dict:
    """The deadline rule and instructions from the booking rules form (errors filled in)."""
    days = whole(
        data,
        "pay_days_before",
        errors,
        N_("Enter a whole number of days from 0 to 60."),
        low=0,
        high=MAX_PAY_DAYS,
    )
    instructions = text(data, "payment_instructions")
    if len(instructions) > MAX_INSTRUCTIONS:
        errors.add("payment_instructions", N_("Use at most 1000 characters."))
    return {"pay_days_before": days, "payment_instructions": instructions}


async def save_payment_rules(values: dict, actor: Actor) -> None:
    """Store the deadline rule and instructions (joins the caller's transaction)."""
    await _update(values, actor, "payment_rules")


async def save_permit_text(data: Mapping[str, Any], actor: Actor) -> None:
    """Store the ordinance line the permit cites; ValidationFailed and nothing written if too long."""
    ordinance = text(data, "ordinance_text")
    if len(ordinance) > MAX_ORDINANCE:
        raise ValidationFailed({"ordinance_text": N_("Use at most 300 characters.")})
    await _update({"ordinance_text": ordinance}, actor, "permit_settings")


def check_seal(content: bytes) -> tuple[bytes, str]:
    """Check and re-encode a seal image like a room photo; returns (bytes, media type) or raises
    ValidationFailed on the "seal" field."""
    try:
        processed, extension = photos.process(content)
    except ValidationFailed as refused:
        message = refused.errors.get("photo", photos.MSG_NOT_IMAGE)
        raise ValidationFailed({"seal": _SEAL_MESSAGES.get(message, MSG_SEAL_NOT_IMAGE)}) from refused
    return processed, MEDIA_TYPES[extension]


async def save_seal(content: bytes, actor: Actor) -> None:
    processed, media_type = await images.in_worker(check_seal, content)
    await _update({"seal_image": processed, "seal_media_type": media_type}, actor, "permit_seal")


async def remove_seal(actor: Actor) -> None:
    await _update({"seal_image": None, "seal_media_type": ""}, actor, "permit_seal")


def seal_data_uri(row: dict) -> str:
    """The seal as a data: URI for the PDF, or "" when none was uploaded."""
    if not row["seal_image"]:
        return ""
    return f"data:{row['seal_media_type']};base64,{base64.b64encode(bytes(row['seal_image'])).decode()}"
