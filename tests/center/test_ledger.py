"""The ledger's promise: no two active holds on one room overlap, whoever writes and however they race.

Every test runs on SQLite and on PostgreSQL (the `db` fixture). The property test checks the service
against an in-memory model; the raw-SQL tests go around the service to show the database itself
refuses; the race tests fire many writers at one slot at once."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import piccolo_conf
from center.ledger.service import HoldConflict, HoldInfo, move_hold, release_hold, take_hold
from center.ledger.tables import Hold
from center.lib.errors import NotFound, ValidationFailed
from center.lib.settings import BASE_DIR
from center.places.tables import Room

pytestmark = pytest.mark.anyio

TOKYO = ZoneInfo("Asia/Tokyo")
# A Japanese morning; the service must store it as UTC whatever zone it is given.
DAY = datetime(2026, 12, 1, 9, 0, tzinfo=TOKYO)
STEP = timedelta(minutes=30)


def at(step: int) -> datetime:
    return DAY + step * STEP


def utc_text(step: int) -> str:
    """The instant as the literal both engines accept for a timestamptz column."""
    return at(step).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S+00:00")


async def make_rooms(count: int) -> list[int]:
    now = datetime.now(UTC)
    ids = []
    for number in range(1, count + 1):
        rows = await Room.insert(
            Room(
                code=f"room-{number}",
                name_ja=f"会議室{number}",
                name_en=f"Meeting room {number}",
                floor=number,
                capacity=20,
                updated_at=now,
            )
        ).returning(Room.id)
        ids.append(rows[0]["id"])
    return ids


async def active_rows() -> list[dict]:
    return await Hold.select(Hold.id, Hold.room, Hold.starts_at, Hold.ends_at).where(Hold.active == True)


def overlapping_pairs(rows: list[dict]) -> list[tuple[int, int]]:
    pairs = []
    for index, first in enumerate(rows):
        for second in rows[index + 1 :]:
            if (
                first["room"] == second["room"]
                and first["starts_at"] < second["ends_at"]
                and second["starts_at"] < first["ends_at"]
            ):
                pairs.append((first["id"], second["id"]))
    return pairs


# --- The property: the service agrees with a model, and the table never holds an overlap ---------------


@dataclass(frozen=True)
class Take:
    room: int  # index into the rooms
    start: int  # in 30-minute steps from 9:00 JST
    length: int


@dataclass(frozen=True)
class Release:
    pick: int  # index into every hold taken so far, released or not


@dataclass(frozen=True)
class Move:
    pick: int
    room: int
    start: int
    length: int


ROOMS = 3
operations = st.lists(
    st.one_of(
        st.builds(Take, st.integers(0, ROOMS - 1), st.integers(0, 10), st.integers(1, 4)),
        st.builds(Release, st.integers(0, 30)),
        st.builds(Move, st.integers(0, 30), st.integers(0, ROOMS - 1), st.integers(0, 10), st.integers(1, 4)),
    ),
    min_size=1,
    max_size=18,
)


class Model:
    """Which holds should be active, as (room id, start step, end step)."""

    def __init__(self) -> None:
        self.active: dict[int, tuple[int, int, int]] = {}
        self.taken: list[int] = []  # every id ever taken, in order

    def conflicts(self, room: int, start: int, end: int, exclude: int | None = None) -> set[int]:
        return {
            hold_id
            for hold_id, (r, s, e) in self.active.items()
            if hold_id != exclude and r == room and s < end and start < e
        }


async def check_table_matches(model: Model) -> None:
    rows = await active_rows()
    assert overlapping_pairs(rows) == [], "the table holds overlapping active holds"
    actual = {row["id"]: (row["room"], row["starts_at"], row["ends_at"]) for row in rows}
    expected = {
        hold_id: (room, at(start).astimezone(UTC), at(end).astimezone(UTC))
        for hold_id, (room, start, end) in model.active.items()
    }
    assert actual == expected


async def run_operations(ops: list) -> None:
    await Hold.delete(force=True)
    rooms = [row["id"] for row in await Room.select(Room.id).order_by(Room.id)]
    model = Model()
    for op in ops:
        if isinstance(op, Take):
            room, start, end = rooms[op.room], op.start, op.start + op.length
            expected = model.conflicts(room, start, end)
            try:
                hold = await take_hold(room, at(start), at(end), "booking", label=f"take {start}-{end}")
            except HoldConflict as refusal:
                assert expected, f"take {room} [{start},{end}) was refused though the model says free"
                assert {c.id for c in refusal.conflicts} == expected
            else:
                assert not expected, f"take {room} [{start},{end}) succeeded over {expected}"
                assert hold.starts_at == at(start) and hold.ends_at == at(end)
                model.active[hold.id] = (room, start, end)
                model.taken.append(hold.id)
        elif isinstance(op, Release):
            if not model.taken:
                continue
            hold_id = model.taken[op.pick % len(model.taken)]
            released = await release_hold(hold_id, reason="property test")
            assert released == (hold_id in model.active)
            model.active.pop(hold_id, None)
        else:
            if not model.taken:
                continue
            hold_id = model.taken[op.pick % len(model.taken)]
            room, start, end = rooms[op.room], op.start, op.start + op.length
            if hold_id not in model.active:
                with pytest.raises(NotFound):
                    await move_hold(hold_id, room, at(start), at(end))
            else:
                expected = model.conflicts(room, start, end, exclude=hold_id)
                try:
                    moved = await move_hold(hold_id, room, at(start), at(end))
                except HoldConflict as refusal:
                    assert expected, f"move of {hold_id} refused though the model says free"
                    assert {c.id for c in refusal.conflicts} == expected
                else:
                    assert not expected, f"move of {hold_id} succeeded over {expected}"
                    assert (moved.id, moved.room_id) == (hold_id, room)
                    model.active[hold_id] = (room, start, end)
        await check_table_matches(model)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_any_sequence_of_takes_moves_and_releases_agrees_with_the_model(db, ops):
    # Sync on purpose: each example runs in its own event loop with an emptied hold table, so the
    # examples are independent of each other and of the fixture's loop.
    if not asyncio.run(Room.count().run()):
        asyncio.run(make_rooms(ROOMS))
    asyncio.run(run_operations(ops))


async def test_back_to_back_holds_do_not_clash(db):
    (room,) = await make_rooms(1)
    morning = await take_hold(room, at(0), at(6), "booking")  # 9:00-12:00
    afternoon = await take_hold(room, at(6), at(8), "booking")  # 12:00-13:00
    assert morning.ends_at == afternoon.starts_at
    with pytest.raises(HoldConflict) as refusal:
        await take_hold(room, at(5), at(7), "booking")
    assert [c.id for c in refusal.value.conflicts] == [morning.id, afternoon.id]


async def test_hold_with_end_not_after_start_is_refused_by_the_service(db):
    (room,) = await make_rooms(1)
    with pytest.raises(ValidationFailed):
        await take_hold(room, at(2), at(2), "booking")
    with pytest.raises(ValidationFailed):
        await take_hold(room, at(3), at(2), "booking")
    assert await Hold.count() == 0


# --- The database refuses on its own, whatever SQL reaches it -----------------------------------------


def insert_sql(room: int, start: int, end: int, active: bool = True) -> str:
    return (
        "INSERT INTO center_hold (room, starts_at, ends_at, kind, ref, label, active, created_at,"
        " created_by, released_at, release_reason)"
        f" VALUES ({room}, '{utc_text(start)}', '{utc_text(end)}', 'booking', NULL, 'raw',"
        f" {'TRUE' if active else 'FALSE'}, '{utc_text(0)}', NULL, NULL, '')"
    )


def assert_overlap_refusal(engine_kind: str, exc: BaseException) -> None:
    if engine_kind == "postgres":
        assert isinstance(exc, asyncpg.exceptions.ExclusionViolationError), repr(exc)
        assert exc.sqlstate == "23P01"
    else:
        assert isinstance(exc, sqlite3.IntegrityError), repr(exc)
        assert "center_hold_no_overlap" in str(exc)


async def raw(sql: str) -> None:
    await piccolo_conf.DB.run_ddl(sql)


async def test_overlapping_insert_is_refused_by_the_database(db):
    room, other_room = await make_rooms(2)
    await raw(insert_sql(room, 0, 6))
    with pytest.raises(Exception) as refusal:
        await raw(insert_sql(room, 5, 8))
    assert_overlap_refusal(db, refusal.value)
    with pytest.raises(Exception) as inside:
        await raw(insert_sql(room, 1, 2))
    assert_overlap_refusal(db, inside.value)
    # Touching ranges and other rooms are fine.
    await raw(insert_sql(room, 6, 8))
    await raw(insert_sql(other_room, 0, 6))
    assert await Hold.count().where(Hold.active == True) == 3


async def test_update_moving_a_hold_onto_another_is_refused_by_the_database(db):
    room, other_room = await make_rooms(2)
    await raw(insert_sql(room, 0, 4))
    await raw(insert_sql(room, 4, 8))
    await raw(insert_sql(other_room, 0, 4))
    first, second, mover = [row["id"] for row in await Hold.select(Hold.id).order_by(Hold.id)]
    with pytest.raises(Exception) as refusal:
        await raw(f"UPDATE center_hold SET room = {room} WHERE id = {mover}")
    assert_overlap_refusal(db, refusal.value)
    with pytest.raises(Exception) as stretch:
        await raw(f"UPDATE center_hold SET ends_at = '{utc_text(5)}' WHERE id = {first}")
    assert_overlap_refusal(db, stretch.value)
    with pytest.raises(Exception) as shift:
        await raw(f"UPDATE center_hold SET starts_at = '{utc_text(3)}' WHERE id = {second}")
    assert_overlap_refusal(db, shift.value)
    # Nothing changed.
    rows = await Hold.select(Hold.room, Hold.starts_at, Hold.ends_at).order_by(Hold.id)
    assert [(r["room"], r["starts_at"], r["ends_at"]) for r in rows] == [
        (room, at(0).astimezone(UTC), at(4).astimezone(UTC)),
        (room, at(4).astimezone(UTC), at(8).astimezone(UTC)),
        (other_room, at(0).astimezone(UTC), at(4).astimezone(UTC)),
    ]


async def test_released_hold_does_not_block_but_reactivating_it_over_another_is_refused(db):
    (room,) = await make_rooms(1)
    await raw(insert_sql(room, 0, 4, active=False))
    await raw(insert_sql(room, 0, 4))  # the released hold is history, not a claim
    await raw(insert_sql(room, 2, 6, active=False))  # history may overlap history and claims
    released = await Hold.select(Hold.id).where(Hold.active == False).order_by(Hold.id).first()
    with pytest.raises(Exception) as refusal:
        await raw(f"UPDATE center_hold SET active = TRUE WHERE id = {released['id']}")
    assert_overlap_refusal(db, refusal.value)
    assert await Hold.count().where(Hold.active == True) == 1


def assert_range_refusal(engine_kind: str, exc: BaseException) -> None:
    if engine_kind == "postgres":
        assert isinstance(exc, asyncpg.exceptions.CheckViolationError), repr(exc)
        assert exc.sqlstate == "23514"
    else:
        assert isinstance(exc, sqlite3.IntegrityError), repr(exc)
        assert "center_hold_range_valid" in str(exc)


async def test_range_with_end_not_after_start_is_refused_by_the_database(db):
    (room,) = await make_rooms(1)
    for start, end in ((3, 3), (4, 2)):
        with pytest.raises(Exception) as refusal:
            await raw(insert_sql(room, start, end))
        assert_range_refusal(db, refusal.value)
    await raw(insert_sql(room, 0, 2))
    with pytest.raises(Exception) as update:
        await raw(f"UPDATE center_hold SET ends_at = starts_at WHERE room = {room}")
    assert_range_refusal(db, update.value)
    assert await Hold.count() == 1


async def test_service_conflict_names_holds_written_behind_its_back(db):
    (room,) = await make_rooms(1)
    await raw(insert_sql(room, 0, 2))
    await raw(insert_sql(room, 3, 5))
    ids = [row["id"] for row in await Hold.select(Hold.id).order_by(Hold.starts_at)]
    with pytest.raises(HoldConflict) as refusal:
        await take_hold(room, at(1), at(4), "closure")
    assert [c.id for c in refusal.value.conflicts] == ids


# --- Races: many writers, one slot --------------------------------------------------------------------


async def test_fifty_concurrent_takes_of_one_slot_let_exactly_one_through(db):
    (room,) = await make_rooms(1)
    # Each call opens its own transaction (and, on PostgreSQL without a pool, its own connection);
    # all of them see the slot free before any commits, so only the database can stop them.
    results = await asyncio.gather(
        *(take_hold(room, at(0), at(6), "booking", ref=n) for n in range(50)),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    refusals = [r for r in results if isinstance(r, HoldConflict)]
    others = [r for r in results if isinstance(r, BaseException) and not isinstance(r, HoldConflict)]
    assert others == []
    assert len(winners) == 1
    assert len(refusals) == 49
    assert all([c.id for c in r.conflicts] == [winners[0].id] for r in refusals)
    rows = await active_rows()
    assert [row["id"] for row in rows] == [winners[0].id]


async def test_concurrent_staggered_takes_never_leave_an_overlap(db):
    rooms = await make_rooms(2)
    # Ranges that overlap their neighbours in many ways, on two rooms, all at once.
    requests = [(rooms[n % 2], n % 7, n % 7 + 1 + n % 3) for n in range(40)]
    results = await asyncio.gather(
        *(take_hold(room, at(s), at(e), "booking") for room, s, e in requests),
        return_exceptions=True,
    )
    assert [r for r in results if not isinstance(r, (HoldInfo, HoldConflict))] == []
    rows = await active_rows()
    assert overlapping_pairs(rows) == []
    assert len(rows) == sum(1 for r in results if not isinstance(r, HoldConflict))
    for (room, s, e), result in zip(requests, results, strict=True):
        if isinstance(result, HoldConflict):
            # Every refusal names only holds that were really in the way.
            assert result.conflicts
            for c in result.conflicts:
                assert c.room_id == room and c.starts_at < at(e) and at(s) < c.ends_at


CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from piccolo.conf.apps import Finder
    from piccolo.engine.postgres import PostgresEngine
    from piccolo.engine.sqlite import SQLiteEngine

    import piccolo_conf
    from piccolo.apps.migrations.tables import Migration
    from center.ledger.service import HoldConflict, take_hold

    kind, target, room, order = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    if kind == "sqlite":
        engine = SQLiteEngine(path=target, timeout=30)
    else:
        engine = PostgresEngine(config={"dsn": target})
    piccolo_conf.DB = engine
    for table in [*Finder().get_table_classes(), Migration]:
        table._meta.db = engine

    day = datetime(2026, 12, 2, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    slots = list(range(20)) if order == "up" else list(reversed(range(20)))

    async def main():
        won = 0
        for n in slots:
            try:
                await take_hold(room, day + n * timedelta(hours=1), day + (n + 1) * timedelta(hours=1),
                                "booking", label=order)
                won += 1
            except HoldConflict:
                pass
        print(won)

    sys.stdin.readline()  # start together
    asyncio.run(main())
    """
)


def _child_target(engine_kind: str) -> str:
    engine = piccolo_conf.DB
    if engine_kind == "sqlite":
        return engine.path
    config = engine.config
    user = config.get("user", "postgres")
    return f"postgresql://{user}@{config['host']}:{config['port']}/{config['database']}"


def test_two_processes_racing_over_the_same_slots_never_double_book(db):
    (room,) = asyncio.run(make_rooms(1))
    env = {**os.environ, "PYTHONPATH": str(BASE_DIR)}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, db, _child_target(db), str(room), order],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=BASE_DIR,
        )
        for order in ("up", "up")
    ]
    outputs = [child.communicate(input="go\n", timeout=60) for child in children]
    for child, (_out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
    won = [int(out.strip()) for out, _ in outputs]
    assert sum(won) == 20  # every hour taken exactly once between them
    rows = asyncio.run(active_rows())
    assert len(rows) == 20
    assert overlapping_pairs(rows) == []
