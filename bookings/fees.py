"""Fees (使用料): slot or hourly room fees, the seasonal heating fee (暖房料), surcharges for
commercial use or users from outside the city, and the group's fee reduction (減免). The same
function prices online requests, staff bookings and walk-ins, and shows the breakdown before
anything is submitted.

Equipment fees (附属設備使用料) are charged per slot booked (per hour, prorated like the room
fee, for rooms booked by the hour) for each piece of chosen equipment the manager has priced.
They are part of the use fee: surcharges multiply them as they multiply the room fee, a fee
reduction (減免) waives them at the room fee's percentage, and a cancellation refunds them at the
room fee's percentage (bookings.service.refund_due). The heating fee alone keeps its own rates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bookings.tables import ReductionRate, Surcharge
from center.lib.i18n import N_, gettext, pick
from center.lib.prepared import Prepared
from center.lib.versions import reference_cached
from center.places.calendar import in_heating_season, load_profile
from center.places.equipment import label_pair
from center.places.equipment_fees import fees_for
from center.places.tables import RoomSlotFee


@dataclass(frozen=True)
class FeeLine:
    """One line of the breakdown: an English msgid with its parameters, and an amount in yen
    (negative for reductions)."""

    label: str
    amount: int
    params: dict = field(default_factory=dict)


def line_text(line: FeeLine) -> str:
    """A breakdown line in the current language: `name_ja`/`name_en` parameter pairs become `name`."""
    params = {key: value for key, value in line.params.items() if not key.endswith(("_ja", "_en"))}
    for key in {key[:-3] for key in line.params if key.endswith(("_ja", "_en"))}:
        params[key] = pick(line.params.get(f"{key}_ja", ""), line.params.get(f"{key}_en", ""))
    return gettext(line.label, **params)


@dataclass(frozen=True)
class FeeQuote:
    room_fee: int
    heating_fee: int
    surcharge_fee: int
    reduction_fee: int
    lines: tuple[FeeLine, ...]
    reduction_category: str = "none"  # the category the reduction was granted under
    equipment_fee: int = 0  # the chosen equipment's fees, before surcharges and reductions

    @property
    def total(self) -> int:
        return self.room_fee + self.equipment_fee + self.heating_fee + self.surcharge_fee - self.reduction_fee


@dataclass(frozen=True)
class Payer:
    """Who pays and on what terms."""

    reduction: str = "none"  # none | welfare | public_interest
    in_city: bool = True
    commercial: bool = False


_ROOM_SLOT_FEES = Prepared(
    lambda room_id: (
        RoomSlotFee.select(
            RoomSlotFee.fee,
            RoomSlotFee.heating_fee,
            RoomSlotFee.slot.code.as_alias("code"),
            RoomSlotFee.slot.name_ja.as_alias("name_ja"),
            RoomSlotFee.slot.name_en.as_alias("name_en"),
        )
        .where(RoomSlotFee.room == room_id)
        .order_by(RoomSlotFee.slot.sort_order)
        .order_by(RoomSlotFee.slot.starts)
    )
)


async def room_slot_fees(room_id: int) -> list[dict]:
    """Every fee row of the room (one per slot it offers, active or not), in slot order; kept per
    process until the fees or slots change (center.lib.versions)."""
    return await reference_cached(f"room_slot_fees:{room_id}", lambda: _ROOM_SLOT_FEES.run(room_id=room_id))


async def slot_fees(room_id: int, slot_codes: list[str]) -> list[dict]:
    """The room's fee rows for these slots, in slot order."""
    if not slot_codes:
        return []
    return [row for row in await room_slot_fees(room_id) if row["code"] in slot_codes]


def _percent(amount: int, percent: int) -> int:
    """Yen amounts round down (切り捨て), as fee schedules do."""
    return amount * percent // 100


async def quote(
    room: dict,
    day: date,
    payer: Payer,
    *,
    slot_codes: list[str] | None = None,
    minutes: int = 0,
    equipment: list[str] | tuple[str, ...] = (),
) -> FeeQuote:
    """Price a use of `room` on `day`: by slots for slot rooms, by minutes for hourly rooms,
    with the fees of the chosen `equipment` per slot (or per hour)."""
    profile = await load_profile()
    first, last = (profile["heating_from_month"], profile["heating_to_month"]) if profile else (10, 4)
    heating_season = in_heating_season(day, first, last)
    lines: list[FeeLine] = []

    if room["booked_by"] == "hour":
        rows: list[dict] = []
        hours_x100 = minutes * 100 // 60
        room_fee = room["hourly_fee"] * hours_x100 // 100
        heating = room["hourly_heating_fee"] * hours_x100 // 100 if heating_season else 0
        lines.append(FeeLine(N_("Room fee: %(minutes)s minutes"), room_fee, {"minutes": minutes}))
    else:
        rows = await slot_fees(room["id"], slot_codes or [])
        room_fee = sum(row["fee"] for row in rows)
        heating = sum(row["heating_fee"] for row in rows) if heating_season else 0
        for row in rows:
            lines.append(
                FeeLine(
                    N_("Room fee: %(slot)s"),
                    row["fee"],
                    {"slot_ja": row["name_ja"], "slot_en": row["name_en"]},
                )
            )
    equipment_fee = 0
    for code, fee in await fees_for(room["id"], list(equipment)):
        if room["booked_by"] == "hour":
            amount, units = fee * (minutes * 100 // 60) // 100, {"minutes": minutes}
            label = N_("Equipment: %(equipment)s, %(minutes)s minutes")
        else:
            amount, units = fee * len(rows), {"count": len(rows)}
            label = N_("Equipment: %(equipment)s, %(count)s slots")
            if len(rows) == 1:
                label = N_("Equipment: %(equipment)s, 1 slot")
        if amount:
            equipment_fee += amount
            names = label_pair(code)
            params = {"equipment_ja": names["ja"], "equipment_en": names["en"], **units}
            lines.append(FeeLine(label, amount, params))
    if heating:
        lines.append(FeeLine(N_("Heating fee (October to April)"), heating))

    surcharge = 0
    applicable = []
    if payer.commercial:
        applicable.append("commercial")
    if not payer.in_city:
        applicable.append("outside_city")
    if applicable:
        rules = [
            rule
            for rule in await reference_cached("surcharges", Surcharge.select().run)
            if rule["code"] in applicable and rule["active"]
        ]
        for rule in sorted(rules, key=lambda r: r["code"]):
            base = room_fee + equipment_fee + surcharge
            extra = _percent(base, rule["percent"]) - base
            if extra:
                surcharge += extra
                lines.append(
                    FeeLine(
                        N_("Surcharge: %(name)s"),
                        extra,
                        {"name_ja": rule["name_ja"], "name_en": rule["name_en"]},
                    )
                )

    reduction = 0
    if payer.reduction != "none" and not payer.commercial:
        rate = next(
            (
                row
                for row in await reference_cached(
                    "reduction_rates", ReductionRate.select().order_by(ReductionRate.id).run
                )
                if row["category"] == payer.reduction and row["active"]
            ),
            None,
        )
        if rate:
            use_fee = room_fee + equipment_fee + surcharge
            reduction = _percent(use_fee, rate["room_fee_percent"]) + _percent(
                heating, rate["heating_fee_percent"]
            )
            if reduction:
                lines.append(
                    FeeLine(
                        N_("Fee reduction: %(name)s"),
                        -reduction,
                        {"name_ja": rate["name_ja"], "name_en": rate["name_en"]},
                    )
                )
    return FeeQuote(
        room_fee,
        heating,
        surcharge,
        reduction,
        tuple(lines),
        payer.reduction if reduction else "none",
        equipment_fee,
    )


async def ensure_default_rules() -> None:
    """The usual rules of Hokkaido civic facilities, written once when none exist."""
    if not await Surcharge.exists():
        await Surcharge.insert(
            Surcharge(code="commercial", name_ja="営利目的の利用", name_en="Commercial use", percent=200),
            Surcharge(
                code="outside_city",
                name_ja="市外の利用者",
                name_en="Users from outside the city",
                percent=150,
            ),
        )
    if not await ReductionRate.exists():
        await ReductionRate.insert(
            ReductionRate(
                category="welfare",
                name_ja="社会福祉団体の減免（全額）",
                name_en="Welfare group reduction (full)",
                room_fee_percent=100,
                heating_fee_percent=0,
            ),
            ReductionRate(
                category="public_interest",
                name_ja="公益団体の減免（半額）",
                name_en="Public-interest group reduction (half)",
                room_fee_percent=50,
                heating_fee_percent=0,
            ),
        )
