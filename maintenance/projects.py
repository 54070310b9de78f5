"""Renovation projects (改修): budget, spend (actual costs of their tickets, or estimates where no
actual cost is known yet) and progress (share of their tickets done). Barrier-free projects
marked public appear on the public page of improvements done and planned."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from center.accounts import audit
from center.accounts.actors import Actor
from center.lib.db import write_transaction
from center.lib.errors import NotFound, ValidationFailed
from center.lib.i18n import N_
from center.places import forms
from maintenance.tables import Project, Ticket
from maintenance.ticket_fields import parse_title

PROJECT_STATUSES = {
    "planned": N_("Not started yet"),
    "in_progress": N_("In progress"),
    "done": N_("Completed"),
}


async def parse_project(data: Mapping[str, Any]) -> dict[str, Any]:
    errors = forms.FieldErrors()
    title = parse_title(data, errors, "title_ja")
    status = forms.text(data, "status") or "planned"
    if status not in PROJECT_STATUSES:
        errors.add("status", N_("Choose a status."))
    budget = forms.whole(
        data,
        "budget",
        errors,
        N_("Enter an amount in yen (0 or more, digits only)."),
        low=0,
        high=999_999_999,
        required=False,
        default=0,
    )
    planned_on = completed_on = None
    if forms.text(data, "planned_on"):
        planned_on = forms.day(data, "planned_on", errors, N_("Enter a date as YYYY-MM-DD."))
    if forms.text(data, "completed_on"):
        completed_on = forms.day(data, "completed_on", errors, N_("Enter a date as YYYY-MM-DD."))
    if errors:
        raise ValidationFailed(dict(errors))
    return {
        "title_ja": title,
        "title_en": forms.text(data, "title_en", 200),
        "summary_ja": forms.text(data, "summary_ja", 2000),
        "summary_en": forms.text(data, "summary_en", 2000),
        "status": status,
        "budget": budget,
        "planned_on": planned_on,
        "completed_on": completed_on,
        "barrier_free": forms.checked(data, "barrier_free"),
        "public": forms.checked(data, "public"),
    }


async def create_project(fields: dict[str, Any], actor: Actor) -> int:
    now = datetime.now(UTC)
    async with write_transaction():
        rows = await Project.insert(Project(**fields, created_at=now, updated_at=now)).returning(
            *Project.all_columns()
        )
        await audit.record("create", "maintenance_project", rows[0]["id"], actor=actor, after=rows[0])
    return rows[0]["id"]


async def update_project(project_id: int, fields: dict[str, Any], actor: Actor) -> None:
    async with write_transaction():
        before = await get_project(project_id)
        await Project.update(
            {**{getattr(Project, k): v for k, v in fields.items()}, Project.updated_at: datetime.now(UTC)}
        ).where(Project.id == project_id)
        after = await Project.select().where(Project.id == project_id).first()
        await audit.record(
            "update", "maintenance_project", project_id, actor=actor, before=before, after=after
        )


async def get_project(project_id: int) -> dict:
    row = await Project.select().where(Project.id == project_id).first()
    if row is None:
        raise NotFound(N_("That project does not exist."))
    return row


def _progress(project: dict, tickets: list[dict]) -> dict:
    done = sum(1 for t in tickets if t["status"] == "done")
    counted = [t for t in tickets if t["status"] != "rejected"]
    spend = sum(
        (t["actual_cost"] if t["actual_cost"] is not None else t["estimated_cost"] or 0) for t in counted
    )
    percent = 100 if project["status"] == "done" else (done * 100 // len(counted) if counted else 0)
    return {
        **project,
        "tickets": tickets,
        "done": done,
        "total": len(counted),
        "spend": spend,
        "percent": percent,
    }


async def projects_with_progress(*, public_only: bool = False) -> list[dict]:
    query = Project.select()
    if public_only:
        query = query.where((Project.public == True) & (Project.barrier_free == True))
    projects = await query.order_by(Project.id)
    tickets = await Ticket.select(
        Ticket.id, Ticket.title, Ticket.status, Ticket.project, Ticket.actual_cost, Ticket.estimated_cost
    ).where(Ticket.project.is_not_null())
    by_project: dict[int, list[dict]] = {}
    for ticket in tickets:
        by_project.setdefault(ticket["project"], []).append(ticket)
    return [_progress(project, by_project.get(project["id"], [])) for project in projects]


async def project_with_progress(project_id: int) -> dict:
    project = await get_project(project_id)
    tickets = (
        await Ticket.select(
            Ticket.id,
            Ticket.title,
            Ticket.status,
            Ticket.project,
            Ticket.actual_cost,
            Ticket.estimated_cost,
            Ticket.due_on,
        )
        .where(Ticket.project == project_id)
        .order_by(Ticket.id)
    )
    return _progress(project, tickets)
