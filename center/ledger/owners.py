"""Who owns a hold. A hold in the ledger has a kind and a ref (the id of the owning record in its
domain); the ledger cannot import the domains, so each domain registers here, from the app shell,
an owner for its kind that can describe its holds (who, what, when, whom to contact), cancel one,
move one, and suggest a later time. Other domains (maintenance closing a room) act on holds they
do not own only through these owners."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from center.accounts.actors import Actor
from center.ledger.service import HoldConflict
from center.lib.i18n import N_


@dataclass(frozen=True)
class Contact:
    """Whom staff call about a hold: a name, a phone number and an e-mail address (any may be "")."""

    name: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Held:
    """One hold as the domain that owns it describes it.

    `title` is what people call it (a booking's group, a screening's video); `purpose` what it is
    for; `slot_codes` the room's booking slots it uses (an empty set for a room booked by the hour)
    or None when it is not booked through the room's slots at all; `group_id` the group told of
    changes (None when nobody is); `link` where that group sees it; `active` whether it still
    holds the room (requested or approved, scheduled)."""

    kind: str
    ref: int
    room_id: int
    starts_at: datetime
    ends_at: datetime
    title: str
    purpose: str = ""
    head_count: int = 0
    slot_codes: frozenset[str] | None = None
    contact: Contact = field(default_factory=Contact)
    group_id: int | None = None
    link: str = ""
    active: bool = True


class MoveTaken(HoldConflict):
    """The room or time a hold was to move to was taken meanwhile."""

    message = N_("A room chosen for a move was just taken. Please choose again.")


class HoldOwner(Protocol):
    """What a domain offers for the holds of its kind. `cancel` and `move` join the caller's
    write transaction; `move` raises MoveTaken if the target is held, and ValidationFailed (or
    another DomainError) if the owner's rules refuse it."""

    kind: str
    # Whether a hold can move to a later time in its own room (else only to another room at the
    # same time): `later_time` suggests one.
    moves_in_time: bool

    async def describe(self, refs: list[int]) -> dict[int, Held]:
        """The holds' records by ref (missing refs are left out)."""
        ...

    async def cancel(self, ref: int, actor: Actor, reason: str) -> None:
        """Cancel the record and release its hold; `reason` is told to whoever is told."""
        ...

    async def move(self, ref: int, actor: Actor, room_id: int, starts_at: datetime, reason: str) -> None:
        """Move the record to the room and start, keeping its length."""
        ...

    async def later_time(self, ref: int, not_before: datetime) -> datetime | None:
        """A free start in the hold's own room no earlier than `not_before`, or None."""
        ...


_OWNERS: dict[str, HoldOwner] = {}


def register_owner(owner: HoldOwner) -> None:
    """Register the owner of a hold kind (the latest registration of a kind wins)."""
    _OWNERS[owner.kind] = owner


def owner_of(kind: str) -> HoldOwner | None:
    """The registered owner of a hold kind, or None (closures and programmes have none)."""
    return _OWNERS.get(kind)


async def describe(kind: str, refs: list[int]) -> dict[int, Held]:
    """The owner's description of these holds of a kind; {} when the kind has no owner."""
    owner = _OWNERS.get(kind)
    wanted = sorted({ref for ref in refs if ref is not None})
    if owner is None or not wanted:
        return {}
    return await owner.describe(wanted)
