"""A group's states (awaiting review, approved, declined, suspended), the decisions that move
between them, and the fee reductions a group may have."""

from __future__ import annotations

from center.lib.i18n import N_

PENDING, APPROVED, DECLINED, SUSPENDED = "pending", "approved", "declined", "suspended"
STATUSES = (PENDING, APPROVED, DECLINED, SUSPENDED)
STATUS_LABELS = {
    PENDING: N_("Awaiting review"),
    APPROVED: N_("Approved"),
    DECLINED: N_("Declined"),
    SUSPENDED: N_("Suspended"),
}

REDUCTIONS = ("none", "welfare", "public_interest")
REDUCTION_LABELS = {
    "none": N_("No fee reduction"),
    "welfare": N_("Welfare group (fee reduction)"),
    "public_interest": N_("Public-interest group (fee reduction)"),
}

# decision -> (statuses it applies to, resulting status, reason required)
DECISIONS: dict[str, tuple[tuple[str, ...], str, bool]] = {
    "approve": ((PENDING, DECLINED), APPROVED, False),
    "decline": ((PENDING,), DECLINED, True),
    "suspend": ((APPROVED,), SUSPENDED, True),
    "reinstate": ((SUSPENDED,), APPROVED, True),
}
