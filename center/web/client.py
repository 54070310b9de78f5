"""The address of the person at the other end of a request, for rate limits and audit."""

from __future__ import annotations

from typing import Any


def client_address(request: Any) -> str:
    """The client's IP address as the server sees it ("" when unknown)."""
    return request.client.host if request.client else ""
