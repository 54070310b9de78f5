"""The maintenance report (修繕・改修): tickets opened and closed by category, overdue work, costs
by category and barrier-free improvements completed, for a month or a fiscal year.

Counting rules (shown on the report page too):

- Opened: tickets created in the period (Tokyo time), by category.
- Closed: tickets resolved in the period (done or rejected), by category; a ticket reopened and
  resolved again counts in the period of its latest resolution.
- Overdue: tickets open at the end of the period whose due date had passed by then (created before
  the end, not resolved by the end, not rejected) — the same rule as the monthly maintenance PDF.
- Costs: the actual cost of tickets done in the period (by category); tickets without an actual
  cost count as ¥0, and rejected tickets cost nothing.
- Barrier-free improvements completed: renovation projects marked barrier-free and completed in
  the period, and barrier-free tickets done in the period.
"""

from __future__ import annotations

from dataclasses import dataclass

from center.lib.i18n import gettext, pick
from center.shell.reports.periods import Period
from maintenance.tables import Project, Ticket
from maintenance.workflow import CATEGORIES


@dataclass
class MaintenanceReport:
    period: Period
    categories: list[dict]  # category, label, opened, closed, done, overdue, cost
    opened: int
    closed: int
    overdue: int
    cost: int
    overdue_tickets: list[dict]
    projects: list[dict]  # barrier-free projects completed
    barrier_free_tickets: list[dict]  # barrier-free tickets done


async def maintenance_report(period: Period) -> MaintenanceReport:
    """Tickets and costs of the period, by category; barrier-free work completed."""
    rows = (
        await Ticket.select(
            Ticket.id,
            Ticket.title,
            Ticket.category,
            Ticket.status,
            Ticket.due_on,
            Ticket.created_at,
            Ticket.resolved_at,
            Ticket.actual_cost,
            Ticket.location.name_ja.as_alias("location_ja"),
            Ticket.location.name_en.as_alias("location_en"),
        )
        .where(Ticket.created_at < period.end)
        .order_by(Ticket.id)
    )
    start, end = period.start, period.end
    categories = {
        key: {"category": key, "label": gettext(label), "opened": 0, "closed": 0, "overdue": 0, "cost": 0}
        for key, label in CATEGORIES.items()
    }
    overdue_tickets, barrier_free = [], []
    for row in rows:
        row["location"] = pick(row["location_ja"], row["location_en"])
        item = categories.get(row["category"])
        if item is None:  # a category no longer in the list still counts, under its code
            item = categories[row["category"]] = {
                "category": row["category"],
                "label": row["category"],
                **dict.fromkeys(("opened", "closed", "overdue", "cost"), 0),
            }
        if start <= row["created_at"]:
            item["opened"] += 1
        resolved_in = row["resolved_at"] is not None and start <= row["resolved_at"] < end
        if resolved_in and row["status"] in ("done", "rejected"):
            item["closed"] += 1
            if row["status"] == "done":
                item["cost"] += row["actual_cost"] or 0
                if row["category"] == "barrier_free":
                    barrier_free.append(row)
        open_at_end = row["resolved_at"] is None or row["resolved_at"] >= end
        if row["due_on"] and row["due_on"] <= period.last and open_at_end and row["status"] != "rejected":
            item["overdue"] += 1
            overdue_tickets.append(row)
    projects = (
        await Project.select()
        .where(
            (Project.barrier_free == True)
            & (Project.status == "done")
            & (Project.completed_on >= period.first)
            & (Project.completed_on <= period.last)
        )
        .order_by(Project.completed_on)
    )
    for project in projects:
        project["title"] = pick(project["title_ja"], project["title_en"])
    found = list(categories.values())
    return MaintenanceReport(
        period=period,
        categories=found,
        opened=sum(item["opened"] for item in found),
        closed=sum(item["closed"] for item in found),
        overdue=sum(item["overdue"] for item in found),
        cost=sum(item["cost"] for item in found),
        overdue_tickets=overdue_tickets,
        projects=projects,
        barrier_free_tickets=barrier_free,
    )
