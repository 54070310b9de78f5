"""Helpers the maintenance pages share: form bodies, labels for templates, redirects."""

from __future__ import annotations

from typing import Annotated, Any

from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import File

from center.lib.errors import ValidationFailed
from center.lib.i18n import N_, gettext
from center.places.display import display_helpers
from center.web.forms import Form  # noqa: F401  (the web modules import it from here)
from center.web.redirects import redirect  # noqa: F401  (the web modules import it from here)
from center.web.uploads import inline_file
from maintenance import photos
from maintenance.projects import PROJECT_STATUSES
from maintenance.reports import PUBLIC_STATES
from maintenance.workflow import CATEGORIES, FEATURES, PRIORITIES, STATUSES, is_overdue, move_label

Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


FIELD_LABELS = {
    "title": N_("Title"),
    "description": N_("Description"),
    "category": N_("Category"),
    "priority": N_("Priority"),
    "location": N_("Location"),
    "due_on": N_("Due date"),
    "assignee": N_("Assigned to"),
    "accessibility_feature": N_("Barrier-free feature out of order"),
    "project": N_("Renovation project"),
    "estimated_cost": N_("Estimated cost"),
    "actual_cost": N_("Actual cost"),
    "contractor": N_("Contractor"),
    "contractor_contact": N_("Contractor's contact"),
    "access_times": N_("Access times for the work"),
}


def labels() -> dict[str, Any]:
    """Translated labels and small helpers every maintenance template uses."""
    return {
        "categories": {key: gettext(value) for key, value in CATEGORIES.items()},
        "priorities": {key: gettext(value) for key, value in PRIORITIES.items()},
        "statuses": {key: gettext(value) for key, value in STATUSES.items()},
        "features": {key: gettext(value) for key, value in FEATURES.items()},
        "project_statuses": {key: gettext(value) for key, value in PROJECT_STATUSES.items()},
        "public_states": {key: gettext(value) for key, value in PUBLIC_STATES.items()},
        "move_label": lambda current, target: gettext(move_label(current, target)),
        "is_overdue": is_overdue,
        "field_labels": {key: gettext(value) for key, value in FIELD_LABELS.items()},
        **display_helpers(),
    }


def photo_file(row: dict | None, size: str, headers: dict[str, str] | None = None) -> File:
    """A stored photo ("full" or "thumb") shown inline and kept private (with `headers` added);
    404 for no such photo, size or file."""
    if row is None or size not in ("full", "thumb"):
        raise NotFoundException()
    path = photos.stored_path(row["filename"] if size == "full" else row["thumbnail"])
    return inline_file(path, "private, max-age=3600", headers)


async def upload_bytes(data: dict[str, Any], name: str = "photo", *, required: bool = True) -> bytes | None:
    """The uploaded file's bytes (read up to one byte past the limit, so oversize is detected)."""
    upload = data.get(name)
    if not isinstance(upload, UploadFile) or not upload.filename:
        if required:
            raise ValidationFailed({"photo": photos.checker.MSG_EMPTY})
        return None
    content = await upload.read(photos.MAX_BYTES + 1)
    if not content and not required:
        return None
    return content


def translated(invalid: ValidationFailed) -> tuple[dict[str, str], str]:
    return invalid.translated(), gettext(invalid.message)
