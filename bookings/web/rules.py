"""The manager's page of booking rules: the policy, fee surcharges and reductions, refund rules
and payment rules, read from the form here and saved by bookings.booking_rules in one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from bookings import payment_settings
from bookings.booking_rules import POLICY_FIELDS, RuleRows, RulesChange, rule_rows, save_rules
from bookings.rules import load_policy
from bookings.web.common import page_helpers
from center.accounts.guards import requires_manager
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_
from center.places import forms
from center.web.forms import Form
from center.web.templating import flash

PERCENT = N_("Enter a percentage from 0 to 1000.")
PAYMENT_FIELDS = ("pay_days_before", "payment_instructions")


def parse_rules(data: Mapping[str, Any], rows: RuleRows) -> RulesChange:
    """The rules from the form (a field per stored row); raises ValidationFailed naming each bad field."""
    errors = forms.FieldErrors()
    policy = {
        name: forms.whole(data, name, errors, msgid, low=low, high=high)
        for name, (low, high, msgid) in POLICY_FIELDS.items()
    }
    if not errors and policy["min_minutes"] > policy["max_minutes"]:
        errors.add("max_minutes", N_("The longest booking must not be shorter than the shortest."))
    if not errors and policy["decide_days_before"] > policy["book_from_days"]:
        errors.add(
            "decide_days_before", N_("Enter no more days than online requests close before the date of use.")
        )
    surcharges = {
        row["id"]: forms.whole(data, f"surcharge-{row['id']}", errors, PERCENT, low=100, high=1000)
        for row in rows.surcharges
    }
    reductions = {
        row["id"]: (
            forms.whole(data, f"reduction-room-{row['id']}", errors, PERCENT, low=0, high=100),
            forms.whole(data, f"reduction-heating-{row['id']}", errors, PERCENT, low=0, high=100),
        )
        for row in rows.reductions
    }
    refunds = {
        row["id"]: (
            forms.whole(
                data,
                f"refund-days-{row['id']}",
                errors,
                N_("Enter a whole number of days from 0 to 365."),
                low=0,
                high=365,
            ),
            forms.whole(data, f"refund-room-{row['id']}", errors, PERCENT, low=0, high=100),
            forms.whole(data, f"refund-heating-{row['id']}", errors, PERCENT, low=0, high=100),
        )
        for row in rows.refunds
    }
    payment = payment_settings.parse_payment_rules(data, errors)
    if errors:
        raise ValidationFailed(dict(errors))
    return RulesChange(policy, surcharges, reductions, refunds, payment)


async def _rules_context(
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    payment_values: dict[str, Any] | None = None,
) -> dict:
    rows = await rule_rows()
    return {
        "policy": values or await load_policy(),
        "payment": payment_values or await payment_settings.load_settings(),
        "surcharges": rows.surcharges,
        "reductions": rows.reductions,
        "refunds": rows.refunds,
        "errors": errors or {},
        **page_helpers(),
    }


class RulesController(Controller):
    """The booking rules, for managers."""

    path = "/manage/booking-rules"
    guards = (requires_manager,)

    @get("/", name="bookings:rules")
    async def rules_page(self, request: Request) -> Template:
        return Template("bookings/rules.html", context=await _rules_context())

    @post("/", name="bookings:save_rules")
    async def save_rules(self, request: Request, data: Form) -> Template | Redirect:
        """Save the policy, surcharge percents, reduction percents and refund rules in one transaction."""
        try:
            change = parse_rules(data, await rule_rows())
        except ValidationFailed as invalid:
            return Template(
                "bookings/rules.html",
                context=await _rules_context(
                    invalid.translated(),
                    {**(await load_policy()), **{k: forms.text(data, k) for k in POLICY_FIELDS}},
                    {k: forms.text(data, k) for k in PAYMENT_FIELDS},
                ),
                status_code=400,
            )
        await save_rules(change, request.user)
        flash(request, N_("The booking rules were saved."))
        return Redirect(path=request.app.route_reverse("bookings:rules"), status_code=303)


ROUTES = [RulesController]
