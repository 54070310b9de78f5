"""The jobs the center runs by the clock, registered by the shell (it may import every domain)."""

from __future__ import annotations

from datetime import datetime, timedelta

from center.scheduler.service import register


async def _lapse_requests(now: datetime) -> dict:
    from bookings.service import lapse_due

    return {"lapsed": len(await lapse_due(now))}


async def _deliver_mail(now: datetime) -> dict:
    from center.notices.service import deliver_due

    return await deliver_due(now)


async def _purge_sessions(now: datetime) -> dict:
    from center.web.sessions import purge_expired

    return {"purged": await purge_expired()}


def register_jobs() -> None:
    register("bookings.lapse_requests", timedelta(minutes=5), _lapse_requests)
    register("notices.deliver_mail", timedelta(minutes=1), _deliver_mail)
    register("sessions.purge_expired", timedelta(hours=6), _purge_sessions)
