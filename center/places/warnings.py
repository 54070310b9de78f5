"""Warnings about a room's access that other parts of the system know about (e.g. maintenance
knows the elevator is out of service). The core cannot import the domains, so each domain
registers a provider here from the app shell; room pages, request forms and permits ask for_rooms."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

Provider = Callable[[list[int]], Awaitable[dict[int, list[str]]]]
_PROVIDERS: list[Provider] = []


def register_provider(provider: Provider) -> None:
    """Add a provider: an async function (room ids) -> {room id: [warning text]} (once each)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


async def for_rooms(room_ids: list[int]) -> dict[int, list[str]]:
    """Every provider's warnings for these rooms, merged; rooms without warnings are left out."""
    merged: dict[int, list[str]] = {}
    for provider in _PROVIDERS:
        for room_id, texts in (await provider(list(room_ids))).items():
            if texts:
                merged.setdefault(room_id, []).extend(texts)
    return merged
