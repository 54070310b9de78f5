"""Conditional GET for visitors (center/web/conditional.py, the public feed): an unchanged page is
answered 304; the validator changes with the language, the CSRF cookie and the data; signed-in
people get neither a validator nor a 304, whatever they send."""

from __future__ import annotations

from datetime import timedelta

import pytest

from center.lib.dates import today
from center.places.tables import Room
from center.shell.demo import DEMO_PASSWORD
from tests.helpers import login
from tests.snapshots import demo_center

pytestmark = pytest.mark.anyio


def _pages() -> list[str]:
    monday = today() - timedelta(days=today().weekday()) + timedelta(days=7)
    end = monday + timedelta(days=6)
    return [f"/availability?week={monday}", f"/api/availability?from={monday}&to={end}", "/"]


async def test_a_visitor_gets_304_for_an_unchanged_page_and_a_fresh_one_after_a_change(client):
    await demo_center()
    for url in _pages():
        first = await client.get(url)
        assert first.status_code == 200 and "Cookie" in first.headers["vary"]
        etag = first.headers["etag"]
        again = await client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
        # Kept from the cache, the page is the same, with this visitor's own CSRF token.
        assert (await client.get(url)).text == first.text
    grid = _pages()[0]
    etag = (await client.get(grid)).headers["etag"]
    client.cookies.set("lang", "en")
    english = await client.get(grid, headers={"If-None-Match": etag})
    assert english.status_code == 200 and english.headers["etag"] != etag
    await Room.update({Room.name_en: "The Renamed Hall"}).where(Room.code == "hall")
    changed = await client.get(grid, headers={"If-None-Match": english.headers["etag"]})
    assert changed.status_code == 200 and "The Renamed Hall" in changed.text


async def test_another_visitors_csrf_cookie_changes_the_validator_and_the_token_in_the_page(client, app):
    from tests.helpers import client_at

    await demo_center()
    grid = _pages()[0]
    first = await client.get(grid)
    token = client.cookies.get("csrftoken")
    assert token and token in first.text
    async with client_at(app, "127.0.0.2") as other:
        theirs = await other.get(grid, headers={"If-None-Match": first.headers["etag"]})
        assert theirs.status_code == 200
        their_token = other.cookies.get("csrftoken")
        assert their_token and their_token in theirs.text and token not in theirs.text


async def test_signed_in_people_get_no_validator_and_no_304(client):
    await demo_center()
    grid = _pages()[0]
    etag = (await client.get(grid)).headers["etag"]
    await login(client, "member", DEMO_PASSWORD)
    for url in _pages():
        answer = await client.get(url, headers={"If-None-Match": etag})
        assert answer.status_code == 200
        assert "etag" not in answer.headers and answer.headers["cache-control"] == "no-store"


async def test_the_public_feed_answers_304_from_what_it_kept(client):
    await demo_center()
    first = await client.get("/feeds/public.ics")
    assert first.status_code == 200
    again = await client.get("/feeds/public.ics", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert (await client.get("/feeds/public.ics")).content == first.content


def _count_early_answers(monkeypatch) -> list[int]:
    """Count the 304s center.web.revalidation answers before the app's middleware."""
    from center.web import revalidation

    answered: list[int] = []
    original = revalidation._not_modified

    async def counted(send, headers):
        answered.append(1)
        await original(send, headers)

    monkeypatch.setattr(revalidation, "_not_modified", counted)
    return answered


def _comparable(headers) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name not in {"x-request-id", "date"}}


@pytest.mark.parametrize("url", [*_pages(), "/feeds/public.ics?lang=en"])
async def test_a_304_answered_before_the_middleware_is_the_one_the_app_would_answer(client, monkeypatch, url):
    from center.web import revalidation

    await demo_center()
    answered = _count_early_answers(monkeypatch)
    first = await client.get(url)
    assert first.status_code == 200
    condition = {"If-None-Match": first.headers["etag"]}
    early = await client.get(url, headers=condition)
    assert early.status_code == 304 and answered == [1]
    revalidation.clear()  # the app's own answer, for comparison
    full = await client.get(url, headers=condition)
    assert full.status_code == 304 and answered == [1]
    assert _comparable(early.headers) == _comparable(full.headers)
    # After a change the early check declines and the app answers the new page.
    await client.get(url)  # registers the address again
    await Room.update({Room.name_en: "The Renamed Hall"}).where(Room.code == "hall")
    changed = await client.get(url, headers=condition)
    assert changed.status_code == 200 and changed.headers["etag"] != first.headers["etag"]
    assert answered == [1]


async def test_the_early_answer_leaves_sessions_languages_and_tokens_to_the_app(client, app, monkeypatch):
    from tests.helpers import client_at

    await demo_center()
    answered = _count_early_answers(monkeypatch)
    grid = _pages()[0]
    etag = (await client.get(grid)).headers["etag"]
    client.cookies.set("lang", "en")
    assert (await client.get(grid, headers={"If-None-Match": etag})).status_code == 200
    client.cookies.delete("lang")
    async with client_at(app, "127.0.0.2") as other:  # their own CSRF cookie
        assert (await other.get(grid, headers={"If-None-Match": etag})).status_code == 200
    await login(client, "member", DEMO_PASSWORD)  # a session cookie: the app decides
    assert (await client.get(grid, headers={"If-None-Match": etag})).status_code == 200
    assert answered == []
