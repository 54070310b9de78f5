"""The OpenAPI schema describes the JSON API only, honestly: no HTML page in it, every error status
each operation can answer documented as problem+json; served as JSON to staff only (no
documentation page loading scripts from a CDN), and switched off by CENTER_API_SCHEMA=0."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from center import app as app_module
from center.lib.settings import get_settings
from tests.helpers import login, make_group, make_user

pytestmark = pytest.mark.anyio

SCHEMA = "/schema/openapi.json"


async def schema_as_manager(client) -> dict:
    await make_user("boss", ("manager",))
    await login(client, "boss")
    response = await client.get(SCHEMA)
    assert response.status_code == 200
    return response.json()


async def test_the_schema_lists_only_the_json_api(client):
    schema = await schema_as_manager(client)
    assert schema["paths"] and all(path.startswith("/api/") for path in schema["paths"])
    assert "/api/bookings/{booking_id}/cancel" in schema["paths"]


async def test_every_operation_documents_its_errors_as_problem_details(client):
    schema = await schema_as_manager(client)
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            expected = {"400"}
            if method == "post":
                expected |= {"403", "409"}
            if "{" in path:
                expected.add("404")
            assert expected <= set(responses), (method, path, sorted(responses))
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    assert list(response["content"]) == ["application/problem+json"], (method, path, status)
                else:
                    assert list(response["content"]) == ["application/json"], (method, path, status)


async def test_guarded_operations_document_401_and_403_and_public_ones_do_not(client):
    schema = await schema_as_manager(client)
    assert {"401", "403"} <= set(schema["paths"]["/api/me"]["get"]["responses"])
    assert {"401", "403"} <= set(schema["paths"]["/api/groups"]["get"]["responses"])
    # Public operations in controllers that declare no guards (the class attribute is then
    # Controller's slot descriptor, which must not count as a guard).
    for path in ("/api/rooms", "/api/rooms/{code}", "/api/calendar", "/api/availability"):
        assert not {"401", "403"} & set(schema["paths"][path]["get"]["responses"]), path


async def test_the_schema_is_for_staff_only(client):
    assert (await client.get(SCHEMA)).status_code == 401
    member = await make_user("member")
    await make_group("ひまわり会", members=(member,))
    await login(client, "member")
    assert (await client.get(SCHEMA)).status_code == 403


@pytest.mark.parametrize("page", ["/schema/swagger", "/schema/redoc", "/schema/elements", "/schema/rapidoc"])
async def test_no_documentation_page_loads_scripts_from_elsewhere(client, page):
    await schema_as_manager(client)
    response = await client.get(page)
    assert response.status_code == 404
    assert "<script" not in response.text


async def test_the_schema_root_answers_the_json_schema_itself(client):
    await schema_as_manager(client)
    response = await client.get("/schema")
    assert response.headers["content-type"].startswith("application/")
    assert "<script" not in response.text and response.json()["openapi"].startswith("3.")


async def test_the_schema_can_be_switched_off(db, monkeypatch):
    off = dataclasses.replace(get_settings(), api_schema=False)
    monkeypatch.setattr(app_module, "get_settings", lambda: off)
    app = app_module.create_app()
    assert app.openapi_config is None
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        await make_user("boss", ("manager",))
        await login(client, "boss")
        assert (await client.get(SCHEMA)).status_code == 404
