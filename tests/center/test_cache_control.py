"""What a signed-in person is shown is never kept by a cache; what everyone sees may be."""

import hashlib
import re

import pytest

from center.app import STATIC_DIR
from center.lib.settings import BASE_DIR
from tests.helpers import login, make_user

pytestmark = pytest.mark.anyio


async def test_every_page_a_signed_in_user_gets_says_no_store(client):
    await make_user("member1")
    await login(client, "member1")
    for path in ("/", "/account/password", "/healthz"):
        assert (await client.get(path)).headers["cache-control"] == "no-store", path


async def test_a_visitors_home_page_is_not_marked_no_store(client):
    assert (await client.get("/")).headers.get("cache-control") != "no-store"


async def test_the_stylesheet_stays_cacheable_for_a_signed_in_user(client):
    await make_user("member1")
    await login(client, "member1")
    response = await client.get("/static/center.css")
    assert response.status_code == 200
    assert response.headers.get("cache-control") != "no-store"


async def test_static_files_are_kept_for_a_year_and_every_page_links_them_by_their_content(client):
    """Versioned addresses make the year safe: a changed file gets a new one. So every static file
    a page links carries the hash of what is in it now, and the app says what nginx says."""
    page = (await client.get("/rooms")).text
    linked = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert len(linked) >= 3  # the style sheet, htmx and the center's script
    for address in linked:
        name, _, version = address.removeprefix("/static/").partition("?v=")
        assert version == hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12], address
        response = await client.get(address)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "max-age=31536000, public, immutable"
    nginx = (BASE_DIR / "deploy" / "nginx" / "center.conf").read_text()
    assert 'add_header Cache-Control "public, max-age=31536000, immutable" always;' in nginx
