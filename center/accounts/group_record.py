"""What other parts of the center record about a group, for the manager's group page: today the
front desk's no-shows. Accounts cannot import the bookings domain, so the domain registers its
provider here (center.shell.wiring) and the group page asks through `no_shows`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

NoShowsProvider = Callable[[int], Awaitable[list[dict]]]
_no_shows: list[NoShowsProvider] = []


def register_no_shows(provider: NoShowsProvider) -> None:
    """A provider: group id -> the group's recent no-shows (dicts with id, starts_at, room names),
    newest first."""
    if provider not in _no_shows:
        _no_shows.append(provider)


async def no_shows(group_id: int) -> list[dict]:
    """Every provider's no-shows for the group, newest first (none when nothing is registered)."""
    found = [row for provider in _no_shows for row in await provider(group_id)]
    return sorted(found, key=lambda row: row["starts_at"], reverse=True)
