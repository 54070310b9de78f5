"""The one place where the domains plug into the ports of the layers below them.

Lower layers never import upward: a core package that needs something only a domain knows (which
rooms have an elevator out of order, say) declares a port (a small registry of providers) and the
shell registers each domain's provider here. `wire()` is called once by every entry point (the app,
the CLI, the tests) and is idempotent."""

from __future__ import annotations


def wire() -> None:
    """Register every domain's providers and the scheduled jobs."""
    from center.places.repairs import RepairDesk, register_repair_desk
    from center.places.warnings import register_provider
    from center.shell.jobs import register_jobs
    from maintenance.accessibility import outages_for_rooms
    from maintenance.tickets import open_repair_ticket, ticket_exists

    register_jobs()
    register_provider(outages_for_rooms)
    register_repair_desk(RepairDesk(open_ticket=open_repair_ticket, ticket_exists=ticket_exists))
