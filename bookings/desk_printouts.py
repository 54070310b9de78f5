"""The desk's printouts: the day sheet (A4 landscape: every room, every hold of the day, with
columns to tick and write head counts by hand) and the key log."""

from __future__ import annotations

from datetime import date

from bookings.desk import board
from center.lib.dates import format_date, wareki
from center.lib.i18n import current_locale, pick
from center.places import warnings
from center.places.access import step_free
from center.places.calendar import closed_reason_text, day_info, load_profile
from center.web.pdf import render_pdf

BLANK_KEY_ROWS = 8  # for keys handed out for holds that are not bookings (works, programmes)


async def _common(day: date) -> dict:
    profile = await load_profile() or {}
    info = await day_info(day)
    return {
        "day": day,
        "day_text": wareki(day) if current_locale.get() == "ja" else format_date(day),
        "center_name": pick(profile.get("name_ja", ""), profile.get("name_en", "")),
        "closed": closed_reason_text(info),
        "locale": current_locale.get(),
    }


async def day_sheet_context(day: date) -> dict:
    """Every room in order, each with its holds of the day (none: an empty line to write on)."""
    day_board = await board(day)
    by_room: dict[int, list] = {room["id"]: [] for room in day_board.rooms}
    for row in day_board.rows:
        by_room.setdefault(row.room["id"], []).append(row)
    access = await step_free(day_board.rooms, day)
    rooms = [
        {
            "room": room,
            "name": pick(room["name_ja"], room["name_en"]),
            "rows": by_room.get(room["id"], []),
            "step_free_out": access[room["id"]].by_design and not access[room["id"]].now,
        }
        for room in day_board.rooms
    ]
    found = await warnings.for_rooms([room["id"] for room in day_board.rooms], day)
    notices = list(dict.fromkeys(text for texts in found.values() for text in texts))
    return {**await _common(day), "rooms": rooms, "access_notices": notices}


async def key_log_context(day: date) -> dict:
    """Every booking of the day with the key handed out and back, then blank lines."""
    day_board = await board(day)
    rows = [row for row in day_board.rows if row.booking and row.state != "cancelled"]
    return {**await _common(day), "rows": rows, "blank_rows": range(BLANK_KEY_ROWS)}


async def day_sheet_pdf(day: date) -> bytes:
    return await render_pdf("pdf/day_sheet.html", await day_sheet_context(day))


async def key_log_pdf(day: date) -> bytes:
    return await render_pdf("pdf/key_log.html", await key_log_context(day))
