"""htmx requests: when to answer with only the part of a page that htmx swaps in."""

from __future__ import annotations

from typing import Any

# A page that answers htmx with a fragment and browsers with the whole page varies on this header,
# so no cache hands one to the other.
VARY = {"Vary": "HX-Request"}


def wants_partial(request: Any) -> bool:
    """True for an htmx request that swaps a part of the page (not a boosted whole-page load)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted
