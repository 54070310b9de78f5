"""The programmes report: flower-bed days (花壇づくり) and exercise-video screenings (簡単体操の
上映), for a month or a fiscal year.

Counting rules (shown on the report page too):

- Flower-bed days are counted by the day they took place (or were planned for) in the period:
  planned (every day not cancelled or held yet), held, cancelled. A postponed day counts on its
  new date.
- Participants: people who attended a day that was held, each signup with its companions
  (the programme's own rule, center.programmes.points.season_report); volunteers: distinct people
  (by name and contact) who attended; registered volunteers: distinct volunteer numbers.
- Hours: attended minutes × party size, summed; points: the volunteer points (介護支援いきいき
  ポイント) earned for days in the period.
- Screenings held: screenings not cancelled that started in the period and before the report was
  made; attendance: the people counted at them (screenings without a count are shown as such).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from center.lib.dates import to_local
from center.programmes import reporting as programme_reads
from center.programmes.flowerbeds import party_size
from center.shell.reports.periods import Period


@dataclass
class ProgrammeFigures:
    days_planned: int = 0
    days_held: int = 0
    days_cancelled: int = 0
    people: int = 0
    minutes: int = 0
    points: int = 0
    beds: int = 0
    screenings: int = 0
    screenings_cancelled: int = 0
    screenings_counted: int = 0
    attendance: int = 0

    @property
    def hours(self) -> float:
        return self.minutes / 60

    @property
    def average_attendance(self) -> float | None:
        return self.attendance / self.screenings_counted if self.screenings_counted else None


@dataclass
class ProgrammesReport:
    period: Period
    total: ProgrammeFigures
    months: list[tuple[Period, ProgrammeFigures]]
    volunteers: int
    registered: int
    point_earners: int
    days: list[dict]  # held days: day, title, people, minutes


async def programmes_report(period: Period, now: datetime | None = None) -> ProgrammesReport:
    """Flower-bed days, volunteers, hours and points; screenings and attendance."""
    now = now or datetime.now(UTC)
    months = {(m.year, m.month or 0): (m, ProgrammeFigures()) for m in period.months()}
    total = ProgrammeFigures()

    def both(year: int, month: int) -> tuple[ProgrammeFigures, ProgrammeFigures]:
        return total, months[(year, month)][1]

    days = await programme_reads.flowerbed_days(period.first, period.last)
    held = [day for day in days if day["status"] == "held"]
    attended = await programme_reads.attended_signups([day["id"] for day in held])
    held_rows = []
    for day in days:
        for figures in both(day["day"].year, day["day"].month):
            if day["status"] == "cancelled":
                figures.days_cancelled += 1
            elif day["status"] == "held":
                figures.days_held += 1
                figures.beds += day["beds_planted"] or 0
            else:
                figures.days_planned += 1
        if day["status"] != "held":
            continue
        people = [s for s in attended if s["day"] == day["id"]]
        row = {
            "day": day["day"],
            "title_ja": day["title_ja"],
            "title_en": day["title_en"],
            "people": sum(party_size(s) for s in people),
            "minutes": sum((s["minutes"] or 0) * party_size(s) for s in people),
        }
        held_rows.append(row)
        for figures in both(day["day"].year, day["day"].month):
            figures.people += row["people"]
            figures.minutes += row["minutes"]
    points = await programme_reads.points_entries(period.first, period.last)
    for entry in points:
        for figures in both(entry["day"].year, entry["day"].month):
            figures.points += entry["points"]
    screenings = await programme_reads.screenings_starting(period.start, period.end)
    for screening in screenings:
        local = to_local(screening["starts_at"])
        for figures in both(local.year, local.month):
            if screening["status"] == "cancelled":
                figures.screenings_cancelled += 1
            elif screening["starts_at"] < now:
                figures.screenings += 1
                if screening["attendance"] is not None:
                    figures.screenings_counted += 1
                    figures.attendance += screening["attendance"]
    return ProgrammesReport(
        period=period,
        total=total,
        months=list(months.values()),
        volunteers=len({s["contact_key"] for s in attended}),
        registered=len({s["volunteer_no"] for s in attended if s["volunteer_no"]}),
        point_earners=len({entry["volunteer_no"] for entry in points if entry["points"]}),
        days=held_rows,
    )
