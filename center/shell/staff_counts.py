"""The counts staff see on the home page, each a link to the list that shows exactly those rows:
requests pending, decisions due soon, approved bookings unpaid just before their use (front desk
and managers), and open urgent maintenance tickets (facilities and managers). It reads the
domains through their functions, as the home page already does for public events."""

from __future__ import annotations

from center.accounts.roles import FACILITIES, FRONT_DESK, MANAGER
from center.accounts.service import Principal


async def staff_counts(user: Principal | None) -> dict[str, int] | None:
    """None for visitors and members; otherwise the counts this user's roles may follow."""
    counts: dict[str, int] = {}
    if user is not None and user.has(FRONT_DESK, MANAGER):
        from bookings.urgent import staff_counts as booking_counts

        counts.update(await booking_counts())
    if user is not None and user.has(FACILITIES, MANAGER):
        from maintenance.dashboard import open_urgent_tickets

        counts["urgent_tickets"] = await open_urgent_tickets()
    return counts or None
