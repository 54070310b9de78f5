"""The equipment vocabulary: the codes stored in Room.equipment, with English msgids for display.
Codes are stable (they appear in filters, URLs and the API); labels are translated where shown."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from center.lib.i18n import N_, current_locale, gettext, translations
from center.places.forms import FieldErrors, values

# Display order is the order here.
EQUIPMENT: dict[str, str] = {
    "projector": N_("Projector"),
    "screen": N_("Projection screen"),
    "tv_monitor": N_("TV monitor"),
    "whiteboard": N_("Whiteboard"),
    "microphone": N_("Microphone"),
    "sound_system": N_("Sound system"),
    "hearing_loop_portable": N_("Portable hearing loop"),
    "piano": N_("Piano"),
    "kitchen": N_("Kitchen"),
    "tables": N_("Tables"),
    "chairs": N_("Chairs"),
    "tatami": N_("Tatami floor"),
    "mirror_wall": N_("Mirror wall"),
    "wifi": N_("Wi-Fi"),
}


def equipment_label(code: str) -> str:
    """The equipment's name in the current language (unknown codes are shown as they are)."""
    msgid = EQUIPMENT.get(code)
    return gettext(msgid) if msgid else code


def equipment_choices() -> list[tuple[str, str]]:
    """(code, translated label) in display order, for forms and filters."""
    return [(code, gettext(msgid)) for code, msgid in EQUIPMENT.items()]


def known_codes(codes: list[str] | tuple[str, ...]) -> list[str]:
    """The known codes among `codes`, deduplicated, in vocabulary order."""
    wanted = set(codes)
    return [code for code in EQUIPMENT if code in wanted]


def chosen_codes(data: Mapping[str, Any], errors: FieldErrors, name: str = "equipment") -> list[str]:
    """The equipment ticked on a form or in a query; an error on the field if one is not known."""
    codes = values(data, name)
    if any(code not in EQUIPMENT for code in codes):
        errors.add(name, N_("Choose equipment from the list."))
    return codes


def unknown_codes(codes: list[str] | tuple[str, ...]) -> list[str]:
    return [code for code in codes if code not in EQUIPMENT]


def decode_codes(value: object) -> list[str]:
    """A stored equipment list (a JSON string or a list, whichever way the engine hands it back)
    as a list of codes."""
    if isinstance(value, str):
        try:
            value = json.loads(value or "[]")
        except ValueError:
            return []
    return [code for code in value or [] if isinstance(code, str)] if isinstance(value, list) else []


def equipment_text(value: object) -> str:
    """The equipment of a booking in words in the current language ("None" when there is none),
    e.g. プロジェクター、ホワイトボード."""
    codes = decode_codes(value)
    if not codes:
        return gettext("None")
    separator = "、" if current_locale.get() == "ja" else ", "
    return separator.join(equipment_label(code) for code in codes)


def label_pair(code: str) -> dict[str, str]:
    """The equipment's name in Japanese and in English, for texts kept and translated later."""
    msgid = EQUIPMENT.get(code, code)
    return {"ja": translations("ja").gettext(msgid), "en": msgid}
