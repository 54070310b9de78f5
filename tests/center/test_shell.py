"""The application shell: home page, language switch, login, password change, error pages."""

import pytest

from tests.helpers import PASSWORD, login, make_user, post_form, text_of

pytestmark = pytest.mark.anyio


async def test_home_page_is_japanese_by_default(client):
    response = await client.get("/")
    assert response.status_code == 200
    assert '<html lang="ja">' in response.text
    assert "本日のセンター" in response.text
    assert "令和" in response.text


async def test_language_switch_sets_english_and_back(client):
    response = await post_form(client, "/lang", {"lang": "en", "next": "/"})
    assert response.status_code == 303
    page = await client.get("/")
    assert '<html lang="en">' in page.text
    assert "Today at the center" in page.text
    await post_form(client, "/lang", {"lang": "ja", "next": "/"})
    assert '<html lang="ja">' in (await client.get("/")).text


async def test_language_switch_refuses_offsite_redirects(client):
    response = await post_form(client, "/lang", {"lang": "en", "next": "https://evil.example/"})
    assert response.headers["location"] == "/"


async def test_login_with_wrong_password_says_so_in_japanese(client):
    await make_user("desk1", ("front_desk",))
    response = await post_form(client, "/login", {"username": "desk1", "password": "wrong password!"})
    assert response.status_code == 400
    assert "ユーザー名またはパスワードが違います" in response.text


async def test_login_is_throttled_after_repeated_failures(client):
    await make_user("desk2", ("front_desk",))
    for _ in range(5):
        await post_form(client, "/login", {"username": "desk2", "password": "wrong password!"})
    response = await post_form(client, "/login", {"username": "desk2", "password": PASSWORD})
    assert response.status_code == 429
    assert "一時的にログインできません" in response.text


async def test_login_sets_httponly_samesite_session_and_rotates_it(client):
    await make_user("manager1", ("manager",), display_name="管理 花子")
    await client.get("/")
    before = client.cookies.get("session")
    response = await login(client, "manager1")
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert client.cookies.get("session") != before
    home = await client.get("/")
    assert "管理 花子" in home.text


async def test_form_post_without_csrf_token_is_refused(client):
    response = await client.post("/login", data={"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "再読み込み" in response.text


async def test_password_change_needs_current_password_and_works(client):
    await make_user("member1")
    await login(client, "member1")
    bad = await post_form(
        client,
        "/account/password",
        {"current": "nope", "new": "a new long password", "confirm": "a new long password"},
    )
    assert bad.status_code == 400
    assert "現在のパスワードが違います" in bad.text
    ok = await post_form(
        client,
        "/account/password",
        {"current": PASSWORD, "new": "a new long password", "confirm": "a new long password"},
    )
    assert ok.status_code == 303
    await post_form(client, "/logout")
    assert (
        await post_form(client, "/login", {"username": "member1", "password": "a new long password"})
    ).status_code == 303


async def test_pages_for_logged_in_users_answer_401_with_a_login_link(client):
    response = await client.get("/account/password")
    assert response.status_code == 401
    assert "ログイン" in text_of(response.text)


async def test_unknown_page_is_a_japanese_404_page(client):
    response = await client.get("/no-such-page")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.text


async def test_api_errors_are_problem_details(client):
    response = await client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 404


async def test_openapi_schema_is_served(client):
    await make_user("schema_reader", ("front_desk",))  # the schema is for staff
    await login(client, "schema_reader")
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Tomakomai Civic Activity Center"


async def test_visitors_get_no_session_cookie_and_no_session_row(client):
    from center.accounts.tables import SessionRecord

    response = await client.get("/")
    assert "session" not in response.cookies
    assert await SessionRecord.count() == 0


async def test_logout_deletes_the_stored_session(client):
    from center.accounts.tables import SessionRecord

    await make_user("desk3", ("front_desk",))
    await login(client, "desk3")
    assert await SessionRecord.count() == 1
    await client.get("/")
    assert await SessionRecord.count() == 1
    response = await post_form(client, "/logout")
    assert response.status_code == 303
    assert await SessionRecord.count() == 0
    assert "ログアウト" not in (await client.get("/")).text
