"""The maintenance report (修繕・改修): tickets opened and closed by category, overdue work, costs
by category and barrier-free improvements completed, for a month or a fiscal year.

Counting rules (shown on the report page too):

- Opened, closed, overdue and costs are counted by maintenance.monthly.ticket_counts, the same
  function (one query, one set of rules) as the monthly maintenance PDF, here by category:
- Opened: tickets created in the period (Tokyo time), by category.
- Closed: tickets resolved in the period (done or rejected), by category; a ticket reopened and
  resolved again counts in the period of its latest resolution.
- Overdue: tickets open at the end of the period whose due date had passed by then (created before
  the end, not resolved by the end, not rejected).
- Costs: the actual cost of tickets done in the period (by category); tickets without an actual
  cost count as ¥0, and rejected tickets cost nothing. A category no longer in the list still
  counts, under its code.
- Barrier-free improvements completed: renovation projects marked barrier-free and completed in
  the period, and barrier-free tickets done in the period.
"""

from __future__ import annotations

from dataclasses import dataclass

from center.lib.i18n import gettext, pick
from center.shell.reports.periods import Period
from maintenance.monthly import barrier_free_projects_completed, ticket_counts
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
    counts = await ticket_counts(period.first, period.last)
    categories = {
        key: {
            "category": key,
            "label": gettext(CATEGORIES[key]) if key in CATEGORIES else key,
            "opened": 0,
            "closed": 0,
            "overdue": 0,
            "cost": cost,
        }
        for key, cost in counts.cost_by_category.items()
    }
    for row in counts.tickets:
        row["location"] = pick(row["location_name_ja"], row["location_name_en"])
    for row in counts.opened:
        categories[row["category"]]["opened"] += 1
    for row in counts.closed:
        categories[row["category"]]["closed"] += 1
    for row in counts.overdue:
        categories[row["category"]]["overdue"] += 1
    barrier_free = [
        row for row in counts.closed if row["status"] == "done" and row["category"] == "barrier_free"
    ]
    projects = await barrier_free_projects_completed(period.first, period.last)
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
        overdue_tickets=counts.overdue,
        projects=projects,
        barrier_free_tickets=barrier_free,
    )
