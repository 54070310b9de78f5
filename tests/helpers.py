"""Helpers for tests: CSRF-carrying form posts, logging in, making users and groups."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx

from center.accounts import service as accounts
from center.accounts.tables import Group, GroupMember

PASSWORD = "correct horse battery"


async def csrf_token(client: httpx.AsyncClient) -> str:
    """The CSRF token for this client (fetched from a page if no cookie yet)."""
    token = client.cookies.get("csrftoken")
    if not token:
        await client.get("/login")
        token = client.cookies.get("csrftoken")
    assert token, "the app set no csrftoken cookie"
    return token


async def post_form(
    client: httpx.AsyncClient, url: str, data: dict | None = None, **kwargs
) -> httpx.Response:
    """POST a form as a browser would, with the CSRF token field."""
    payload = dict(data or {})
    payload["_csrf_token"] = await csrf_token(client)
    return await client.post(url, data=payload, **kwargs)


async def login(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    response = await post_form(client, "/login", {"username": username, "password": password})
    assert response.status_code == 303, response.text[:500]
    return response


async def make_user(username: str, roles: tuple[str, ...] = (), display_name: str | None = None) -> int:
    return await accounts.create_user(username, display_name or username.title(), PASSWORD, list(roles))


async def make_group(
    name: str = "テスト団体", status: str = "approved", members: tuple[int, ...] = (), **fields
) -> int:
    now = datetime.now(UTC)
    rows = await Group.insert(
        Group(
            name=name,
            representative=fields.pop("representative", "代表 太郎"),
            contact_phone=fields.pop("contact_phone", "0144-00-0000"),
            status=status,
            applied_at=now,
            updated_at=now,
            **fields,
        )
    ).returning(Group.id)
    group_id = rows[0]["id"]
    for user_id in members:
        await GroupMember.insert(GroupMember(group=group_id, user=user_id))
    return group_id


def text_of(html: str) -> str:
    """Visible text, roughly: tags stripped, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
