"""Renovation projects on the web: the list with the form to add one, and each project's page."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from center.accounts.guards import requires_facilities
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_
from center.web.templating import flash
from maintenance import projects
from maintenance.web.common import Form, labels, redirect


class ProjectController(Controller):
    """Renovation and barrier-free projects."""

    path = "/maintenance/projects"
    guards = (requires_facilities,)

    @get("/", name="maintenance:projects")
    async def project_list(self, request: Request) -> Template:
        return Template(
            "maintenance/projects.html",
            context={
                "projects": await projects.projects_with_progress(),
                "values": {"public": "on", "barrier_free": "on"},
                "errors": {},
                **labels(),
            },
        )

    @post("/", name="maintenance:project_create")
    async def project_create(self, request: Request, data: Form) -> Template | Redirect:
        try:
            fields = await projects.parse_project(data)
        except ValidationFailed as invalid:
            return Template(
                "maintenance/projects.html",
                context={
                    "projects": await projects.projects_with_progress(),
                    "values": dict(data),
                    "errors": invalid.translated(),
                    **labels(),
                },
                status_code=400,
            )
        project_id = await projects.create_project(fields, request.user)
        flash(request, N_("The project was added."))
        return redirect(request, "maintenance:project", project_id=project_id)

    @get("/{project_id:int}", name="maintenance:project")
    async def project_page(self, request: Request, project_id: FromPath[int]) -> Template:
        project = await projects.project_with_progress(project_id)
        values = {
            key: "" if project[key] is None else str(project[key])
            for key in (
                "title_ja",
                "title_en",
                "summary_ja",
                "summary_en",
                "status",
                "budget",
                "planned_on",
                "completed_on",
            )
        }
        values.update(
            public="on" if project["public"] else "", barrier_free="on" if project["barrier_free"] else ""
        )
        return Template(
            "maintenance/project.html",
            context={"project": project, "values": values, "errors": {}, **labels()},
        )

    @post("/{project_id:int}", name="maintenance:project_update")
    async def project_update(
        self, request: Request, project_id: FromPath[int], data: Form
    ) -> Template | Redirect:
        project = await projects.project_with_progress(project_id)
        try:
            fields = await projects.parse_project(data)
        except ValidationFailed as invalid:
            return Template(
                "maintenance/project.html",
                context={
                    "project": project,
                    "values": dict(data),
                    "errors": invalid.translated(),
                    **labels(),
                },
                status_code=400,
            )
        await projects.update_project(project_id, fields, request.user)
        flash(request, N_("The project was saved."))
        return redirect(request, "maintenance:project", project_id=project_id)


ROUTES = [ProjectController]
