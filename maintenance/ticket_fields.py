"""A ticket's form: the choices it offers (staff, locations, projects) and its fields read and
checked, every bad field named at once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from center.accounts.roles import FACILITIES, MANAGER
from center.accounts.tables import User, UserRole
from center.lib import dates
from center.lib.errors import ValidationFailed
from center.lib.i18n import N_
from center.places import forms
from maintenance.tables import Location, Project
from maintenance.workflow import CATEGORIES, FEATURES, PRIORITIES, due_for

MAX_TITLE = 200
MAX_TEXT = 4000
MAX_COST = 999_999_999


def parse_title(data: Mapping[str, Any], errors: forms.FieldErrors, name: str = "title") -> str:
    """A required title of at most 200 characters (tickets, inspections, projects)."""
    title = forms.text(data, name)
    if not title:
        errors.add(name, N_("Enter the title."))
    elif len(title) > MAX_TITLE:
        errors.add(name, N_("Use at most 200 characters."))
    return title


async def staff_choices() -> list[dict]:
    """People a ticket can be assigned to: active facilities staff and managers."""
    ids = [
        row["user"]
        for row in await UserRole.select(UserRole.user).where(UserRole.role.is_in([FACILITIES, MANAGER]))
    ]
    if not ids:
        return []
    return (
        await User.select(User.id, User.display_name)
        .where(User.id.is_in(ids) & (User.active == True))
        .order_by(User.display_name)
    )


async def location_choices(*, keep: Any = None, everything: bool = False) -> list[dict]:
    """Active locations for the forms; `keep` (a ticket's current place) stays even if inactive,
    and `everything` lists inactive ones too (the filters, where old tickets are searched)."""
    where = Location.active == True
    if everything:
        return await Location.select().order_by(Location.sort_order, Location.id)
    if isinstance(keep, int):
        where = where | (Location.id == keep)
    return await Location.select().where(where).order_by(Location.sort_order, Location.id)


async def project_choices() -> list[dict]:
    return await Project.select(Project.id, Project.title_ja, Project.title_en).order_by(Project.id)


async def parse_fields(
    data: Mapping[str, Any], *, opened: date | None = None, keep_location: int | None = None
) -> dict[str, Any]:
    """The ticket's fields from a form, or ValidationFailed naming every bad field. Only active
    locations may be chosen, except `keep_location` (the ticket's own, deactivated since)."""
    errors = forms.FieldErrors()
    title = parse_title(data, errors)
    description = forms.text(data, "description")
    if len(description) > MAX_TEXT:
        errors.add("description", N_("Use at most 4,000 characters."))
    category = forms.text(data, "category")
    if category not in CATEGORIES:
        errors.add("category", N_("Choose a category."))
    priority = forms.text(data, "priority") or "normal"
    if priority not in PRIORITIES:
        errors.add("priority", N_("Choose a priority."))
    location_id = forms.whole(data, "location", errors, N_("Choose a location."), low=1)
    if location_id is not None and not await Location.exists().where(
        (Location.id == location_id) & ((Location.active == True) | (Location.id == (keep_location or 0)))
    ):
        errors.add("location", N_("Choose a location."))
    due_on = None
    if forms.text(data, "due_on"):
        due_on = forms.day(data, "due_on", errors, N_("Enter a date as YYYY-MM-DD."))
    elif priority in PRIORITIES:
        due_on = due_for(priority, opened or dates.today())
    assignee = forms.whole(
        data, "assignee", errors, N_("Choose someone from the list."), low=1, required=False
    )
    if assignee is not None and assignee not in {row["id"] for row in await staff_choices()}:
        errors.add("assignee", N_("Choose someone from the list."))
    feature = forms.text(data, "accessibility_feature")
    if feature and feature not in FEATURES:
        errors.add("accessibility_feature", N_("Choose a feature from the list."))
    project = forms.whole(
        data, "project", errors, N_("Choose a project from the list."), low=1, required=False
    )
    if project is not None and not await Project.exists().where(Project.id == project):
        errors.add("project", N_("Choose a project from the list."))
    cost_msg = N_("Enter an amount in yen (0 or more, digits only).")
    estimated = forms.whole(data, "estimated_cost", errors, cost_msg, low=0, high=MAX_COST, required=False)
    actual = forms.whole(data, "actual_cost", errors, cost_msg, low=0, high=MAX_COST, required=False)
    texts = {}
    for name, limit in (("contractor", 200), ("contractor_contact", 200), ("access_times", 300)):
        texts[name] = forms.text(data, name)
        if len(texts[name]) > limit:
            errors.add(
                name, N_("Use at most 300 characters.") if limit == 300 else N_("Use at most 200 characters.")
            )
    if errors:
        raise ValidationFailed(dict(errors))
    return {
        "title": title,
        "description": description,
        "category": category,
        "priority": priority,
        "location": location_id,
        "due_on": due_on,
        "assignee": assignee,
        "accessibility_feature": feature,
        "project": project,
        "estimated_cost": estimated,
        "actual_cost": actual,
        **texts,
    }
