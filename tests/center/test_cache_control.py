"""What a signed-in person is shown is never kept by a cache; what everyone sees may be."""

import pytest

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
