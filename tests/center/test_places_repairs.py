"""The repair desk port: bookings reports damage through center.places.repairs, and the shell's
wiring registers maintenance's tickets behind it."""

from __future__ import annotations

import pytest

from center.places import repairs

pytestmark = pytest.mark.anyio


async def test_the_wiring_registers_maintenance_behind_the_port():
    from maintenance import tickets

    desk = repairs._desk()
    assert desk.open_ticket is tickets.open_repair_ticket
    assert desk.ticket_exists is tickets.ticket_exists


async def test_the_port_calls_the_registered_desk_and_refuses_without_one(monkeypatch):
    calls: list[tuple] = []

    async def open_ticket(room_id: int, note: str, source: str, actor: object) -> int:
        calls.append((room_id, note, source, actor))
        return 41

    async def ticket_exists(ticket_id: int) -> bool:
        return ticket_id == 41

    monkeypatch.setattr(repairs, "_DESK", [])
    with pytest.raises(repairs.NoRepairDesk):
        await repairs.ticket_exists(41)
    repairs.register_repair_desk(repairs.RepairDesk(open_ticket=open_ticket, ticket_exists=ticket_exists))
    assert await repairs.open_repair_ticket(3, "broken chair", "desk", "actor") == 41
    assert calls == [(3, "broken chair", "desk", "actor")]
    assert await repairs.ticket_exists(41) is True
    assert await repairs.ticket_exists(42) is False
