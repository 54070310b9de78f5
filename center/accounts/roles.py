"""Roles. Staff roles are stored per user; the member role comes from belonging to an approved
group."""

from center.lib.i18n import N_, gettext

MEMBER = "member"
FRONT_DESK = "front_desk"
FACILITIES = "facilities"
MANAGER = "manager"

STAFF_ROLES = (FRONT_DESK, FACILITIES, MANAGER)
ALL_ROLES = (MEMBER, *STAFF_ROLES)

# English msgids; translated where shown.
ROLE_LABELS = {
    MEMBER: N_("Group member"),
    FRONT_DESK: N_("Front desk"),
    FACILITIES: N_("Facilities"),
    MANAGER: N_("Manager"),
}


def role_label(role: str) -> str:
    """A role's name in the current language (an unknown role reads as itself)."""
    return gettext(ROLE_LABELS.get(role, role))
