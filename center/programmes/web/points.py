"""Attendance, volunteer points and the season report on the web (staff only), with the printable
attendance sheet, the volunteer's yearly points statement and the season report as PDFs."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from center.accounts.guards import requires_front_desk, requires_manager
from center.lib.dates import TOKYO, today, wareki
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_
from center.programmes import flowerbeds, points
from center.programmes.web.common import Form, field_errors, form_values, labels
from center.web.pdf import render_pdf
from center.web.redirects import redirect
from center.web.templating import flash


def _pdf(body: bytes, filename: str) -> Response:
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-store"},
    )


def _year(raw: str | None) -> int:
    if raw and raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return points.fiscal_year(today())


def _helpers() -> dict:
    return {**labels(), "hours_text": points.hours_text}


async def _attendance_page(day_id: int, values: dict | None, errors: dict, status: int = 200) -> Template:
    day = await flowerbeds.get_day(day_id)
    signups = [s for s in await flowerbeds.signups_of(day_id) if s["status"] == "confirmed"]
    if values is None:
        values = {}
        for s in signups:
            if s["attended"] or s["attended"] is None:
                values[f"attended-{s['id']}"] = "on" if s["attended"] else ""
            values[f"hours-{s['id']}"] = (
                f"{(s['minutes'] or 0) / 60:g}" if s["minutes"] else f"{_day_hours(day):g}"
            )
        values["beds_planted"] = "" if day["beds_planted"] is None else str(day["beds_planted"])
    return Template(
        "programmes/attendance.html",
        context={"day": day, "signups": signups, "values": values, "errors": errors, **_helpers()},
        status_code=status,
    )


def _day_hours(day: dict) -> float:
    start = day["starts"].hour * 60 + day["starts"].minute
    end = day["ends"].hour * 60 + day["ends"].minute
    return max(end - start, 0) / 60


class AttendanceController(Controller):
    """A flower-bed day's attendance and its printable sheet."""

    path = "/manage/flowerbeds/{day_id:int}"
    guards = (requires_front_desk,)

    @get("/attendance", name="programmes:attendance_form")
    async def attendance_form(self, request: Request, day_id: FromPath[int]) -> Template:
        """Tick who came and their hours (works on a phone)."""
        return await _attendance_page(day_id, None, {})

    @post("/attendance", name="programmes:attendance_save")
    async def attendance_save(
        self, request: Request, day_id: FromPath[int], data: Form
    ) -> Template | Redirect:
        await flowerbeds.get_day(day_id)
        signups = await flowerbeds.signups_of(day_id)
        try:
            marks, beds = points.parse_attendance(data, signups)
            await points.record_attendance(day_id, marks, beds, request.user)
        except ValidationFailed as exc:
            return await _attendance_page(day_id, form_values(data), field_errors(exc), status=400)
        flash(request, N_("Attendance is saved and volunteer points are updated."))
        return redirect(request, "programmes:day_manage", day_id=day_id)

    @get("/sheet.pdf", name="programmes:attendance_sheet")
    async def attendance_sheet(self, request: Request, day_id: FromPath[int]) -> Response:
        """The printed sheet to tick on the day when no phone is at hand."""
        day = await flowerbeds.get_day(day_id)
        signups = [s for s in await flowerbeds.signups_of(day_id) if s["status"] == "confirmed"]
        body = await render_pdf(
            "pdf/flowerbed_attendance.html", {"day": day, "signups": signups, "wareki": wareki, **_helpers()}
        )
        return _pdf(body, f"flowerbed-{day['day'].isoformat()}-attendance.pdf")


class SeasonReportController(Controller):
    """The season report of the flower-bed days, as a page and a PDF."""

    path = "/manage/flowerbeds"
    guards = (requires_front_desk,)

    @get("/report", name="programmes:season_report")
    async def season_report(self, request: Request, year: FromQuery[str | None] = None) -> Template:
        report = await points.season_report(_year(year))
        return Template("programmes/season.html", context={"report": report, **_helpers()})

    @get("/report.pdf", name="programmes:season_pdf")
    async def season_pdf(self, request: Request, year: FromQuery[str | None] = None) -> Response:
        report = await points.season_report(_year(year))
        body = await render_pdf(
            "pdf/flowerbed_season.html", {"report": report, "wareki": wareki, "issued": today(), **_helpers()}
        )
        return _pdf(body, f"flowerbed-season-{report['year']}.pdf")


class PointsController(Controller):
    """Volunteers' points and their yearly statements."""

    path = "/manage/points"
    guards = (requires_front_desk,)

    @get("/", name="programmes:points")
    async def points_page(self, request: Request, year: FromQuery[str | None] = None) -> Template:
        """Registered volunteers' points this fiscal year, and the rule (the manager edits it)."""
        fy = _year(year)
        return Template(
            "programmes/points.html",
            context={
                "year": fy,
                "volunteers": await points.volunteers(fy),
                "rule": await points.rule_on(today()),
                "history": await points.rule_history(),
                "values": {},
                "errors": {},
                "can_edit": request.user.has("manager"),
                "today": today(),
                **_helpers(),
            },
        )

    @get("/{volunteer_no:str}/{year:int}/statement.pdf", name="programmes:statement_pdf")
    async def statement_pdf(
        self, request: Request, volunteer_no: FromPath[str], year: FromPath[int]
    ) -> Response:
        """The volunteer's points statement for a fiscal year (PDF, era dates)."""
        data = await points.statement(volunteer_no, year)
        body = await render_pdf(
            "pdf/points_statement.html",
            {**data, "wareki": wareki, "issued": datetime.now(TOKYO).date(), **_helpers()},
        )
        return _pdf(body, f"points-{volunteer_no}-{year}.pdf")


class PointsRuleController(Controller):
    """The rule that turns attendance into points (managers only)."""

    path = "/manage/points/rule"
    guards = (requires_manager,)

    @post("/", name="programmes:points_rule")
    async def points_rule(self, request: Request, data: Form) -> Template | Redirect:
        try:
            values = points.parse_rule(data)
        except ValidationFailed as exc:
            fy = points.fiscal_year(today())
            return Template(
                "programmes/points.html",
                context={
                    "year": fy,
                    "volunteers": await points.volunteers(fy),
                    "rule": await points.rule_on(today()),
                    "history": await points.rule_history(),
                    "values": form_values(data),
                    "errors": field_errors(exc),
                    "can_edit": True,
                    "today": today(),
                    **_helpers(),
                },
                status_code=400,
            )
        await points.save_rule(values, request.user)
        flash(request, N_("The volunteer points rule is saved."))
        return redirect(request, "programmes:points")


ROUTES = [AttendanceController, SeasonReportController, PointsController, PointsRuleController]
