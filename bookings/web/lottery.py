"""The lottery (抽選) for members: open rounds, the lottery rooms, applying, withdrawing and
confirming a win; and for anyone, checking a drawn round against its seed. The manager's pages
are in bookings.web.lottery_manage."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from bookings import listing, lottery
from bookings.web.common import actor_of, member_groups
from bookings.web.forms import chosen_group, parse_head_count
from bookings.web.lottery_labels import FIELD_ORDER, lottery_helpers, ordered_errors
from center.accounts.guards import PUBLIC, requires_member
from center.lib.dates import today
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_
from center.places import forms
from center.places.rooms import room_by_code
from center.web.forms import Form
from center.web.templating import flash


async def _member_context(request: Request, values: dict[str, Any], errors: dict[str, str]) -> dict:
    groups = await member_groups(request)
    rounds = await lottery.coming_rounds()
    accepting = [round_ for round_ in rounds if lottery.accepting(round_)]
    slots = await listing.active_slots()
    return {
        "groups": groups,
        "rounds": rounds,
        "accepting": accepting,
        "rooms": await lottery.lottery_rooms(),
        "slots": slots,
        "slot_names": {slot["code"]: slot for slot in slots},
        "entries": await lottery.entries_of(list(request.user.group_ids)),
        "values": values,
        "errors": errors,
        "today": today(),
        **lottery_helpers(),
    }


def _application_values(data: dict[str, Any]) -> dict[str, Any]:
    values = {name: forms.text(data, name) for name in FIELD_ORDER}
    values["public"] = forms.checked(data, "public")
    return values


class LotteryController(Controller):
    """A member's lottery page: apply for their groups, withdraw, confirm a win."""

    path = "/lottery"
    guards = (requires_member,)

    @get("/", name="bookings:lottery")
    async def overview(self, request: Request) -> Template:
        """Open rounds, the lottery rooms, the application form and the group's applications."""
        groups = await member_groups(request)
        values = {"group": str(groups[0]["id"]) if groups else "", "public": False}
        return Template("bookings/lottery.html", context=await _member_context(request, values, {}))

    @post("/apply", name="bookings:lottery_apply")
    async def apply(self, request: Request, data: Form) -> Template | Redirect:
        values = _application_values(data)
        groups = await member_groups(request)
        errors = forms.FieldErrors()
        round_id = forms.whole(data, "round", errors, N_("Choose the month of use."), low=1, high=10**9)
        group = chosen_group(values, groups)
        if group is None:
            errors.add("group", N_("Choose a group."))
        room = await room_by_code(values["room"]) if values["room"] else None
        if room is None:
            errors.add("room", N_("Choose one of the lottery rooms."))
        day = forms.day(data, "day", errors, N_("Enter a date like 2026-12-01."))
        if not values["slot"]:
            errors.add("slot", N_("Choose a time slot."))
        head_count = parse_head_count(data, errors)
        for name in ("purpose", "public_title"):
            if len(values[name]) > 200:
                errors.add(name, N_("Use at most 200 characters."))
        try:
            if errors:
                raise ValidationFailed(dict(errors))
            assert round_id and group and room and day and head_count
            if not await lottery.round_exists(round_id):
                raise ValidationFailed({"round": N_("Choose the month of use.")})
            await lottery.apply(
                lottery.Application(
                    round_id=round_id,
                    room_id=room["id"],
                    day=day,
                    slot_code=values["slot"][:20],
                    purpose=values["purpose"],
                    expected_head_count=head_count,
                    public=values["public"],
                    public_title=values["public_title"],
                ),
                group["id"],
                actor_of(request),
            )
        except ValidationFailed as invalid:
            context = await _member_context(request, values, ordered_errors(invalid.translated()))
            return Template("bookings/lottery.html", context=context, status_code=400)
        flash(request, N_("Your application was received. The result is announced after the draw."))
        return Redirect(path=request.app.route_reverse("bookings:lottery"), status_code=303)

    @post("/entries/{entry_id:int}/withdraw", name="bookings:lottery_withdraw")
    async def withdraw(self, request: Request, entry_id: FromPath[int]) -> Redirect:
        await lottery.withdraw(entry_id, actor_of(request), tuple(request.user.group_ids))
        flash(request, N_("The application was withdrawn."))
        return Redirect(path=request.app.route_reverse("bookings:lottery"), status_code=303)

    @post("/entries/{entry_id:int}/confirm", name="bookings:lottery_confirm")
    async def confirm(self, request: Request, entry_id: FromPath[int]) -> Redirect:
        entry = await lottery.confirm(entry_id, actor_of(request), tuple(request.user.group_ids))
        flash(request, N_("The win is confirmed: the booking is approved and its permit issued."))
        return Redirect(
            path=request.app.route_reverse("bookings:detail", booking_id=entry["booking"]), status_code=303
        )


class LotteryVerifyController(Controller):
    """Anyone checks a drawn round."""

    path = "/lottery/rounds/{round_id:int}/verify"
    opt = PUBLIC

    @get("/", name="bookings:lottery_verify")
    async def verify(self, request: Request, round_id: FromPath[int]) -> Template:
        """Anyone can recompute the draw from the recorded seed; applications appear by number only."""
        round_ = await lottery.get_round(round_id)
        checks: list[lottery.SlotCheck] = []
        if round_["status"] == "drawn":
            checks = await lottery.verify(round_id)
        rooms = await lottery.room_names()
        slots = {slot["code"]: slot for slot in await listing.active_slots()}
        return Template(
            "bookings/lottery_verify.html",
            context={
                "round": round_,
                "checks": checks,
                "rooms": rooms,
                "slots": slots,
                "all_ok": all(check.ok for check in checks),
                **lottery_helpers(),
            },
        )


ROUTES = [LotteryController, LotteryVerifyController]
