"""The audit log: every state change leaves who, when, what, before and after."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from center.accounts.actors import Actor
from center.accounts.tables import AuditEntry
from center.lib.prepared import PreparedInsert


def _plain(value: Any) -> Any:
    """Make a record JSON-safe (dates as ISO strings, decimals as strings)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if k not in {"password_hash", "data"}}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


# Every audit line goes through here (center.lib.prepared).
_INSERT_ENTRY = PreparedInsert(AuditEntry)


async def record(
    action: str,
    entity: str,
    entity_id: Any = "",
    *,
    actor: Actor | None = None,
    before: Any = None,
    after: Any = None,
    note: str = "",
) -> None:
    """Write one audit line. Call inside the transaction that makes the change. Without an
    actor the line names no one."""
    await _INSERT_ENTRY.run(
        {
            "at": datetime.now(UTC),
            "actor_id": actor.id if actor is not None else None,
            "actor_name": (actor.display_name if actor is not None else "") or "",
            "action": action,
            "entity": entity,
            "entity_id": str(entity_id),
            "before": _plain(before),
            "after": _plain(after),
            "note": note,
        }
    )
