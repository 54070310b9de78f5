"""The jobs the center runs by the clock, registered by the shell (it may import every domain)."""

from __future__ import annotations

from datetime import datetime, timedelta

from center.lib.scheduler.service import register
from center.lib.scheduler.timing import parse_time_of_day
from center.lib.settings import get_settings


async def _lapse_requests(now: datetime) -> dict:
    from bookings.service import lapse_due

    return {"lapsed": len(await lapse_due(now))}


async def _deliver_mail(now: datetime) -> dict:
    from center.notices.delivery import deliver_due

    return await deliver_due(now)


async def _purge_sessions(now: datetime) -> dict:
    from center.accounts.sessions import purge_expired

    return {"purged": await purge_expired()}


async def _lottery_open(now: datetime) -> dict:
    from bookings.lottery import open_due

    return {"opened": len(await open_due(now))}


async def _lottery_draw(now: datetime) -> dict:
    from bookings.lottery import draw_due

    return {"drawn": len(await draw_due(now))}


async def _lottery_forfeit(now: datetime) -> dict:
    from bookings.lottery import forfeit_due

    return await forfeit_due(now)


async def _open_inspections(now: datetime) -> dict:
    from maintenance.inspections import open_due

    return {"opened": len(await open_due())}


async def _backup(now: datetime) -> dict:
    import anyio.to_thread

    from center.shell.backup.daily import run_daily_backup

    return await anyio.to_thread.run_sync(run_daily_backup)


async def _mark_no_shows(now: datetime) -> dict:
    from bookings.desk_checkin import mark_no_shows_due

    return {"marked": len(await mark_no_shows_due(now))}


def register_jobs() -> None:
    register("bookings.lapse_requests", timedelta(minutes=5), _lapse_requests)
    register("bookings.lottery_open", timedelta(hours=1), _lottery_open)
    register("bookings.lottery_draw", timedelta(minutes=15), _lottery_draw)
    register("bookings.lottery_forfeit", timedelta(minutes=15), _lottery_forfeit)
    register("bookings.mark_no_shows", timedelta(minutes=15), _mark_no_shows)
    register("notices.deliver_mail", timedelta(minutes=1), _deliver_mail)
    register("sessions.purge_expired", timedelta(hours=6), _purge_sessions)
    register("maintenance.open_inspections", timedelta(hours=1), _open_inspections)
    # Daily at CENTER_BACKUP_AT (Tokyo); a dump may take a while, so its lease is long.
    at = parse_time_of_day(get_settings().backup_at)
    register("center.shell.backup", timedelta(days=1), _backup, lease=timedelta(hours=2), offset=at)
