"""The manager's lottery pages: lottery rooms and window days, opening a round (early or with
other dates), a round's applications per slot with the draw and its results, changing its dates."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from bookings import listing, lottery
from bookings.rules import add_months, load_policy
from bookings.web.common import actor_of
from bookings.web.lottery_labels import WINDOW_FIELDS, lottery_helpers, ordered_errors
from center.accounts.guards import requires_manager
from center.lib.dates import today
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_
from center.places import forms
from center.places.rooms import list_rooms
from center.web.forms import Form
from center.web.templating import flash


async def _settings_context(values: dict[str, Any], chosen: set[str], errors: dict[str, str]) -> dict:
    rounds, counts = await lottery.recent_rounds()
    return {
        "values": values,
        "chosen": chosen,
        "errors": errors,
        "rooms": await list_rooms(),
        "rounds": rounds,
        "counts": counts,
        **lottery_helpers(),
    }


def _month_choices() -> list[str]:
    first = today().replace(day=1)
    return [lottery.month_key(add_months(first, n)) for n in range(1, 13)]


async def _default_window(month: str) -> dict[str, str]:
    """The policy's dates for the month, moved up to today where they have passed."""
    window = lottery.window_for(month, await load_policy())
    opens = max(window.opens_on, today())
    closes = max(window.closes_on, opens)
    draw_on = max(window.draw_on, closes)
    confirm_by = max(window.confirm_by, draw_on)
    return {
        "opens_on": opens.isoformat(),
        "closes_on": closes.isoformat(),
        "draw_on": draw_on.isoformat(),
        "confirm_by": confirm_by.isoformat(),
    }


def _parse_window(data: Any, errors: forms.FieldErrors) -> lottery.Window | None:
    days = {
        name: forms.day(data, name, errors, N_("Enter a date like 2026-12-01.")) for name in WINDOW_FIELDS
    }
    if any(value is None for value in days.values()):
        return None
    return lottery.Window(**days)  # type: ignore[arg-type]


async def _round_context(round_id: int, values: dict[str, Any] | None = None, errors=None) -> dict:
    round_ = await lottery.get_round(round_id)
    entries = await lottery.round_entries(round_id)
    rooms = await lottery.room_names()
    slots = {slot["code"]: slot for slot in await listing.active_slots()}
    order = {slot: index for index, slot in enumerate(slots)}
    record = await lottery.draw_record(round_id) if round_["status"] == "drawn" else None
    recorded = {(s["room"], s["day"], s["slot"]): s for s in (record or {}).get("slots", [])}
    by_slot: dict[tuple, list[dict]] = {}
    for entry in entries:
        by_slot.setdefault(
            (entry["day"], order.get(entry["slot_code"], 99), entry["room"], entry["slot_code"]), []
        ).append(entry)
    groups = []
    for (day, _rank, room_id, slot_code), items in sorted(by_slot.items()):
        slot_record = recorded.get((room_id, day.isoformat(), slot_code), {})
        groups.append(
            {
                "day": day,
                "room": rooms.get(room_id),
                "slot": slots.get(slot_code),
                "slot_code": slot_code,
                "entries": items,
                "order": slot_record.get("order", []),
                "skipped": {item["entry"]: item for item in slot_record.get("skipped", [])},
                "applicants": sum(1 for e in items if e["status"] != "withdrawn"),
            }
        )
    return {
        "round": round_,
        "slot_groups": groups,
        "values": values or {name: round_[name].isoformat() for name in WINDOW_FIELDS},
        "errors": errors or {},
        "can_draw": round_["status"] == "open" and round_["draw_on"] <= today(),
        "today": today(),
        **lottery_helpers(),
    }


class LotteryManageController(Controller):
    """The lottery for the manager."""

    path = "/manage/lottery"
    guards = (requires_manager,)

    @get("/", name="bookings:lottery_manage")
    async def manage(self, request: Request) -> Template:
        """Lottery rooms, the window days and the rounds."""
        policy = await load_policy()
        values = {name: str(policy[name]) for name in lottery.POLICY_FIELDS}
        chosen = await lottery.lottery_room_codes()
        return Template("bookings/lottery_manage.html", context=await _settings_context(values, chosen, {}))

    @post("/settings", name="bookings:lottery_settings")
    async def save_settings(self, request: Request, data: Form) -> Template | Redirect:
        values = {name: forms.text(data, name) for name in lottery.POLICY_FIELDS}
        chosen = set(forms.values(data, "rooms"))
        errors = forms.FieldErrors()
        numbers = {
            name: forms.whole(data, name, errors, N_("Enter a whole number."), low=0, high=99)
            for name in lottery.POLICY_FIELDS
        }
        rooms = await lottery.rooms_by_code(chosen)
        try:
            if errors:
                raise ValidationFailed(dict(errors))
            if len(rooms) != len(chosen):
                raise ValidationFailed({"rooms": N_("Choose rooms from the list.")})
            await lottery.save_settings(numbers, {row["id"] for row in rooms}, actor_of(request))
        except ValidationFailed as invalid:
            context = await _settings_context(values, chosen, invalid.translated())
            return Template("bookings/lottery_manage.html", context=context, status_code=400)
        flash(request, N_("The lottery settings were saved."))
        return Redirect(path=request.app.route_reverse("bookings:lottery_manage"), status_code=303)

    @get("/rounds/new", name="bookings:lottery_round_form")
    async def round_form(self, request: Request) -> Template:
        """Open a round early or with other dates than the policy's (the policy's are filled in)."""
        months = _month_choices()
        month = request.query_params.get("month", "")
        if month not in months:
            month = lottery.month_key(
                add_months(today().replace(day=1), (await load_policy())["lottery_months_ahead"])
            )
        values = {"month": month, **await _default_window(month)}
        return Template(
            "bookings/lottery_round_form.html",
            context={"values": values, "errors": {}, "months": months, **lottery_helpers()},
        )

    @post("/rounds", name="bookings:lottery_open_round")
    async def open_round(self, request: Request, data: Form) -> Template | Redirect:
        values = {name: forms.text(data, name) for name in ("month", *WINDOW_FIELDS)}
        errors = forms.FieldErrors()
        if lottery.parse_month(values["month"]) is None:
            errors.add("month", N_("Choose the month of use."))
        window = _parse_window(data, errors)
        try:
            if errors or window is None:
                raise ValidationFailed(dict(errors))
            round_id = await lottery.open_round(values["month"], window, actor_of(request))
        except ValidationFailed as invalid:
            return Template(
                "bookings/lottery_round_form.html",
                context={
                    "values": values,
                    "errors": ordered_errors(invalid.translated()),
                    "months": _month_choices(),
                    **lottery_helpers(),
                },
                status_code=400,
            )
        flash(request, N_("The lottery round was opened."))
        return Redirect(
            path=request.app.route_reverse("bookings:lottery_round", round_id=round_id), status_code=303
        )

    @get("/rounds/{round_id:int}", name="bookings:lottery_round")
    async def round_page(self, request: Request, round_id: FromPath[int]) -> Template:
        """A round: its dates, the applications per slot, the draw and its results."""
        return Template("bookings/lottery_round.html", context=await _round_context(round_id))

    @post("/rounds/{round_id:int}/dates", name="bookings:lottery_round_dates")
    async def round_dates(self, request: Request, round_id: FromPath[int], data: Form) -> Template | Redirect:
        await lottery.get_round(round_id)
        values = {name: forms.text(data, name) for name in WINDOW_FIELDS}
        errors = forms.FieldErrors()
        window = _parse_window(data, errors)
        try:
            if errors or window is None:
                raise ValidationFailed(dict(errors))
            await lottery.change_round_dates(round_id, window, actor_of(request))
        except ValidationFailed as invalid:
            context = await _round_context(round_id, values, ordered_errors(invalid.translated()))
            return Template("bookings/lottery_round.html", context=context, status_code=400)
        flash(request, N_("The round's dates were changed."))
        return Redirect(
            path=request.app.route_reverse("bookings:lottery_round", round_id=round_id), status_code=303
        )

    @post("/rounds/{round_id:int}/draw", name="bookings:lottery_draw")
    async def run_draw(self, request: Request, round_id: FromPath[int]) -> Redirect:
        await lottery.get_round(round_id)
        await lottery.draw(round_id, actor_of(request))
        flash(request, N_("The draw was made and every group has been told of its result."))
        return Redirect(
            path=request.app.route_reverse("bookings:lottery_round", round_id=round_id), status_code=303
        )


ROUTES = [LotteryManageController]
