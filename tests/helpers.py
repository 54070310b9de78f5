"""Helpers for tests: CSRF-carrying form posts, logging in, making users and groups."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import httpx

from center.accounts import service as accounts
from center.accounts.tables import Group, GroupMember

PASSWORD = "correct horse battery"


@asynccontextmanager
async def client_at(app, host: str) -> AsyncIterator[httpx.AsyncClient]:
    """Another browser on the real app, at another client address (`client` is at 127.0.0.1)."""
    transport = httpx.ASGITransport(app=app, client=(host, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


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


async def make_calendar(opens: str = "09:00", closes: str = "21:00", heating=(10, 4)) -> dict[str, int]:
    """Opening hours every day, the three usual slots (午前・午後・夜間) and the center profile.
    Returns slot ids by code."""
    from datetime import time

    from center.places.tables import CenterProfile, OpeningHours, Slot

    def t(text: str) -> time:
        hour, minute = text.split(":")
        return time(int(hour), int(minute))

    for weekday in range(7):
        await OpeningHours.insert(
            OpeningHours(weekday=weekday, opens=t(opens), closes=t(closes), closed=False)
        )
    ids = {}
    for order, (code, ja, en, start, end) in enumerate(
        [
            ("morning", "午前", "Morning", "09:00", "12:00"),
            ("afternoon", "午後", "Afternoon", "13:00", "17:00"),
            ("evening", "夜間", "Evening", "18:00", "21:00"),
        ]
    ):
        rows = await Slot.insert(
            Slot(code=code, name_ja=ja, name_en=en, starts=t(start), ends=t(end), sort_order=order)
        ).returning(Slot.id)
        ids[code] = rows[0]["id"]
    await CenterProfile.insert(
        CenterProfile(
            name_ja="苫小牧市市民活動センター",
            name_en="Tomakomai Civic Activity Center",
            heating_from_month=heating[0],
            heating_to_month=heating[1],
        )
    )
    return ids


async def make_room(
    code: str = "meeting1",
    name_ja: str = "会議室1",
    capacity: int = 24,
    fees: dict[str, tuple[int, int]] | None = None,
    slot_ids: dict[str, int] | None = None,
    **fields,
) -> int:
    """A room booked by slot, with (fee, heating fee) per slot code."""
    from center.places.tables import Room, RoomSlotFee

    rows = await Room.insert(
        Room(
            code=code,
            name_ja=name_ja,
            name_en=fields.pop("name_en", code.title()),
            floor=fields.pop("floor", 3),
            capacity=capacity,
            **fields,
        )
    ).returning(Room.id)
    room_id = rows[0]["id"]
    for slot_code, (fee, heating) in (fees or {}).items():
        assert slot_ids, "pass slot_ids with fees"
        await RoomSlotFee.insert(
            RoomSlotFee(room=room_id, slot=slot_ids[slot_code], fee=fee, heating_fee=heating)
        )
    return room_id
