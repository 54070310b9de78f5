"""Who is asking: the client's address as the server sees it (for throttles and logs)."""

from __future__ import annotations

from litestar import Request


def client_address(request: Request) -> str:
    """The client's IP address, or "" when the server does not know it."""
    return request.client.host if request.client else ""
