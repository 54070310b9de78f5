"""The one place where the domains plug into the ports of the layers below them.

Lower layers never import upward: a core package that needs something only a domain knows (which
rooms have an elevator out of order, say) declares a port (a small registry of providers) and the
shell registers each domain's provider here. `wire()` is called once by every entry point (the app,
the CLI, the tests) and is idempotent."""

from __future__ import annotations


def wire() -> None:
    """Register every domain's providers and the scheduled jobs."""
    from bookings.desk_checkin import group_no_shows
    from bookings.hold_owner import BookingHolds
    from center.accounts.group_record import register_no_shows
    from center.accounts.roles import role_label
    from center.ledger.owners import register_owner
    from center.places.equipment import decode_codes, equipment_text
    from center.places.repairs import RepairDesk, register_repair_desk
    from center.places.warnings import register_provider
    from center.programmes.hold_owner import ScreeningHolds
    from center.shell.jobs import register_jobs
    from center.web.templating import register_globals
    from maintenance.accessibility import outages_for_rooms
    from maintenance.tickets import open_repair_ticket, ticket_exists

    register_jobs()
    register_provider(outages_for_rooms)
    register_no_shows(group_no_shows)
    # Template helpers from the core, for every page and printout.
    register_globals(
        role_label=role_label,
        equipment_codes=decode_codes,  # a booking's or room's equipment, JSON or list
        equipment_text=equipment_text,
    )
    register_repair_desk(RepairDesk(open_ticket=open_repair_ticket, ticket_exists=ticket_exists))
    register_owner(BookingHolds())
    register_owner(ScreeningHolds())
