"""Translations by meaning: short English words (one or two) are ambiguous, so a word used in
several parts of the app either has one shared meaning, declared by its place in the shared
catalog (center/lib/i18n/ja/core.po), or carries a context (msgctxt) naming its sense. pgettext works
in code and in templates, in both languages, and the catalog merge keeps the senses apart."""

from __future__ import annotations

import io
from collections import defaultdict

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from center.lib.i18n import CATALOG_DIR, current_locale, npgettext, pgettext, translations
from center.lib.i18n.extract import InContext, collect_msgids
from center.web.templating import build_environment
from tests.bookings import desk_support as support
from tests.helpers import login, post_form, text_of

SHARED_CATALOG = "core.po"
desk_center = support.desk_center


def area(place: str) -> str:
    """The part of the app a message is used in: a template folder (templates/desk), a package of
    center/ (center/programmes), or a domain (bookings, maintenance); top-level templates and
    modules are the core."""
    parts = place.split(":")[0].split("/")
    if parts[0] in ("templates", "center"):
        return parts[1] if len(parts) > 2 else "core"
    return parts[0]


def short(msgid: str) -> bool:
    return len(msgid.split()) <= 2


def catalog_files_translating() -> dict[str, set[str]]:
    """A context-free msgid -> the Japanese catalog files that translate it."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in sorted((CATALOG_DIR / "ja").glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale="ja"):
                if message.id and isinstance(message.id, str) and not message.context:
                    found[message.id].add(path.name)
    return found


def ambiguous_short_messages(
    found: dict | None = None, files: dict[str, set[str]] | None = None
) -> list[str]:
    """The rule. A one- or two-word msgid without a context is ambiguous, and so refused, when
    (a) it is used in more than one area of the app (see `area`) but is not translated in the
    shared catalog core.po: the areas may mean different things by it (the desk's "Key" column,
    a room key, took the week grid's "Key", a legend: 「記号の見方」), or
    (b) more than one catalog file translates it: two parts of the app claim the word.
    A word fit for every area goes in core.po (one meaning everywhere, reviewed once); a word
    with several senses is written pgettext("sense", "Word") where it is used."""
    files = catalog_files_translating() if files is None else files
    found = collect_msgids() if found is None else found
    wrong = []
    for msgid, places in sorted(found.items(), key=lambda item: str(item[0])):
        if not isinstance(msgid, str) or not short(msgid):
            continue  # plurals and messages with a context name their sense already
        areas = sorted({area(place) for place in places})
        translated_in = files.get(msgid, set())
        if len(areas) > 1 and SHARED_CATALOG not in translated_in:
            wrong.append(f"{msgid!r} is used in {', '.join(areas)} but not translated in {SHARED_CATALOG}")
        elif len(translated_in) > 1:
            wrong.append(f"{msgid!r} is translated in {', '.join(sorted(translated_in))}")
    return wrong


def test_no_short_message_is_used_in_different_senses_without_a_context():
    wrong = ambiguous_short_messages()
    assert wrong == [], (
        "short msgids that may mean different things: move one meaning to core.po, or use "
        'pgettext("sense", ...) where they differ:\n' + "\n".join(wrong)
    )


def test_the_rule_catches_a_short_word_borrowed_from_another_area():
    # The "Key" bug as it was: the desk's column used the week grid's legend word, translated
    # only in bookings.po.
    before = {"Key": ["templates/bookings/_cells.html:18", "templates/desk/_board_table.html:11"]}
    assert ambiguous_short_messages(before, {"Key": {"bookings.po"}}) == [
        "'Key' is used in bookings, desk but not translated in core.po"
    ]


def test_the_rule_catches_a_short_word_two_catalog_files_translate():
    found = {"Status": ["templates/accounts/manage_groups.html:11"]}
    files = {"Status": {"accounts.po", "places.po"}}
    assert ambiguous_short_messages(found, files) == ["'Status' is translated in accounts.po, places.po"]


def test_the_extractor_keeps_the_context_of_pgettext_in_code_and_templates():
    found = collect_msgids()
    assert InContext("room key", "Key") in found
    assert InContext("legend", "Key") in found
    assert InContext("programme", "Title") in found  # center/shell/reports/domain_sections.py, in Python
    assert any(place.startswith("center/") for place in found[InContext("programme", "Title")])


def test_pgettext_translates_each_sense_of_a_word_in_japanese():
    token = current_locale.set("ja")
    try:
        assert pgettext("room key", "Key") == "鍵"
        assert pgettext("legend", "Key") == "記号の見方"
        assert pgettext("room key", "No. %(number)s", number=7) == "鍵番号7"
    finally:
        current_locale.reset(token)


def test_pgettext_gives_the_english_message_in_english():
    token = current_locale.set("en")
    try:
        assert pgettext("room key", "Key") == "Key"
        assert pgettext("room key", "No. %(number)s", number=7) == "No. 7"
        assert npgettext("sense", "%(num)s key", "%(num)s keys", 2) == "2 keys"
    finally:
        current_locale.reset(token)


@pytest.mark.parametrize(("locale", "expected"), [("ja", "鍵 / 記号の見方"), ("en", "Key / Key")])
def test_pgettext_works_in_templates(locale, expected):
    template = build_environment().from_string(
        '{{ pgettext("room key", "Key") }} / {{ pgettext("legend", "Key") }}'
    )
    token = current_locale.set(locale)
    try:
        assert template.render() == expected
    finally:
        current_locale.reset(token)


def test_a_message_with_a_context_round_trips_through_the_compiled_catalog():
    catalog = Catalog(locale="ja")
    catalog.add("Key", "記号の見方")
    catalog.add("Key", "鍵", context="room key")
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    compiled = Translations(buffer)
    assert compiled.ugettext("Key") == "記号の見方"
    assert compiled.upgettext("room key", "Key") == "鍵"


def test_the_merged_catalog_keeps_both_senses_of_a_word():
    merged = translations("ja")
    assert merged.upgettext("legend", "Key") != merged.upgettext("room key", "Key")


@pytest.mark.anyio
async def test_the_desk_board_names_the_key_column_and_the_booking_its_key_number(client, desk_center):
    await login(client, "desk1")
    url = f"/desk/bookings/{desk_center['morning']}"
    await post_form(client, url + "/check-in", {"head_count": "18", "key_number": "3"})
    board = await client.get("/desk")
    assert '<th scope="col">鍵</th>' in board.text
    assert "記号の見方" not in board.text
    booking = text_of((await client.get(url)).text)
    assert "鍵 鍵番号3" in booking and "申込番号" not in booking
