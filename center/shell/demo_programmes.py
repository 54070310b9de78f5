"""The demo's own programmes: exercise videos and their screening schedule, and the flower-bed
days, from demo_data/programmes.toml."""

from __future__ import annotations

import random
import tomllib
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from center.accounts.actors import ActorRef
from center.lib.dates import local_instant
from center.places.calendar import CalendarData, load_calendar
from center.shell.demo_data.schedule import SEED

# The demo loader names no one in the audit log (as it always has).
DEMO_LOADER = ActorRef()
PROGRAMMES_FILE = Path(__file__).resolve().parent / "demo_data" / "programmes.toml"


def _time(text: str) -> time:
    return time.fromisoformat(text)


# --- the center's own programmes ---


@cache
def programme_data() -> dict[str, Any]:
    """The demo's videos, screening schedule and flower-bed days (center/shell/demo_data/programmes.toml)."""
    with PROGRAMMES_FILE.open("rb") as handle:
        return tomllib.load(handle)


class DemoProgrammes:
    """The video library, a screening schedule in the hall (through the screenings domain, so it
    skips closed days, holidays and booked times and holds the room in the ledger), and flower-bed
    days with signups through the flower-bed domain: one held with attendance and points, one
    upcoming, one full with a waiting list. Skips whatever already exists."""

    def __init__(self, today: date, room_ids: dict[str, int]) -> None:
        self.today = today
        self.room_ids = room_ids
        self.data = programme_data()
        self.rng = random.Random(SEED + 1)

    async def run(self) -> str:
        videos = await self._videos()
        screenings = await self._screenings(videos)
        days = await self._flowerbed_days()
        return f"{len(videos)} videos, {screenings} screenings, {days} flower-bed days"

    async def _videos(self) -> dict[str, dict]:
        from center.programmes import screenings
        from center.programmes.tables import Video

        known = {row["title"] for row in await Video.select(Video.title)}
        for video in self.data["videos"]:
            if video["title"] not in known:
                await screenings.add_video(dict(video), actor=DEMO_LOADER)
        return {row["title"]: row for row in await Video.select()}

    async def _screenings(self, videos: dict[str, dict]) -> int:
        from center.programmes import screenings
        from center.programmes.tables import Screening, ScreeningRule

        if await ScreeningRule.exists():
            return 0
        created = 0
        for rule in self.data["screening_rules"]:
            room_id = self.room_ids.get(rule["room"])
            if room_id is None:
                continue
            _rule_id, count, _skipped = await screenings.create_rule(
                {
                    "video": videos[rule["video"]],
                    "room": {"id": room_id},
                    "weekdays": rule["weekdays"],
                    "times": [_time(text) for text in rule["times"]],
                    "starts_on": self.today - timedelta(weeks=rule["weeks_before"]),
                    "ends_on": self.today + timedelta(weeks=rule["weeks_after"]),
                },
                actor=DEMO_LOADER,
            )
            created += count
        # Past screenings have their head counts, for the monthly figures.
        now = datetime.now(UTC)
        past = await Screening.select(Screening.id).where(
            (Screening.starts_at < now) & (Screening.status == "scheduled")
        )
        for row in past:
            await Screening.update({Screening.attendance: self.rng.randint(6, 28)}).where(
                Screening.id == row["id"]
            )
        return created

    @staticmethod
    def _open_saturday(calendar: CalendarData, day: date) -> date:
        day += timedelta(days=(5 - day.weekday()) % 7)
        while not calendar.day(day).open:
            day += timedelta(days=7)
        return day

    async def _flowerbed_days(self) -> int:
        from center.programmes import flowerbeds, points
        from center.programmes.tables import FlowerbedDay

        if await FlowerbedDay.exists():
            return 0
        calendar = await load_calendar()
        for plan in self.data["flowerbed_days"]:
            day = self._open_saturday(calendar, self.today + timedelta(days=plan["offset"]))
            rain_date = None
            if plan["rain_plan"] == "postpone":
                rain_date = self._open_saturday(calendar, day + timedelta(days=plan["rain_days"]))
            day_id = await flowerbeds.plan_day(
                {
                    "title_ja": plan["title_ja"],
                    "title_en": plan["title_en"],
                    "day": day,
                    "starts": _time(plan["starts"]),
                    "ends": _time(plan["ends"]),
                    "capacity": plan["capacity"],
                    "rain_plan": plan["rain_plan"],
                    "rain_date": rain_date,
                    "beds": plan["beds"],
                    "meeting_point": plan["meeting_point"],
                    "bring": plan["bring"],
                    "description": plan["description"],
                }
            )
            # Signups arrive over the weeks before the day, in the order listed.
            signed_up = min(
                local_instant(day, _time(plan["starts"])) - timedelta(days=20),
                datetime.now(UTC) - timedelta(hours=7 * len(plan["signups"]) + 1),
            )
            marks: dict[int, tuple[bool, int]] = {}
            for index, person in enumerate(plan["signups"]):
                fields = {
                    key: person[key]
                    for key in ("name", "phone", "email", "age_band", "volunteer_no", "companions")
                }
                signup, _token = await flowerbeds.sign_up(
                    day_id, fields, now=signed_up + timedelta(hours=7 * index)
                )
                if "attended" in person:
                    marks[signup["id"]] = (person["attended"], round(person["hours"] * 60))
            if marks:
                await points.record_attendance(day_id, marks, plan.get("beds_planted"), actor=DEMO_LOADER)
        return len(self.data["flowerbed_days"])
