"""The week grid, the availability API and the home page render exactly as they did before the
speed work (reference caches, precomputed grid cells, conditional GET): the same demo center at a
fixed instant, both languages, as a visitor and as each kind of signed-in person, compared with
fixtures captured from the code before that work (tests/fixtures/render/).

CENTER_RENDER_CAPTURE=1 rewrites the fixtures instead of comparing (only ever from a known-good
commit)."""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from pathlib import Path

import pytest
import time_machine

from center.shell.demo import DEMO_PASSWORD, load_demo
from tests.helpers import login

pytestmark = pytest.mark.anyio

FIXTURES = Path(__file__).parents[1] / "fixtures" / "render"
CAPTURE = os.environ.get("CENTER_RENDER_CAPTURE") == "1"
DUMP = os.environ.get("CENTER_RENDER_DUMP", "")  # a folder for what differed
# A Wednesday morning: the week shows past, taken, free, desk-only and closed cells.
NOW = datetime.fromisoformat("2026-11-18T10:30:00+09:00")
WEEK = date(2026, 11, 16)
ROLES = ("visitor", "member", "desk", "manager")
LANGS = ("ja", "en")
PAGES = {
    "grid": ("/availability?week=2026-11-16", {}),
    "grid-partial": ("/availability?week=2026-11-23&capacity=10", {"HX-Request": "true"}),
    "grid-next": ("/availability?week=2026-11-23", {}),
    "api": ("/api/availability?from=2026-11-16&to=2026-11-22", {}),
    "home": ("/", {}),
}
# Per-response secrets: the CSRF token (a fresh one per cookie) is all that may differ.
NORMALISE = [
    (re.compile(r'("x-csrftoken": ")[^"]+(")'), r"\1CSRF\2"),
    (re.compile(r'(name="_csrf_token" value=")[^"]+(")'), r"\1CSRF\2"),
    (re.compile(r'(value=")[^"]+(" name="_csrf_token")'), r"\1CSRF\2"),
    # A static file's address carries its content's fingerprint (nginx caches it a year); a change
    # to the stylesheet is not a change to the page's markup.
    (re.compile(r"(\?v=)[0-9a-f]+"), r"\1HASH"),
]


def normalise(text: str) -> str:
    for pattern, replacement in NORMALISE:
        text = pattern.sub(replacement, text)
    return text


async def test_grid_api_and_home_render_as_before(client):
    with time_machine.travel(NOW, tick=False):
        await load_demo(today=NOW.date())
        folder = FIXTURES  # the same on both engines
        mismatches: list[str] = []
        for role in ROLES:
            client.cookies.clear()
            if role != "visitor":
                await login(client, role, DEMO_PASSWORD)
            for lang in LANGS:
                client.cookies.set("lang", lang)
                for page, (url, headers) in PAGES.items():
                    response = await client.get(url, headers=headers)
                    assert response.status_code == 200, (role, lang, page, response.text[:300])
                    body = normalise(response.text)
                    path = folder / f"{role}-{lang}-{page}.{'json' if page == 'api' else 'html'}"
                    if CAPTURE:
                        path.parent.mkdir(parents=True, exist_ok=True)
                        path.write_text(body, encoding="utf-8")
                    elif normalise(path.read_text(encoding="utf-8")) != body:
                        mismatches.append(path.name)
                        if DUMP:  # what it rendered, to diff against the fixture
                            (Path(DUMP) / path.name).write_text(body, encoding="utf-8")
        assert not mismatches, f"rendered differently from before: {mismatches}"
