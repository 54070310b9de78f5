"""Exercise-video screenings on the web: the public schedule and the home page panel, the staff
schedule with the video library, recurring rules with a preview of every date (clashes shown
before saving), and single screenings added, moved, cancelled and counted. The lobby signage is
the shell's (center/shell/signage.py)."""

from __future__ import annotations

from datetime import timedelta

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from center.accounts.guards import PUBLIC, requires_front_desk
from center.ledger.service import HoldConflict
from center.lib.dates import format_time, today, weekday_name
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_, gettext
from center.places import forms
from center.programmes import flowerbeds, screenings
from center.programmes.web.common import Form, field_errors, form_values, labels
from center.web.redirects import redirect
from center.web.templating import flash

VARY = {"Vary": "HX-Request"}


def _helpers() -> dict:
    return {
        **labels(),
        "levels": [(code, gettext(label)) for code, label in screenings.LEVELS],
        "level_label": lambda code: gettext(dict(screenings.LEVELS).get(code, code)),
        "weekday_options": [(str(i), weekday_name(i)) for i in range(7)],
    }


def _conflict_text(conflicts) -> str:
    return ", ".join(
        f"{c.label or c.kind} {format_time(c.starts_at)}–{format_time(c.ends_at)}" for c in conflicts
    )


async def _manage_context(values: dict | None = None, errors: dict | None = None, message: str = "") -> dict:
    start = today()
    return {
        "rows": await screenings.screenings_between(start, start + timedelta(days=27)),
        "videos": await screenings.videos(),
        "all_videos": await screenings.videos(active_only=False),
        "rooms": await screenings.rooms(),
        "figures": await screenings.monthly_figures(),
        "values": values or {},
        "errors": errors or {},
        "message": message,
        **_helpers(),
    }


async def _rule_page(values: dict, errors: dict, occurrences=None, status: int = 200) -> Template:
    return Template(
        "programmes/rule_form.html",
        context={
            "values": values,
            "weekdays_chosen": values.get("weekdays_list", []),
            "errors": errors,
            "occurrences": occurrences,
            "videos": await screenings.videos(),
            "rooms": await screenings.rooms(),
            "conflict_text": _conflict_text,
            **_helpers(),
        },
        status_code=status,
    )


def _rule_values(data) -> dict:
    values = {name: forms.text(data, name) for name in ("video", "room", "times", "starts_on", "ends_on")}
    values["weekdays_list"] = forms.values(data, "weekdays")
    return values


async def _detail_page(
    screening_id: FromPath[int], values: dict, errors: dict, message: str = "", status: int = 200
) -> Template:
    screening = await screenings.get_screening(screening_id)
    return Template(
        "programmes/screening.html",
        context={
            "s": screening,
            "rooms": await screenings.rooms(),
            "values": values,
            "errors": errors,
            "message": message,
            **_helpers(),
        },
        status_code=status,
    )


def _move_defaults(s: dict) -> dict:
    from center.lib.dates import to_local

    local = to_local(s["starts_at"])
    return {
        "room": str(s["room"]),
        "day": local.date().isoformat(),
        "at": f"{local.hour:02d}:{local.minute:02d}",
        "attendance": "" if s["attendance"] is None else str(s["attendance"]),
    }


class ScreeningScheduleController(Controller):
    """The next two weeks of screenings, for everyone."""

    path = "/exercise-videos"
    opt = PUBLIC

    @get("/", name="programmes:screenings")
    async def public_schedule(self, request: Request) -> Template:
        """The next two weeks of screenings; anyone may drop in."""
        start = today()
        rows = await screenings.screenings_between(start, start + timedelta(days=13))
        return Template("programmes/screenings.html", context={"rows": rows, **_helpers()})


class HomePanelController(Controller):
    """Today's programmes for the home page, for everyone."""

    path = "/programmes/today"
    opt = PUBLIC

    @get("/", name="programmes:home_panel")
    async def home_panel(self, request: Request) -> Template:
        """Today's screenings and the next flower-bed day, for the home page."""
        return Template(
            "programmes/_home_panel.html",
            context={
                "today_screenings": await screenings.screenings_on_day(),
                "next_day": await flowerbeds.next_day(),
                **_helpers(),
            },
        )


class ScreeningController(Controller):
    """Screenings for the front desk: schedule, rules, single screenings."""

    path = "/manage/screenings"
    guards = (requires_front_desk,)

    @get("/", name="programmes:manage_screenings")
    async def manage(self, request: Request) -> Template:
        return Template("programmes/manage_screenings.html", context=await _manage_context())

    @post("/", name="programmes:screening_add")
    async def screening_add(self, request: Request, data: Form) -> Template | Redirect:
        """Add one screening outside any rule."""
        prefixed = {k.removeprefix("single_"): v for k, v in data.items()}
        try:
            video, room, day, at = await screenings.parse_single(prefixed)
            screening_id = await screenings.add_single(video, room, day, at, request.user)
        except ValidationFailed as exc:
            errors = {f"single_{k}": v for k, v in field_errors(exc).items()}
            return Template(
                "programmes/manage_screenings.html",
                context=await _manage_context(form_values(data), errors),
                status_code=400,
            )
        except HoldConflict as exc:
            message = gettext(
                "The room is already in use at that time: %(what)s", what=_conflict_text(exc.conflicts)
            )
            return Template(
                "programmes/manage_screenings.html",
                context=await _manage_context(form_values(data), {}, message),
                status_code=409,
            )
        flash(request, N_("The screening is scheduled."))
        return redirect(request, "programmes:screening_detail", screening_id=screening_id)

    @get("/rule", name="programmes:rule_form")
    async def rule_form(self, request: Request) -> Template:
        """The rule form; with `preview=1` it lists every date and its status (a GET that writes nothing)."""
        query = request.query_params
        values = _rule_values(query)
        if not query.get("preview"):
            start = today()
            values.update(
                times="10:00, 14:00",
                starts_on=start.isoformat(),
                ends_on=(start + timedelta(days=90)).isoformat(),
            )
            values["weekdays_list"] = ["0", "2", "4"]
            return await _rule_page(values, {})
        try:
            rule = await screenings.parse_rule(query)
            occurrences = await screenings.expand(rule)
        except ValidationFailed as exc:
            return await _rule_page(values, field_errors(exc), status=400)
        return await _rule_page(values, {}, occurrences)

    @post("/rule", name="programmes:rule_create")
    async def rule_create(self, request: Request, data: Form) -> Template | Redirect:
        """Save the rule and schedule its free dates (the preview showed what would be skipped)."""
        values = _rule_values(data)
        try:
            rule = await screenings.parse_rule(data)
            await screenings.create_rule(rule, request.user)
        except ValidationFailed as exc:
            return await _rule_page(values, field_errors(exc), status=400)
        flash(
            request,
            N_("The schedule is saved. Closed days, holidays and dates already in use were skipped."),
        )
        return redirect(request, "programmes:manage_screenings")

    @get("/{screening_id:int}", name="programmes:screening_detail")
    async def detail(self, request: Request, screening_id: FromPath[int]) -> Template:
        s = await screenings.get_screening(screening_id)
        return await _detail_page(screening_id, _move_defaults(s), {})

    @post("/{screening_id:int}/move", name="programmes:screening_move")
    async def screening_move(
        self, request: Request, screening_id: FromPath[int], data: Form
    ) -> Template | Redirect:
        s = await screenings.get_screening(screening_id)
        errors = forms.FieldErrors()
        room_id = forms.whole(data, "room", errors, N_("Choose a room."), low=1, high=10**9)
        day = forms.day(data, "day", errors, N_("Enter a date like 2026-12-01."))
        at = forms.clock(data, "at", errors, N_("Enter a time like 9:30."))
        values = {**_move_defaults(s), **form_values(data)}
        try:
            if errors:
                raise ValidationFailed(dict(errors))
            assert room_id and day and at
            await screenings.move(screening_id, room_id, day, at, request.user)
        except ValidationFailed as exc:
            return await _detail_page(screening_id, values, field_errors(exc), status=400)
        except HoldConflict as exc:
            message = gettext(
                "The room is already in use at that time: %(what)s", what=_conflict_text(exc.conflicts)
            )
            return await _detail_page(screening_id, values, {}, message, status=409)
        flash(request, N_("The screening is moved."))
        return redirect(request, "programmes:screening_detail", screening_id=screening_id)

    @post("/{screening_id:int}/cancel", name="programmes:screening_cancel")
    async def screening_cancel(
        self, request: Request, screening_id: FromPath[int], data: Form
    ) -> Template | Redirect:
        s = await screenings.get_screening(screening_id)
        try:
            await screenings.cancel(screening_id, request.user, forms.text(data, "reason", 200))
        except ValidationFailed as exc:
            return await _detail_page(screening_id, _move_defaults(s), field_errors(exc), status=400)
        flash(request, N_("The screening is cancelled and the room is free again."))
        return redirect(request, "programmes:screening_detail", screening_id=screening_id)

    @post("/{screening_id:int}/attendance", name="programmes:screening_attendance")
    async def screening_attendance(
        self, request: Request, screening_id: FromPath[int], data: Form
    ) -> Template | Redirect:
        s = await screenings.get_screening(screening_id)
        errors = forms.FieldErrors()
        count = forms.whole(
            data, "attendance", errors, N_("Enter the number of people, from 0 to 500."), low=0, high=500
        )
        try:
            if errors or count is None:
                raise ValidationFailed(dict(errors))
            await screenings.record_attendance(screening_id, count, request.user)
        except ValidationFailed as exc:
            return await _detail_page(
                screening_id, {**_move_defaults(s), **form_values(data)}, field_errors(exc), status=400
            )
        flash(request, N_("The number of people is saved."))
        return redirect(request, "programmes:screening_detail", screening_id=screening_id)


class VideoController(Controller):
    """The library of exercise videos (front desk)."""

    path = "/manage/videos"
    guards = (requires_front_desk,)

    @post("/", name="programmes:video_add")
    async def video_add(self, request: Request, data: Form) -> Template | Redirect:
        try:
            fields = screenings.parse_video(data)
        except ValidationFailed as exc:
            return Template(
                "programmes/manage_screenings.html",
                context=await _manage_context(form_values(data), field_errors(exc)),
                status_code=400,
            )
        await screenings.add_video(fields, request.user)
        flash(request, N_("The video is added to the library."))
        return redirect(request, "programmes:manage_screenings")

    @get("/{video_id:int}", name="programmes:video_form")
    async def video_form(self, request: Request, video_id: FromPath[int]) -> Template:
        """Edit a video's details, or retire it from new screenings."""
        video = await screenings.get_video(video_id)
        values = {
            key: str(video[key] or "") for key in ("title", "minutes", "level", "trains", "staff_notes")
        }
        return Template(
            "programmes/video_form.html",
            context={"video": video, "values": values, "errors": {}, **_helpers()},
        )

    @post("/{video_id:int}", name="programmes:video_update")
    async def video_update(
        self, request: Request, video_id: FromPath[int], data: Form
    ) -> Template | Redirect:
        video = await screenings.get_video(video_id)
        try:
            fields = screenings.parse_video(data)
        except ValidationFailed as exc:
            return Template(
                "programmes/video_form.html",
                context={
                    "video": video,
                    "values": form_values(data),
                    "errors": field_errors(exc),
                    **_helpers(),
                },
                status_code=400,
            )
        await screenings.update_video(video_id, fields, request.user)
        flash(request, N_("The video's details were saved."))
        return redirect(request, "programmes:manage_screenings")

    @post("/{video_id:int}/active", name="programmes:video_active")
    async def video_active(self, request: Request, video_id: FromPath[int], data: Form) -> Redirect:
        active = str(data.get("active", "")) == "on"
        await screenings.set_video_active(video_id, active, request.user)
        flash(
            request,
            N_("The video is back in the choices.")
            if active
            else N_("The video is retired from new screenings."),
        )
        return redirect(request, "programmes:manage_screenings")


ROUTES = [ScreeningScheduleController, HomePanelController, ScreeningController, VideoController]
