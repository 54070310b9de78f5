"""The one place where the domains plug into the ports of the layers below them.

Lower layers never import upward: a core package that needs something only a domain knows (which
rooms have an elevator out of order, say) declares a port (a small registry of providers) and the
shell registers each domain's provider here. `wire()` is called once by every entry point (the app,
the CLI, the tests) and is idempotent."""

from __future__ import annotations


def wire() -> None:
    """Register every domain's providers and the scheduled jobs."""
    from bookings.hold_owner import BookingHolds
    from center.ledger.owners import register_owner
    from center.places.warnings import register_provider
    from center.programmes.hold_owner import ScreeningHolds
    from center.shell.jobs import register_jobs
    from maintenance.accessibility import outages_for_rooms

    register_jobs()
    register_provider(outages_for_rooms)
    register_owner(BookingHolds())
    register_owner(ScreeningHolds())
