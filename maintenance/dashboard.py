"""Figures for the dashboard and the monthly report: open tickets by priority, overdue, average
time to resolve, costs by category, opened and closed in a period, barrier-free progress."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from center.lib import dates
from maintenance.monthly import ticket_counts
from maintenance.projects import projects_with_progress
from maintenance.tables import Ticket
from maintenance.workflow import CATEGORIES, OPEN_STATUSES, PRIORITIES


def _cost(ticket: dict) -> int:
    return ticket["actual_cost"] if ticket["actual_cost"] is not None else 0


async def dashboard(today: date | None = None) -> dict:
    today = today or dates.today()
    rows = await Ticket.select(
        Ticket.id,
        Ticket.priority,
        Ticket.status,
        Ticket.due_on,
        Ticket.category,
        Ticket.created_at,
        Ticket.resolved_at,
        Ticket.actual_cost,
    )
    open_rows = [row for row in rows if row["status"] in OPEN_STATUSES]
    by_priority = {key: sum(1 for row in open_rows if row["priority"] == key) for key in PRIORITIES}
    overdue = sum(1 for row in open_rows if row["due_on"] and row["due_on"] < today)
    resolved = [row for row in rows if row["status"] == "done" and row["resolved_at"]]
    average_days = (
        round(
            sum((row["resolved_at"] - row["created_at"]).total_seconds() for row in resolved)
            / len(resolved)
            / 86400,
            1,
        )
        if resolved
        else None
    )
    fiscal_start = date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    start = dates.local_day_bounds(fiscal_start)[0]
    cost = {key: 0 for key in CATEGORIES}
    for row in rows:
        if row["resolved_at"] and row["resolved_at"] >= start and row["category"] in cost:
            cost[row["category"]] += _cost(row)
    return {
        "open": len(open_rows),
        "by_priority": by_priority,
        "overdue": overdue,
        "average_days": average_days,
        "cost_by_category": cost,
        "cost_total": sum(cost.values()),
        "fiscal_start": fiscal_start,
    }


async def month_figures(year: int, month: int) -> dict:
    """The monthly report's figures for the Tokyo calendar month (the counting rules are in
    maintenance/monthly.py, shared with the council's maintenance report)."""
    from center.lib.months import shift_month

    first = date(year, month, 1)
    next_year, next_month = shift_month(year, month, 1)
    counts = await ticket_counts(first, date(next_year, next_month, 1) - timedelta(days=1))
    return {
        "first": first,
        "opened": counts.opened,
        "closed": counts.closed,
        "overdue": counts.overdue,
        "costs": counts.listed_costs,
        "cost_total": counts.listed_cost_total,
        "projects": [project for project in await projects_with_progress() if project["barrier_free"]],
        "generated": datetime.now(dates.TOKYO),
    }


async def open_urgent_tickets() -> int:
    """Open tickets of the highest priority (the building's safety comes first): what the tickets
    list shows filtered by priority=urgent and status=open."""
    open_statuses = list(OPEN_STATUSES)
    return await Ticket.count().where((Ticket.priority == "urgent") & Ticket.status.is_in(open_statuses))
