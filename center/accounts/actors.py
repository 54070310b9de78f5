"""Who acts: the one shape every service takes for "who did this" (the audit log's actor).

A signed-in user is a `Principal` (center.accounts.service), which satisfies `Actor`. Anyone else
(a scheduled job, a visitor, a loader, a staff member known only by id, or a principal the caller
acts for as staff) is an `ActorRef`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Actor(Protocol):
    """Who acts. `staff` says whether the booking rules treat them as staff (front desk or
    manager): staff may override the request window, must give reasons, cancel any booking."""

    @property
    def id(self) -> int | None: ...

    @property
    def display_name(self) -> str: ...

    @property
    def staff(self) -> bool: ...


@dataclass(frozen=True)
class ActorRef:
    """An actor that is not a signed-in session: a job, a visitor, a loader, a reference."""

    id: int | None = None
    display_name: str = ""
    staff: bool = False


# A scheduled or automatic job (lottery draws, forfeits, tickets opened by the center itself).
SYSTEM = ActorRef(None, "system", staff=True)
# Someone not signed in (a report from the public, a visitor cancelling their own signup).
VISITOR = ActorRef(None, "")


def as_staff(actor: Actor) -> ActorRef:
    """The same person acting as staff (another domain moving or cancelling a hold)."""
    return ActorRef(actor.id, actor.display_name, staff=True)
