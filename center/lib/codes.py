"""Short codes people read aloud at the desk or on the phone, e.g. "K7QM-3XRX".

Eight characters from an alphabet without look-alikes (no 0/O, 1/I/L), the last one a check
character, shown in two groups of four. The alphabet has 31 characters, a prime, and the check
makes the weighted sum of all eight characters (weights 1 to 8) divisible by 31; so any single
changed character and any swap of two neighbours is caught as a typo before the database is
asked. Parsing forgives how a code was typed: hyphens, spaces, full-width characters, any case."""

from __future__ import annotations

import re
import secrets
import unicodedata

from center.lib.errors import DomainError
from center.lib.i18n import N_

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BASE = len(ALPHABET)  # 31, a prime: every non-zero weight times a non-zero change stays non-zero
LENGTH = 8
PAYLOAD = LENGTH - 1
VALUE = {char: index for index, char in enumerate(ALPHABET)}
# Hyphens and spaces as people type them on Japanese keyboards (NFKC leaves the long-vowel
# mark ー and the dashes alone).
SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−ー－_・.]+")

MSG_SHAPE = N_("Enter the 8-character code, e.g. K7QM-3XRX (letters and digits, with or without the hyphen).")
MSG_TYPO = N_("That code has a typo: one of its characters is wrong. Please check it character by character.")


class CodeInvalid(DomainError):
    """A code that is not eight characters of the alphabet, or whose check character is wrong."""

    status_code = 400
    message = MSG_SHAPE


def _weighted(values: list[int]) -> int:
    return sum((position + 1) * value for position, value in enumerate(values)) % BASE


def check_character(payload: str) -> str:
    """The character that makes `payload` (seven alphabet characters) a valid code."""
    total = _weighted([VALUE[char] for char in payload])
    # Solve total + LENGTH * c ≡ 0 (mod BASE) for c.
    check = (-total * pow(LENGTH, -1, BASE)) % BASE
    return ALPHABET[check]


def new_code() -> str:
    """A fresh random code in its shown form (callers make it unique in their table)."""
    payload = "".join(secrets.choice(ALPHABET) for _ in range(PAYLOAD))
    return display(payload + check_character(payload))


def display(compact: str) -> str:
    """ABCD2345 → ABCD-2345."""
    return f"{compact[:4]}-{compact[4:]}"


def compact(raw: str) -> str:
    """What was typed, without separators, half-width and upper case (not yet checked)."""
    return SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or "")).upper()


def is_valid(compact_code: str) -> bool:
    return (
        len(compact_code) == LENGTH
        and all(char in VALUE for char in compact_code)
        and _weighted([VALUE[char] for char in compact_code]) == 0
    )


def parse(raw: str) -> str:
    """A typed code in its shown form ("ABCD-2345"), or CodeInvalid saying what is wrong."""
    typed = compact(raw)
    if len(typed) != LENGTH or any(char not in VALUE for char in typed):
        raise CodeInvalid(MSG_SHAPE)
    if not is_valid(typed):
        raise CodeInvalid(MSG_TYPO)
    return display(typed)
