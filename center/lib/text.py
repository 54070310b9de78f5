"""What people type, made comparable: full-width letters and digits (IMEs and scanners type
either) and hiragana against the katakana that names' readings are stored in."""

from __future__ import annotations

import unicodedata


def normalise(text: str | None) -> str:
    """Full-width letters and digits to half-width, half-width kana to full-width (NFKC), trimmed."""
    return unicodedata.normalize("NFKC", text or "").strip()


def to_katakana(text: str) -> str:
    """Hiragana to katakana, so ふりがな and フリガナ are stored and searched alike."""
    return "".join(chr(ord(char) + 0x60) if "\u3041" <= char <= "\u3096" else char for char in text)
