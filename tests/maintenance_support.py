"""Helpers for the maintenance tests: locations, a facilities account, images to upload."""

from __future__ import annotations

import io

from PIL import Image

from maintenance.tables import Location
from tests.helpers import login, make_user


async def make_location(code: str = "elevator", name_ja: str = "エレベーター", floor=None, room=None) -> int:
    rows = await Location.insert(
        Location(code=code, name_ja=name_ja, name_en=code.title(), floor=floor, room=room)
    ).returning(Location.id)
    return rows[0]["id"]


async def facilities_client(client, username: str = "facil") -> int:
    user_id = await make_user(username, ("facilities",), display_name="施設 太郎")
    await login(client, username)
    return user_id


def jpeg_with_gps(size=(64, 48)) -> bytes:
    """A JPEG whose EXIF carries a GPS position (Tomakomai city hall)."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (42.0, 38.0, 5.0)
    gps[3] = "E"
    gps[4] = (141.0, 36.0, 20.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


def ticket_form(location_id: int, **fields) -> dict:
    return {
        "title": fields.pop("title", "エレベーター停止"),
        "description": fields.pop("description", "2階で止まったまま動かない"),
        "category": fields.pop("category", "repair"),
        "location": str(location_id),
        "priority": fields.pop("priority", "urgent"),
        **fields,
    }
