"""center.lib.prepared: a query compiled once answers what the Piccolo query answers, on both
engines, inside and outside a transaction, and refuses values Piccolo would have converted."""

from datetime import UTC, datetime, timedelta

import pytest

from bookings.tables import Booking
from center.lib.db import write_transaction
from center.lib.prepared import Prepared
from center.places.tables import Room
from tests.helpers import make_calendar, make_group, make_room, make_user

pytestmark = pytest.mark.anyio

NAMED = Prepared(
    lambda room_id, after: (
        Booking.select(
            Booking.id, Booking.starts_at, Booking.room.code.as_alias("room_code"), Booking.group.name
        )
        .where((Booking.room == room_id) & (Booking.starts_at >= after))
        .order_by(Booking.starts_at)
    )
)
ROOM = Prepared(lambda code: Room.select().output(load_json=True).where(Room.code == code).first())
COUNT_ALL = Prepared(lambda: Room.select(Room.code).order_by(Room.id))


def _piccolo(room_id, after):
    return (
        Booking.select(
            Booking.id, Booking.starts_at, Booking.room.code.as_alias("room_code"), Booking.group.name
        )
        .where((Booking.room == room_id) & (Booking.starts_at >= after))
        .order_by(Booking.starts_at)
    )


@pytest.fixture
async def bookings(db):
    slots = await make_calendar()
    hall = await make_room(slot_ids=slots)
    other = await make_room(code="meeting2", name_ja="会議室2", slot_ids=slots)
    group = await make_group("いきいきサロン", members=(await make_user("member1"),))
    start = datetime(2027, 1, 6, 1, 0, tzinfo=UTC)
    for day, room in enumerate((hall, other, hall, hall)):
        await Booking.insert(
            Booking(
                group=group,
                room=room,
                starts_at=start + timedelta(days=day),
                ends_at=start + timedelta(days=day, hours=3),
                purpose="体操",
            )
        )
    return {"hall": hall, "other": other, "start": start}


async def test_answers_what_the_piccolo_query_answers_for_every_value(bookings):
    for room in (bookings["hall"], bookings["other"], -1):
        for after in (
            bookings["start"],
            bookings["start"] + timedelta(days=2),
            datetime(2030, 1, 1, tzinfo=UTC),
        ):
            expected = await _piccolo(room, after)
            assert await NAMED.run(room_id=room, after=after) == expected
    hall_rows = await NAMED.run(room_id=bookings["hall"], after=bookings["start"])
    assert [row["room_code"] for row in hall_rows] == ["meeting1"] * 3
    assert "group.name" in hall_rows[0]


async def test_first_gives_one_row_or_none_and_loads_json(bookings):
    room = await ROOM.run(code="meeting1")
    assert room == await Room.select().output(load_json=True).where(Room.code == "meeting1").first()
    assert room["id"] == bookings["hall"]
    assert await ROOM.run(code="no-such-room") is None
    assert [row["code"] for row in await COUNT_ALL.run()] == ["meeting1", "meeting2"]


async def test_inside_a_transaction_it_sees_the_transactions_own_rows_and_a_rollback_leaves_none(bookings):
    class Undo(Exception):
        pass

    with pytest.raises(Undo):
        async with write_transaction():
            await Room.update({Room.code: "renamed"}).where(Room.id == bookings["hall"])
            assert (await ROOM.run(code="renamed"))["id"] == bookings["hall"]
            raise Undo
    assert await ROOM.run(code="renamed") is None
    assert (await ROOM.run(code="meeting1"))["id"] == bookings["hall"]


async def test_refuses_values_it_cannot_pass_as_they_are(db):
    with pytest.raises(TypeError, match="plain values"):
        await ROOM.run(code=["meeting1"])
    with pytest.raises(TypeError, match="needs exactly"):
        await ROOM.run()
    with pytest.raises(TypeError, match="needs exactly"):
        await ROOM.run(code="meeting1", extra=1)
    unused = Prepared(lambda code: Room.select().where(Room.code == "meeting1"))
    with pytest.raises(TypeError, match="each of its values"):
        await unused.run(code="x")


async def test_a_prepared_insert_writes_what_piccolo_writes_with_defaults_called_each_time(db):
    from center.accounts.tables import AuditEntry
    from center.lib.prepared import PreparedInsert

    insert = PreparedInsert(AuditEntry)
    first = await insert.run({"action": "request", "entity": "booking", "after": {"room": "和室"}})
    await AuditEntry.insert(AuditEntry(action="request", entity="booking", after={"room": "和室"}))
    second = await insert.run({"action": "approve", "entity": "booking", "entity_id": "7"})
    rows = await AuditEntry.select().order_by(AuditEntry.id)
    assert [row["id"] for row in rows] == [first[0]["id"], first[0]["id"] + 1, second[0]["id"]]
    ours, piccolos = rows[0], rows[1]
    assert {k: v for k, v in ours.items() if k not in ("id", "at")} == {
        k: v for k, v in piccolos.items() if k not in ("id", "at")
    }
    assert rows[2]["entity_id"] == "7" and rows[2]["action"] == "approve"
    # The time default is called on each run, not frozen into the statement.
    assert rows[0]["at"] <= rows[1]["at"] <= rows[2]["at"] and rows[0]["at"] != rows[2]["at"]
    with pytest.raises(ValueError, match="Unrecognized"):
        await insert.run({"action": "x", "no_such_column": 1})
    assert await AuditEntry.count() == 3
