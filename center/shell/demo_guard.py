"""Where demo mode may run. The demo accounts share a password printed in the README, so demo mode
is only for trying the center on one's own machine: it is refused behind TLS (CENTER_HTTPS=1, a
deployment), on an address other than loopback, and on a database that holds real accounts (the
demo must never add published-password accounts beside them)."""

from __future__ import annotations

import ipaddress

from center.accounts.passwords import verify_password
from center.accounts.tables import User
from center.lib.settings import Settings

LOOPBACK_NAMES = frozenset({"localhost", "ip6-localhost"})
HOW_TO_LEAVE = (
    "Demo mode is only asked for by `center run --demo`, `center demo` or CENTER_DEMO=1; leave those out."
)


def is_loopback(host: str) -> bool:
    """127.0.0.1, ::1, localhost: only this machine can reach a server listening there."""
    host = host.strip().strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refusal(settings: Settings, host: str) -> str | None:
    """Why demo mode may not run with these settings on this address, or None if it may."""
    if settings.https:
        return (
            "Demo mode is refused with CENTER_HTTPS=1: the demo accounts share a published password "
            "and must never be served as a real center. " + HOW_TO_LEAVE
        )
    if not is_loopback(host):
        return (
            f"Demo mode is refused on {host}: the demo accounts share a published password, so the "
            "demo is served only on this machine (127.0.0.1, ::1 or localhost). " + HOW_TO_LEAVE
        )
    return None


async def real_accounts() -> list[str]:
    """User names of accounts that are not the demo's: any other name, or a demo name whose
    password is not the demo password (someone made it for real)."""
    from center.shell.demo import DEMO_PASSWORD, demo_accounts

    demo_names = {account.username for account in demo_accounts()}
    rows = await User.select(User.username, User.password_hash).order_by(User.username)
    return [
        row["username"]
        for row in rows
        if row["username"] not in demo_names or not verify_password(row["password_hash"], DEMO_PASSWORD)
    ]


def real_accounts_message(names: list[str]) -> str:
    shown = ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")
    return (
        f"Demo mode is refused: the database holds real accounts ({shown}). The demo accounts share a "
        "published password and are never added beside real ones. " + HOW_TO_LEAVE
    )
