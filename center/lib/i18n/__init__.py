"""Translations: Japanese by default, English by switch.

Messages are written in English in code and templates (msgids) and translated through gettext
catalogs: every `*.po` file under center/lib/i18n/<locale>/ is read with Babel at start-up and merged,
so each part of the app keeps its own catalog file. English needs no catalog.

A short English word may mean different things ("Key": a room key, or a legend's key), so a
message may carry a context (msgctxt) naming its sense: `pgettext("room key", "Key")`. The merge
keys entries by (context, msgid), so "Key" and "Key" in context "room key" are distinct entries."""

from __future__ import annotations

import io
from collections.abc import Mapping
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES = ("ja", "en")
DEFAULT_LOCALE = "ja"
CATALOG_DIR = Path(__file__).resolve().parent

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


@cache
def translations(locale: str) -> NullTranslations:
    """The merged catalog for a locale (cached for the life of the process)."""
    folder = CATALOG_DIR / locale
    files = sorted(folder.glob("*.po")) if folder.is_dir() else []
    if not files:
        return NullTranslations()
    merged = Catalog(locale=locale)
    entries: dict[tuple[str | None, object], Message] = {}
    for path in files:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        for message in catalog:
            if message.id:
                # Keyed by (context, id): the same words in two senses are two entries.
                key = (message.context, message.id[0] if isinstance(message.id, tuple) else message.id)
                entries.setdefault(key, message)
    for message in entries.values():
        merged[message.id] = message
    buffer = io.BytesIO()
    write_mo(buffer, merged, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer)


def gettext(message: str, **params: object) -> str:
    """Translate into the current request's locale; `params` fill %(name)s placeholders."""
    text = translations(current_locale.get()).ugettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    text = translations(current_locale.get()).ungettext(singular, plural, n)
    params.setdefault("num", n)
    return text % params


def pgettext(context: str, message: str, **params: object) -> str:
    """Translate `message` in the sense `context` names (its msgctxt in the catalogs)."""
    text = translations(current_locale.get()).upgettext(context, message)
    return text % params if params else text


def npgettext(context: str, singular: str, plural: str, n: int, **params: object) -> str:
    """ngettext for a message in the sense `context` names."""
    text = translations(current_locale.get()).unpgettext(context, singular, plural, n)
    params.setdefault("num", n)
    return text % params


def pick(ja: str, en: str) -> str:
    """Choose between a record's Japanese and English field for the current locale."""
    if current_locale.get() == "en" and en:
        return en
    return ja


def both(row: Mapping[str, Any], field: str = "name") -> dict[str, str]:
    """A record's `field`_ja and `field`_en as a text in both languages (a notice's parameter,
    rendered later in the reader's): the English falls back to the Japanese."""
    ja = row[f"{field}_ja"]
    return {"ja": ja, "en": row[f"{field}_en"] or ja}


_ = gettext


def N_(message: str) -> str:
    """Mark a msgid for extraction without translating it yet (it is translated where shown)."""
    return message


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The locale for a request: the user's explicit choice, else Japanese (the center's language)."""
    if cookie in LOCALES:
        return cookie
    return DEFAULT_LOCALE
