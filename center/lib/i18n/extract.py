"""Find every msgid in the code and templates and report those the Japanese catalog lacks.

python -m center.lib.i18n.extract          # list missing msgids
python -m center.lib.i18n.extract --po     # print them as PO entries to paste and translate
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from babel.messages.extract import extract_from_dir
from babel.support import NullTranslations

from center.lib.i18n import translations
from center.lib.settings import BASE_DIR

KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}


@dataclass(frozen=True)
class InContext:
    """A msgid used with a context (msgctxt): pgettext(context, msgid)."""

    context: str
    msgid: str


SOURCE_DIRS = ("center", "bookings", "maintenance", "templates")


def collect_msgids() -> dict[str | tuple[str, str] | InContext, list[str]]:
    """msgid (or (singular, plural), or InContext(context, msgid)) -> places it appears."""
    found: dict[str | tuple[str, str] | InContext, list[str]] = {}
    for folder in SOURCE_DIRS:
        method_map = [
            ("**/piccolo_migrations/**", "ignore"),
            ("**.py", "python"),
            ("**.html", "jinja2"),
            ("**.ics", "ignore"),
        ]
        options = {"**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "false"}}
        for filename, lineno, message, _comments, context in extract_from_dir(
            BASE_DIR / folder, method_map=method_map, options_map=options, keywords=KEYWORDS
        ):
            # ngettext gives (singular, plural): one catalog entry, keyed by the singular.
            first = message[0] if isinstance(message, tuple) else message
            if not first:
                continue
            key = InContext(context, first) if context else message
            found.setdefault(key, []).append(f"{folder}/{filename}:{lineno}")
    return found


def _translated(catalog: NullTranslations, msgid: str | tuple[str, str] | InContext) -> bool:
    if isinstance(msgid, InContext):
        return catalog.upgettext(msgid.context, msgid.msgid) != msgid.msgid
    return catalog.ugettext(msgid) != msgid


def missing_japanese() -> dict[str | tuple[str, str] | InContext, list[str]]:
    catalog = translations("ja")
    return {msgid: where for msgid, where in collect_msgids().items() if not _translated(catalog, msgid)}


def _po_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def main() -> int:
    missing = missing_japanese()
    for msgid, where in sorted(missing.items(), key=lambda item: item[1][0]):
        if "--po" in sys.argv:
            if isinstance(msgid, InContext):
                context = f'msgctxt "{_po_escape(msgid.context)}"\n'
                print(f'#: {where[0]}\n{context}msgid "{_po_escape(msgid.msgid)}"\nmsgstr ""\n')
            else:
                print(f'#: {where[0]}\nmsgid "{_po_escape(msgid)}"\nmsgstr ""\n')
        else:
            print(f"{where[0]}: {msgid}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
