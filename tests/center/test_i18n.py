"""The translations gate: every message in the code and templates has Japanese, every catalog file
is well formed, and English is one switch away."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from center.lib.i18n import CATALOG_DIR, LOCALES
from center.lib.i18n.extract import collect_msgids, missing_japanese
from tests.helpers import post_form

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


def catalog_files() -> list[Path]:
    return sorted(CATALOG_DIR.glob("*/*.po"))


def read(path: Path):
    with path.open("rb") as handle:
        return read_po(handle, locale=path.parent.name, abort_invalid=True)


def test_the_extractor_finds_messages_in_code_and_templates():
    found = collect_msgids()
    places = [where for wheres in found.values() for where in wheres]
    assert any(place.startswith("templates/") for place in places)
    assert any(place.startswith("center/") and ".py:" in place for place in places)
    assert "Log in" in found


def test_every_message_has_a_japanese_translation():
    missing = missing_japanese()
    lines = [f"{where[0]}: {msgid!r}" for msgid, where in sorted(missing.items(), key=lambda i: i[1][0])]
    assert missing == {}, (
        f"{len(missing)} messages lack Japanese (python -m center.lib.i18n.extract --po):\n"
        + "\n".join(lines)
    )


def test_there_are_catalogs_only_for_known_locales():
    files = catalog_files()
    assert files, "no catalog files found"
    assert {path.parent.name for path in files} <= set(LOCALES)


@pytest.mark.parametrize("path", catalog_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_catalog_parses_and_keeps_placeholders(path):
    catalog = read(path)
    assert len(catalog) > 0
    wrong = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set().union(*(PLACEHOLDER.findall(text) for text in ids))
        for text in strings:
            if set(PLACEHOLDER.findall(text)) != wanted:
                wrong.append(f"{ids[0]!r} -> {text!r}")
    assert wrong == [], "translations whose %(name)s placeholders differ from the msgid:\n" + "\n".join(wrong)


def test_no_message_is_translated_differently_in_two_catalog_files():
    # The files are merged at start-up, keyed by (context, msgid), and the first one wins silently.
    seen: dict[tuple[str, str | None, str], tuple[str, str]] = {}
    clashes = []
    for path in catalog_files():
        for message in read(path):
            if not message.id or not message.string:
                continue
            key = (path.parent.name, message.context, str(message.id))
            if key in seen and seen[key][1] != message.string:
                first_file, first = seen[key]
                clashes.append(f"{message.id!r}: {first_file} {first!r}, {path.name} {message.string!r}")
            seen.setdefault(key, (path.name, message.string))
    assert clashes == [], "\n".join(clashes)


@pytest.mark.anyio
async def test_english_locale_renders_the_home_page_in_english(client):
    switched = await post_form(client, "/lang", {"lang": "en", "next": "/"})
    assert switched.status_code == 303
    page = await client.get("/")
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    title = re.search(r"<title>(.*?)</title>", page.text, re.S)
    assert title and title.group(1).strip().endswith("Tomakomai Civic Activity Center")
