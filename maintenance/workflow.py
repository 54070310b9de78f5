"""The words of maintenance work: categories, priorities with the due date each implies, the
ticket workflow and which moves it allows, and the barrier-free features a ticket can mark out of
order. Labels are English msgids translated where they are shown."""

from __future__ import annotations

from datetime import date, timedelta

from center.lib.i18n import N_

CATEGORIES = {
    "repair": N_("Repair"),
    "renovation": N_("Renovation"),
    "barrier_free": N_("Barrier-free / universal design"),
    "inspection": N_("Inspection"),
    "cleaning": N_("Cleaning"),
}

PRIORITIES = {
    "urgent": N_("Urgent"),
    "high": N_("High"),
    "normal": N_("Normal"),
    "low": N_("Low"),
}
# Days from opening to the due date, by priority.
DUE_DAYS = {"urgent": 1, "high": 3, "normal": 14, "low": 60}
PRIORITY_ORDER = {"urgent": 0, "high": 1, "normal": 2, "low": 3}

STATUSES = {
    "new": N_("New"),
    "triaged": N_("Triaged"),
    "scheduled": N_("Scheduled"),
    "in_progress": N_("In progress"),
    "on_hold": N_("On hold"),
    "done": N_("Done"),
    "rejected": N_("Rejected"),
}
OPEN_STATUSES = ("new", "triaged", "scheduled", "in_progress", "on_hold")
CLOSED_STATUSES = ("done", "rejected")

# status -> the statuses a ticket may move to from it
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("triaged", "rejected"),
    "triaged": ("scheduled", "in_progress", "on_hold", "rejected"),
    "scheduled": ("in_progress", "on_hold", "rejected"),
    "in_progress": ("on_hold", "done"),
    "on_hold": ("scheduled", "in_progress", "rejected"),
    "done": ("triaged",),  # reopen
    "rejected": ("triaged",),  # reopen
}

# The button that makes each move, by (from, to) when the words differ from the target status.
MOVE_LABELS = {
    "triaged": N_("Mark as triaged"),
    "scheduled": N_("Mark as scheduled"),
    "in_progress": N_("Start work"),
    "on_hold": N_("Put on hold"),
    "done": N_("Mark as done"),
    "rejected": N_("Reject"),
}
REOPEN_LABEL = N_("Reopen")

FEATURES = {
    "elevator": N_("Elevator"),
    "accessible_toilet": N_("Accessible toilet"),
    "ramp": N_("Ramp"),
    "automatic_door": N_("Automatic door"),
}


def due_for(priority: str, opened: date) -> date:
    """The due date a priority implies for work opened on `opened`."""
    return opened + timedelta(days=DUE_DAYS.get(priority, DUE_DAYS["normal"]))


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, ())


def move_label(current: str, target: str) -> str:
    if current in CLOSED_STATUSES:
        return REOPEN_LABEL
    return MOVE_LABELS.get(target, STATUSES.get(target, target))


def is_overdue(ticket: dict, today: date) -> bool:
    return ticket["status"] in OPEN_STATUSES and ticket["due_on"] is not None and ticket["due_on"] < today
