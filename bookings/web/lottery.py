"""Pages for the lottery (抽選): members apply for lottery rooms' slots, follow their applications
and confirm wins; the manager sets the lottery rooms and window days, opens rounds, runs the draw
and sees the results; anyone can check a draw against its recorded seed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from bookings import lottery
from bookings.rules import add_months, load_policy
from bookings.tables import LotteryEntry, LotteryRound
from bookings.web.common import Form, actor_of, member_groups, page_helpers, status_label
from center.accounts.guards import requires_manager, requires_member
from center.lib.dates import era_year, today
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_, current_locale, gettext
from center.places import forms
from center.places.rooms import list_rooms, room_by_code
from center.places.tables import Room, Slot
from center.web.templating import flash

PUBLIC = {"public": True}

ENTRY_LABELS = {
    "applied": ("…", N_("Applied: waiting for the draw")),
    "won": ("★", N_("Won: please confirm")),
    "lost": ("✕", N_("Not drawn")),
    "confirmed": ("✓", N_("Won and confirmed")),
    "forfeited": ("✕", N_("Forfeited: not confirmed in time")),
    "withdrawn": ("−", N_("Withdrawn")),
}
FIELD_ORDER = ("round", "group", "room", "day", "slot", "purpose", "expected_head_count", "public_title")
WINDOW_FIELDS = ("opens_on", "closes_on", "draw_on", "confirm_by")


def entry_label(status: str) -> str:
    symbol, msgid = ENTRY_LABELS.get(status, ("", status))
    return f"{symbol} {gettext(msgid)}".strip()


def round_state(round_: dict) -> str:
    """The round's state in words for today."""
    if round_["status"] == "drawn":
        return gettext("Drawn")
    day = today()
    if day < round_["opens_on"]:
        return gettext("Applications not open yet")
    if day <= round_["closes_on"]:
        return gettext("Accepting applications")
    return gettext("Closed: waiting for the draw")


def _ordered(errors: dict[str, str]) -> dict[str, str]:
    rank = {name: index for index, name in enumerate(FIELD_ORDER + WINDOW_FIELDS)}
    return dict(sorted(errors.items(), key=lambda item: rank.get(item[0], len(rank))))


async def _slots() -> list[dict]:
    return await Slot.select().where(Slot.active == True).order_by(Slot.sort_order, Slot.starts)


async def _lottery_rooms() -> list[dict]:
    ids = await lottery.lottery_room_ids()
    return [room for room in await list_rooms() if room["id"] in ids]


def _helpers() -> dict[str, Any]:
    return {
        **page_helpers(),
        "entry_label": entry_label,
        "round_state": round_state,
        "status_label": status_label,
        "month_label": month_label,
    }


def month_label(month: str) -> str:
    """令和9年2月 / February 2027."""
    first = lottery.first_day(month)
    if current_locale.get() == "en":
        return f"{first:%B %Y}"
    era, year = era_year(first)
    return f"{era}{'元' if year == 1 else year}年{first.month}月"


# --- members -----------------------------------------------------------------------------------------


async def _entries_of(group_ids: list[int]) -> list[dict]:
    rows = await (
        LotteryEntry.select(
            *LotteryEntry.all_columns(),
            LotteryEntry.room.name_ja.as_alias("room_name_ja"),
            LotteryEntry.room.name_en.as_alias("room_name_en"),
            LotteryEntry.group.name.as_alias("group_name"),
            LotteryEntry.round.month.as_alias("month"),
            LotteryEntry.round.confirm_by.as_alias("confirm_by"),
            LotteryEntry.round.opens_on.as_alias("opens_on"),
            LotteryEntry.round.closes_on.as_alias("closes_on"),
            LotteryEntry.round.status.as_alias("round_status"),
            LotteryEntry.booking.status.as_alias("booking_status"),
        )
        .where(
            LotteryEntry.group.is_in(group_ids or [-1]) & (LotteryEntry.day >= today() - timedelta(days=62))
        )
        .order_by(LotteryEntry.day)
        .order_by(LotteryEntry.id)
    )
    return rows


async def _member_context(request: Request, values: dict[str, Any], errors: dict[str, str]) -> dict:
    groups = await member_groups(request)
    rounds = (
        await LotteryRound.select()
        .where(LotteryRound.month >= lottery.month_key(today()))
        .order_by(LotteryRound.month)
    )
    accepting = [round_ for round_ in rounds if lottery.accepting(round_)]
    slots = await _slots()
    return {
        "groups": groups,
        "rounds": rounds,
        "accepting": accepting,
        "rooms": await _lottery_rooms(),
        "slots": slots,
        "slot_names": {slot["code"]: slot for slot in slots},
        "entries": await _entries_of(list(request.user.group_ids)),
        "values": values,
        "errors": errors,
        "today": today(),
        **_helpers(),
    }


@get("/lottery", name="bookings:lottery", guards=[requires_member])
async def overview(request: Request) -> Template:
    """Open rounds, the lottery rooms, the application form and the group's applications."""
    groups = await member_groups(request)
    values = {"group": str(groups[0]["id"]) if groups else "", "public": False}
    return Template("bookings/lottery.html", context=await _member_context(request, values, {}))


def _application_values(data: dict[str, Any]) -> dict[str, Any]:
    values = {name: forms.text(data, name) for name in FIELD_ORDER}
    values["public"] = forms.checked(data, "public")
    return values


@post("/lottery/apply", name="bookings:lottery_apply", guards=[requires_member])
async def apply(request: Request, data: Form) -> Template | Redirect:
    values = _application_values(data)
    groups = await member_groups(request)
    errors = forms.FieldErrors()
    round_id = forms.whole(data, "round", errors, N_("Choose the month of use."), low=1, high=10**9)
    group = next((g for g in groups if str(g["id"]) == values["group"]), None)
    if group is None:
        errors.add("group", N_("Choose a group."))
    room = await room_by_code(values["room"]) if values["room"] else None
    if room is None:
        errors.add("room", N_("Choose one of the lottery rooms."))
    day = forms.day(data, "day", errors, N_("Enter a date like 2026-12-01."))
    if not values["slot"]:
        errors.add("slot", N_("Choose a time slot."))
    head_count = forms.whole(
        data,
        "expected_head_count",
        errors,
        N_("Enter how many people will attend (1 or more)."),
        low=1,
        high=9999,
    )
    for name in ("purpose", "public_title"):
        if len(values[name]) > 200:
            errors.add(name, N_("Use at most 200 characters."))
    try:
        if errors:
            raise ValidationFailed(dict(errors))
        assert round_id and group and room and day and head_count
        if not await LotteryRound.exists().where(LotteryRound.id == round_id):
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
        context = await _member_context(request, values, _ordered(invalid.translated()))
        return Template("bookings/lottery.html", context=context, status_code=400)
    flash(request, N_("Your application was received. The result is announced after the draw."))
    return Redirect(path=request.app.route_reverse("bookings:lottery"), status_code=303)


@post("/lottery/entries/{entry_id:int}/withdraw", name="bookings:lottery_withdraw", guards=[requires_member])
async def withdraw(request: Request, entry_id: FromPath[int]) -> Redirect:
    await lottery.withdraw(entry_id, actor_of(request), tuple(request.user.group_ids))
    flash(request, N_("The application was withdrawn."))
    return Redirect(path=request.app.route_reverse("bookings:lottery"), status_code=303)


@post("/lottery/entries/{entry_id:int}/confirm", name="bookings:lottery_confirm", guards=[requires_member])
async def confirm(request: Request, entry_id: FromPath[int]) -> Redirect:
    entry = await lottery.confirm(entry_id, actor_of(request), tuple(request.user.group_ids))
    flash(request, N_("The win is confirmed: the booking is approved and its permit issued."))
    return Redirect(
        path=request.app.route_reverse("bookings:detail", booking_id=entry["booking"]), status_code=303
    )


# --- the manager -------------------------------------------------------------------------------------


async def _settings_context(values: dict[str, Any], chosen: set[str], errors: dict[str, str]) -> dict:
    rounds = await LotteryRound.select().order_by(LotteryRound.month, ascending=False).limit(24)
    counts: dict[int, int] = {}
    for row in await LotteryEntry.select(LotteryEntry.round).where(
        LotteryEntry.round.is_in([r["id"] for r in rounds] or [-1]) & (LotteryEntry.status != "withdrawn")
    ):
        counts[row["round"]] = counts.get(row["round"], 0) + 1
    return {
        "values": values,
        "chosen": chosen,
        "errors": errors,
        "rooms": await list_rooms(),
        "rounds": rounds,
        "counts": counts,
        **_helpers(),
    }


@get("/manage/lottery", name="bookings:lottery_manage", guards=[requires_manager])
async def manage(request: Request) -> Template:
    """Lottery rooms, the window days and the rounds."""
    policy = await load_policy()
    values = {name: str(policy[name]) for name in lottery.POLICY_FIELDS}
    ids = await lottery.lottery_room_ids()
    chosen = {row["code"] for row in await Room.select(Room.code).where(Room.id.is_in(list(ids) or [-1]))}
    return Template("bookings/lottery_manage.html", context=await _settings_context(values, chosen, {}))


@post("/manage/lottery/settings", name="bookings:lottery_settings", guards=[requires_manager])
async def save_settings(request: Request, data: Form) -> Template | Redirect:
    values = {name: forms.text(data, name) for name in lottery.POLICY_FIELDS}
    chosen = set(forms.values(data, "rooms"))
    errors = forms.FieldErrors()
    numbers = {
        name: forms.whole(data, name, errors, N_("Enter a whole number."), low=0, high=99)
        for name in lottery.POLICY_FIELDS
    }
    rooms = await Room.select(Room.id, Room.code).where(Room.code.is_in(list(chosen) or ["-"]))
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


@get("/manage/lottery/rounds/new", name="bookings:lottery_round_form", guards=[requires_manager])
async def round_form(request: Request) -> Template:
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
        context={"values": values, "errors": {}, "months": months, **_helpers()},
    )


@post("/manage/lottery/rounds", name="bookings:lottery_open_round", guards=[requires_manager])
async def open_round(request: Request, data: Form) -> Template | Redirect:
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
                "errors": _ordered(invalid.translated()),
                "months": _month_choices(),
                **_helpers(),
            },
            status_code=400,
        )
    flash(request, N_("The lottery round was opened."))
    return Redirect(
        path=request.app.route_reverse("bookings:lottery_round", round_id=round_id), status_code=303
    )


async def _round_context(round_id: int, values: dict[str, Any] | None = None, errors=None) -> dict:
    round_ = await lottery.get_round(round_id)
    entries = await (
        LotteryEntry.select(
            *LotteryEntry.all_columns(),
            LotteryEntry.group.name.as_alias("group_name"),
            LotteryEntry.booking.status.as_alias("booking_status"),
        )
        .where(LotteryEntry.round == round_id)
        .order_by(LotteryEntry.day)
        .order_by(LotteryEntry.id)
    )
    rooms = {row["id"]: row for row in await Room.select(Room.id, Room.name_ja, Room.name_en, Room.code)}
    slots = {slot["code"]: slot for slot in await _slots()}
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
        **_helpers(),
    }


@get("/manage/lottery/rounds/{round_id:int}", name="bookings:lottery_round", guards=[requires_manager])
async def round_page(request: Request, round_id: FromPath[int]) -> Template:
    """A round: its dates, the applications per slot, the draw and its results."""
    return Template("bookings/lottery_round.html", context=await _round_context(round_id))


@post(
    "/manage/lottery/rounds/{round_id:int}/dates",
    name="bookings:lottery_round_dates",
    guards=[requires_manager],
)
async def round_dates(request: Request, round_id: FromPath[int], data: Form) -> Template | Redirect:
    await lottery.get_round(round_id)
    values = {name: forms.text(data, name) for name in WINDOW_FIELDS}
    errors = forms.FieldErrors()
    window = _parse_window(data, errors)
    try:
        if errors or window is None:
            raise ValidationFailed(dict(errors))
        await lottery.change_round_dates(round_id, window, actor_of(request))
    except ValidationFailed as invalid:
        context = await _round_context(round_id, values, _ordered(invalid.translated()))
        return Template("bookings/lottery_round.html", context=context, status_code=400)
    flash(request, N_("The round's dates were changed."))
    return Redirect(
        path=request.app.route_reverse("bookings:lottery_round", round_id=round_id), status_code=303
    )


@post("/manage/lottery/rounds/{round_id:int}/draw", name="bookings:lottery_draw", guards=[requires_manager])
async def run_draw(request: Request, round_id: FromPath[int]) -> Redirect:
    await lottery.get_round(round_id)
    await lottery.draw(round_id, actor_of(request))
    flash(request, N_("The draw was made and every group has been told of its result."))
    return Redirect(
        path=request.app.route_reverse("bookings:lottery_round", round_id=round_id), status_code=303
    )


@get("/lottery/rounds/{round_id:int}/verify", name="bookings:lottery_verify", opt=PUBLIC)
async def verify(request: Request, round_id: FromPath[int]) -> Template:
    """Anyone can recompute the draw from the recorded seed; applications appear by number only."""
    round_ = await lottery.get_round(round_id)
    checks: list[lottery.SlotCheck] = []
    if round_["status"] == "drawn":
        checks = await lottery.verify(round_id)
    rooms = {row["id"]: row for row in await Room.select(Room.id, Room.name_ja, Room.name_en)}
    slots = {slot["code"]: slot for slot in await _slots()}
    return Template(
        "bookings/lottery_verify.html",
        context={
            "round": round_,
            "checks": checks,
            "rooms": rooms,
            "slots": slots,
            "all_ok": all(check.ok for check in checks),
            **_helpers(),
        },
    )


ROUTES = [
    overview,
    apply,
    withdraw,
    confirm,
    manage,
    save_settings,
    round_form,
    open_round,
    round_page,
    round_dates,
    run_draw,
    verify,
]
