"""Checking a drawn round against its seed: the draw's record and, per slot, the order recomputed
from the seed beside the recorded one (anyone may look)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bookings.lottery.common import WIN_STATUSES
from bookings.lottery.draws import draw_order
from bookings.lottery.rounds import get_round
from bookings.tables import LotteryEntry
from center.accounts.tables import AuditEntry
from center.lib.errors import Conflict
from center.lib.i18n import N_


@dataclass
class SlotCheck:
    room_id: int
    day: date
    slot_code: str
    applicants: list[int]
    order: list[int]
    skipped: dict[int, str]
    expected: int | None
    actual: int | None
    recorded_order: list[int] | None

    @property
    def ok(self) -> bool:
        return self.expected == self.actual and self.recorded_order in (None, self.order)


async def draw_record(round_id: int) -> dict | None:
    """What the draw recorded (seed, each slot's order, winner and passed-over applicants)."""
    row = (
        await AuditEntry.select(AuditEntry.after)
        .where(
            (AuditEntry.entity == "lottery_round")
            & (AuditEntry.entity_id == str(round_id))
            & (AuditEntry.action == "lottery_draw")
        )
        .order_by(AuditEntry.id, ascending=False)
        .output(load_json=True)
        .first()
    )
    return row["after"] if row else None


async def verify(round_id: int) -> list[SlotCheck]:
    """Recompute every slot's order from the round's seed and check that the recorded winner is
    the first applicant in it who was not passed over for a recorded reason."""
    round_ = await get_round(round_id)
    if round_["status"] != "drawn":
        raise Conflict(N_("This round has not been drawn yet."))
    record = await draw_record(round_id) or {}
    recorded = {(slot["room"], slot["day"], slot["slot"]): slot for slot in record.get("slots", [])}
    entries = await LotteryEntry.select().where(
        (LotteryEntry.round == round_id) & (LotteryEntry.status != "withdrawn")
    )
    slots: dict[tuple[int, date, str], list[dict]] = {}
    for entry in entries:
        slots.setdefault((entry["room"], entry["day"], entry["slot_code"]), []).append(entry)
    checks = []
    for (room_id, day, slot_code), group in sorted(slots.items()):
        ids = [entry["id"] for entry in group]
        order = draw_order(round_["seed"], room_id, day, slot_code, ids)
        slot_record = recorded.get((room_id, day.isoformat(), slot_code), {})
        skipped = {item["entry"]: item["reason"] for item in slot_record.get("skipped", [])}
        expected = next((entry_id for entry_id in order if entry_id not in skipped), None)
        actual = next((entry["id"] for entry in group if entry["status"] in WIN_STATUSES), None)
        checks.append(
            SlotCheck(
                room_id,
                day,
                slot_code,
                sorted(ids),
                order,
                skipped,
                expected,
                actual,
                slot_record.get("order"),
            )
        )
    return checks
