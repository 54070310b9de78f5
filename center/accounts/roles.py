from center.lib.i18n import N_

"""Roles. Staff roles are stored per user; the member role comes from belonging to an approved
group."""

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
