"""Translations: Japanese by default, English by switch.

Messages are written in English in code and templates (msgids) and translated through gettext
catalogs: every `*.po` file under center/i18n/<locale>/ is read with Babel at start-up and merged,
so each part of the app keeps its own catalog file. English needs no catalog."""

from __future__ import annotations

import io
from contextvars import ContextVar
from functools import cache
from pathlib import Path

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
    merged = None
    for path in files:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        if merged is None:
            merged = catalog
        else:
            for message in catalog:
                if message.id:
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


def pick(ja: str, en: str) -> str:
    """Choose between a record's Japanese and English field for the current locale."""
    if current_locale.get() == "en" and en:
        return en
    return ja


_ = gettext


def N_(message: str) -> str:
    """Mark a msgid for extraction without translating it yet (it is translated where shown)."""
    return message


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The locale for a request: the user's explicit choice, else Japanese (the center's language)."""
    if cookie in LOCALES:
        return cookie
    return DEFAULT_LOCALE
