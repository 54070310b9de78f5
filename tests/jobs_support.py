"""Shared by the restore drill and the exactly-once tests: a small center with rooms and a group,
bookings made through the service layer, fresh databases on either engine, and the ledger's
consistency read straight from a database."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from itertools import cycle, pairwise, product

import asyncpg

from bookings.fees import ensure_default_rules
from bookings.rules import BookingRequest
from bookings.service import request_booking
from center.accounts.actors import ActorRef
from center.lib.dates import today
from center.lib.db import postgres_config
from tests.conftest import PG_URL
from tests.helpers import make_calendar, make_group, make_room

SLOTS = ("morning", "afternoon", "evening")


async def small_center(rooms: int = 4) -> dict:
    slots = await make_calendar()
    await ensure_default_rules()
    room_ids = [
        await make_room(
            code=f"room{n}", name_ja=f"会議室{n}", fees={code: (600, 200) for code in SLOTS}, slot_ids=slots
        )
        for n in range(1, rooms + 1)
    ]
    # Each group may hold 20 future bookings: enough groups that the limit never bites.
    groups = [await make_group(f"子育てサークル{n}", contact_email=f"group{n}@example.jp") for n in range(30)]
    return {"rooms": room_ids, "groups": cycle(groups)}


def free_requests(center: dict, first_day: int = 10, days: int = 40) -> list[BookingRequest]:
    """One request per room, day and slot: none clashes with another."""
    return [
        BookingRequest(
            room_id=room,
            day=today() + timedelta(days=first_day + offset),
            slot_codes=[slot],
            purpose="子育て相談会",
            expected_head_count=10,
        )
        for offset, room, slot in product(range(days), center["rooms"], SLOTS)
    ]


async def book(center: dict, request: BookingRequest) -> int:
    return await request_booking(request, next(center["groups"]), ActorRef(None, "member"))


async def create_pg_database() -> tuple[str, dict]:
    """A new, empty database on the test server: (name, asyncpg config)."""
    from tests.conftest import _create_pg_database

    name = await _create_pg_database(PG_URL)
    return name, {**postgres_config(PG_URL), "database": name}


async def drop_pg_database(name: str) -> None:
    from tests.conftest import _drop_pg_database

    await _drop_pg_database(PG_URL, name)


BOOKINGS_SQL = "SELECT id, status, hold, room, starts_at, ends_at FROM bookings_booking"
HOLDS_SQL = "SELECT id, room, starts_at, ends_at, kind, ref, active FROM center_hold"


def _keyed(rows) -> dict[int, dict]:
    return {row["id"]: dict(row) for row in rows}


def read_ledger_sqlite(path) -> tuple[dict[int, dict], dict[int, dict]]:
    """(bookings by id, holds by id) straight from a SQLite file (times compared as stored)."""
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        return _keyed(conn.execute(BOOKINGS_SQL)), _keyed(conn.execute(HOLDS_SQL))


async def read_ledger_postgres(config: dict) -> tuple[dict[int, dict], dict[int, dict]]:
    conn = await asyncpg.connect(**config)
    try:
        return _keyed(await conn.fetch(BOOKINGS_SQL)), _keyed(await conn.fetch(HOLDS_SQL))
    finally:
        await conn.close()


def ledger_problems(bookings: dict[int, dict], holds: dict[int, dict]) -> list[str]:
    """Everything wrong between bookings and their holds (empty when the ledger is consistent):
    each live booking has its active hold at its room and time, every booking hold belongs to a
    booking that points back at it, and no two active holds overlap in one room."""
    problems = []
    for booking in bookings.values():
        hold = holds.get(booking["hold"])
        if hold is None:
            problems.append(f"booking {booking['id']} has no hold")
            continue
        same = (hold["room"], hold["starts_at"], hold["ends_at"]) == (
            booking["room"],
            booking["starts_at"],
            booking["ends_at"],
        )
        if not same or hold["kind"] != "booking" or hold["ref"] != booking["id"]:
            problems.append(f"booking {booking['id']} and its hold {hold['id']} disagree")
        if booking["status"] in ("requested", "approved") and not hold["active"]:
            problems.append(f"booking {booking['id']} is live but its hold {hold['id']} is released")
    for hold in holds.values():
        if hold["kind"] == "booking" and bookings.get(hold["ref"], {}).get("hold") != hold["id"]:
            problems.append(f"hold {hold['id']} has no booking")
    active = sorted((h for h in holds.values() if h["active"]), key=lambda h: (h["room"], h["starts_at"]))
    for before, after in pairwise(active):
        if before["room"] == after["room"] and after["starts_at"] < before["ends_at"]:
            problems.append(f"holds {before['id']} and {after['id']} overlap")
    return problems


async def wait_for(condition, seconds: float = 60.0, every: float = 0.2) -> None:
    """Poll an async condition until it holds; AssertionError after `seconds`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not await condition():
        if loop.time() > deadline:
            raise AssertionError(f"not reached within {seconds} s")
        await asyncio.sleep(every)
