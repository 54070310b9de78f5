"""The booking rules a manager edits on one page: the policy (request window, lengths, decision
deadline), surcharge and reduction percents, refund rules and the payment rules. Reading the form
happens in the web layer (bookings.web.rules); saving is one transaction with one audit line."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bookings import payment_settings
from bookings.rules import load_policy
from bookings.tables import BookingPolicy, ReductionRate, RefundRule, Surcharge
from center.accounts import audit
from center.accounts.actors import Actor
from center.lib.db import write_transaction
from center.lib.i18n import N_

POLICY_FIELDS = {
    # field: (low, high, msgid)
    "book_from_days": (0, 365, N_("Enter a whole number of days from 0 to 365.")),
    "book_until_months": (1, 24, N_("Enter a whole number of months from 1 to 24.")),
    "min_minutes": (15, 1440, N_("Enter a whole number of minutes from 15 to 1440.")),
    "max_minutes": (15, 1440, N_("Enter a whole number of minutes from 15 to 1440.")),
    "max_future_bookings": (1, 1000, N_("Enter a whole number from 1 to 1000.")),
    "tentative_days": (1, 60, N_("Enter a whole number of days from 1 to 60.")),
    "cancel_online_until_days": (0, 60, N_("Enter a whole number of days from 0 to 60.")),
    "decide_days_before": (0, 365, N_("Enter a whole number of days from 0 to 365.")),
}


@dataclass(frozen=True)
class RuleRows:
    """The rows of the fee rules as stored, in the page's order."""

    surcharges: list[dict]
    reductions: list[dict]
    refunds: list[dict]


@dataclass
class RulesChange:
    """Checked new values: the policy's fields, surcharge percent by row id, (room, heating)
    reduction percents by row id, (days before, room, heating) refund rule by row id, and the
    payment rules (bookings.payment_settings.parse_payment_rules)."""

    policy: dict[str, int | None]
    surcharges: dict[int, int | None] = field(default_factory=dict)
    reductions: dict[int, tuple[int | None, int | None]] = field(default_factory=dict)
    refunds: dict[int, tuple[int | None, int | None, int | None]] = field(default_factory=dict)
    payment: dict[str, Any] = field(default_factory=dict)


async def rule_rows() -> RuleRows:
    """The surcharges by code, reductions by category, refund rules from the earliest cancellation."""
    return RuleRows(
        surcharges=await Surcharge.select().order_by(Surcharge.code),
        reductions=await ReductionRate.select().order_by(ReductionRate.category),
        refunds=await RefundRule.select().order_by(RefundRule.min_days_before, ascending=False),
    )


async def _snapshot() -> dict[str, Any]:
    return {
        "policy": await load_policy(),
        "surcharges": await Surcharge.select(),
        "reductions": await ReductionRate.select(),
        "refunds": await RefundRule.select(),
    }


async def save_rules(change: RulesChange, actor: Actor) -> None:
    """Save the policy, surcharge percents, reduction percents, refund rules and payment rules in
    one transaction, with one audit line holding them before and after."""
    async with write_transaction():
        before = await _snapshot()
        await BookingPolicy.update(
            {getattr(BookingPolicy, k): v for k, v in change.policy.items()}
            | {BookingPolicy.updated_at: datetime.now(UTC)},
            force=True,
        )
        for row_id, percent in change.surcharges.items():
            await Surcharge.update({Surcharge.percent: percent}).where(Surcharge.id == row_id)
        for row_id, (room_percent, heating_percent) in change.reductions.items():
            await ReductionRate.update(
                {
                    ReductionRate.room_fee_percent: room_percent,
                    ReductionRate.heating_fee_percent: heating_percent,
                }
            ).where(ReductionRate.id == row_id)
        for row_id, (days, room_percent, heating_percent) in change.refunds.items():
            await RefundRule.update(
                {
                    RefundRule.min_days_before: days,
                    RefundRule.room_fee_percent: room_percent,
                    RefundRule.heating_fee_percent: heating_percent,
                }
            ).where(RefundRule.id == row_id)
        await payment_settings.save_payment_rules(change.payment, actor)
        await audit.record("update", "booking_rules", "", actor=actor, before=before, after=await _snapshot())
