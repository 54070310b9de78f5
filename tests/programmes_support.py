"""Shared set-up for the programme tests: a calendar, a planned flower-bed day, signup fields."""

from __future__ import annotations

from datetime import date, time, timedelta

from center.lib.dates import today
from center.programmes import flowerbeds
from tests.helpers import make_calendar


async def planned_day(capacity: int = 10, days_ahead: int = 7, **extra) -> int:
    """A flower-bed day a week ahead (the calendar is created if missing)."""
    from center.places.tables import OpeningHours

    if not await OpeningHours.exists():
        await make_calendar()
    fields = {
        "title_ja": "春の花壇づくり",
        "title_en": "Spring planting",
        "day": today() + timedelta(days=days_ahead),
        "starts": time(9, 30),
        "ends": time(11, 30),
        "capacity": capacity,
        "rain_plan": "postpone",
        "rain_date": today() + timedelta(days=days_ahead + 7),
        "beds": "正面玄関前",
        "meeting_point": "1階ロビー",
        "bring": "軍手",
        "description": "",
        **extra,
    }
    return await flowerbeds.plan_day(fields)


def person(n: int, **extra) -> dict:
    return {
        "name": f"苫小牧 花子{n}",
        "phone": f"0144-00-{n:04d}",
        "email": f"person{n}@example.jp",
        "age_band": "65_74",
        "companions": 0,
        "volunteer_no": "",
        **extra,
    }


def a_date(offset: int) -> date:
    return today() + timedelta(days=offset)
