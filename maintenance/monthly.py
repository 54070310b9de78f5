"""The counts of tickets over a period (a Tokyo calendar month, or a fiscal year): the one query
behind the monthly maintenance PDF (dashboard.month_figures) and the council's maintenance report
(center/shell/reports/maintenance_report.py).

- Opened: tickets created in the period.
- Closed: tickets resolved in the period (done or rejected); a ticket reopened and resolved again
  counts in the period of its latest resolution. (A ticket has a resolution instant only while it
  is done or rejected: tickets.move sets it on closing and clears it on reopening.)
- Overdue: tickets open at the end of the period whose due date had passed by then: created
  before the end, not resolved by the end, not rejected.
- Costs: the actual cost of tickets done in the period (without one, ¥0; rejected tickets cost
  nothing), by category. Two views of the same sums: `cost_by_category` holds every category
  found, one no longer in the list under its code (the council's report); `listed_costs` only the
  categories in the list today, in its order (the monthly PDF).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from center.lib import dates
from maintenance.tables import Project, Ticket
from maintenance.workflow import CATEGORIES, CLOSED_STATUSES


@dataclass
class TicketCounts:
    tickets: list[dict]  # every ticket created before the end, by id
    opened: list[dict]
    closed: list[dict]
    overdue: list[dict]
    cost_by_category: dict[str, int]  # every category found, the listed ones first

    @property
    def listed_costs(self) -> dict[str, int]:
        return {key: self.cost_by_category[key] for key in CATEGORIES}

    @property
    def cost_total(self) -> int:
        return sum(self.cost_by_category.values())

    @property
    def listed_cost_total(self) -> int:
        return sum(self.listed_costs.values())


async def ticket_counts(first: date, last: date) -> TicketCounts:
    """Opened, closed and overdue tickets and the costs of the days first..last (inclusive, Tokyo)."""
    start = dates.local_day_bounds(first)[0]
    end = dates.local_day_bounds(last)[1]
    rows = (
        await Ticket.select(
            Ticket.id,
            Ticket.title,
            Ticket.priority,
            Ticket.status,
            Ticket.due_on,
            Ticket.category,
            Ticket.created_at,
            Ticket.resolved_at,
            Ticket.actual_cost,
            Ticket.estimated_cost,
            Ticket.location.name_ja.as_alias("location_name_ja"),
            Ticket.location.name_en.as_alias("location_name_en"),
        )
        .where(Ticket.created_at < end)
        .order_by(Ticket.id)
    )
    opened = [row for row in rows if start <= row["created_at"]]
    closed = [
        row
        for row in rows
        if row["resolved_at"] is not None
        and start <= row["resolved_at"] < end
        and row["status"] in CLOSED_STATUSES
    ]
    overdue = [
        row
        for row in rows
        if row["due_on"]
        and row["due_on"] <= last
        and (row["resolved_at"] is None or row["resolved_at"] >= end)
        and row["status"] != "rejected"
    ]
    costs = {key: 0 for key in CATEGORIES}
    for row in rows:
        costs.setdefault(row["category"], 0)
    for row in closed:
        if row["status"] == "done":
            costs[row["category"]] += row["actual_cost"] or 0
    return TicketCounts(tickets=rows, opened=opened, closed=closed, overdue=overdue, cost_by_category=costs)


async def barrier_free_projects_completed(first: date, last: date) -> list[dict]:
    """Renovation projects marked barrier-free and completed on the days first..last, by date."""
    return (
        await Project.select()
        .where(
            (Project.barrier_free == True)
            & (Project.status == "done")
            & (Project.completed_on >= first)
            & (Project.completed_on <= last)
        )
        .order_by(Project.completed_on)
    )
