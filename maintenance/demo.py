"""Demo maintenance data so the facilities pages show something real: open and finished tickets,
recurring inspections (one overdue), a public report waiting for triage, and two barrier-free
projects. Called by center.shell.demo inside its transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from center.accounts.actors import ActorRef
from maintenance.inspections import create_inspection
from maintenance.projects import create_project
from maintenance.tables import Location, Report, ReportEvent
from maintenance.tickets import create_ticket, transition, update_ticket


async def load_maintenance_demo(today: date, facilities_user: int | None) -> None:
    places = {row["code"]: row["id"] for row in await Location.select(Location.id, Location.code)}
    if not places:
        return
    staff = ActorRef(facilities_user, "施設管理")

    def place(code: str) -> int:
        return places.get(code) or next(iter(places.values()))

    toilet = await create_project(
        {
            "title_ja": "2階トイレをバリアフリートイレに改修",
            "title_en": "Turn the 2nd-floor toilet into an accessible toilet",
            "summary_ja": "車いす対応の個室、オストメイト設備、ベビーチェアを設けます。",
            "summary_en": "A wheelchair-accessible cubicle, an ostomate sink and a baby chair.",
            "status": "in_progress",
            "budget": 3_800_000,
            "planned_on": today + timedelta(days=60),
            "completed_on": None,
            "barrier_free": True,
            "public": True,
        },
        staff,
    )
    await create_project(
        {
            "title_ja": "正面玄関の自動ドア化",
            "title_en": "An automatic door at the main entrance",
            "summary_ja": "開き戸を引き戸の自動ドアに替えました。",
            "summary_en": "The hinged doors were replaced by automatic sliding doors.",
            "status": "done",
            "budget": 2_400_000,
            "planned_on": None,
            "completed_on": today - timedelta(days=120),
            "barrier_free": True,
            "public": True,
        },
        staff,
    )

    def fields(title: str, code: str, category: str, priority: str, due: date, **extra) -> dict:
        return {
            "title": title,
            "description": extra.pop("description", ""),
            "category": category,
            "priority": priority,
            "location": place(code),
            "due_on": due,
            "assignee": facilities_user,
            "accessibility_feature": "",
            "project": extra.pop("project", None),
            "estimated_cost": extra.pop("estimated_cost", None),
            "actual_cost": None,
            "contractor": extra.pop("contractor", ""),
            "contractor_contact": extra.pop("contractor_contact", ""),
            "access_times": extra.pop("access_times", ""),
        }

    await create_ticket(
        fields("2階トイレの個室の鍵が閉まらない", "toilets-2f", "repair", "high", today + timedelta(days=2)),
        staff,
        status="triaged",
    )
    await create_ticket(
        fields(
            "多目的ホールの天井照明がちらつく",
            "room-hall",
            "repair",
            "normal",
            today - timedelta(days=4),
            description="舞台側の2列目、3灯。",
        ),
        staff,
        status="scheduled",
    )
    await create_ticket(
        fields(
            "2階トイレ改修工事（設計）",
            "toilets-2f",
            "barrier_free",
            "normal",
            today + timedelta(days=30),
            project=toilet,
            estimated_cost=450_000,
            contractor="苫小牧設計事務所",
            contractor_contact="0144-00-1234",
            access_times="平日 9:00～17:00",
        ),
        staff,
        status="in_progress",
    )
    battery = await create_ticket(
        fields("AEDのバッテリー交換", "entrance", "inspection", "high", today - timedelta(days=20)), staff
    )
    for target in ("triaged", "in_progress"):
        await transition(battery, target, staff)
    await update_ticket(battery, {"actual_cost": 38_500}, staff)
    await transition(battery, "done", staff)

    # The elevator was out of service for a day two weeks ago; the groups were told, and it works
    # again (an accessibility impact that has ended: no open one, so room pages stay as usual).
    elevator = await create_ticket(
        {
            **fields(
                "エレベーターの停止(制御盤の故障)",
                "elevator",
                "repair",
                "urgent",
                today - timedelta(days=14),
                description="かご内の操作ボタンが反応しない。業者が制御盤の部品を交換。",
                contractor="北海道エレベーター保守",
                contractor_contact="0144-00-3456",
            ),
            "accessibility_feature": "elevator",
        },
        staff,
        status="in_progress",
    )
    await update_ticket(elevator, {"actual_cost": 96_800}, staff)
    await transition(elevator, "done", staff)

    # The elevator's monthly inspection was done about two and a half weeks ago; the next is due
    # in about twelve days.
    from maintenance.inspections import open_due
    from maintenance.tables import Inspection

    elevator_check = await create_inspection(
        {
            "title_ja": "エレベーター定期点検",
            "title_en": "Elevator inspection",
            "location": place("elevator"),
            "every": 1,
            "unit": "month",
            "next_due": today - timedelta(days=18),
            "season_from": None,
            "season_to": None,
            "lead_days": 7,
        },
        staff,
    )
    for done in await open_due(today - timedelta(days=20)):
        for target in ("in_progress", "done"):
            await transition(done, target, staff)
    await Inspection.update({Inspection.last_done: today - timedelta(days=18)}).where(
        Inspection.id == elevator_check
    )
    await create_inspection(
        {
            "title_ja": "AEDの点検",
            "title_en": "AED check",
            "location": place("entrance"),
            "every": 1,
            "unit": "week",
            "next_due": today - timedelta(days=2),
            "season_from": None,
            "season_to": None,
            "lead_days": 2,
        },
        staff,
    )
    await create_inspection(
        {
            "title_ja": "消防設備点検",
            "title_en": "Fire equipment inspection",
            "location": place("corridors"),
            "every": 6,
            "unit": "month",
            "next_due": today + timedelta(days=45),
            "season_from": None,
            "season_to": None,
            "lead_days": 14,
        },
        staff,
    )
    await create_inspection(
        {
            "title_ja": "花壇の散水設備の点検",
            "title_en": "Flower-bed watering check",
            "location": place("flower-beds"),
            "every": 2,
            "unit": "week",
            "next_due": date(today.year + (today.month > 5), 5, 1),
            "season_from": 5,
            "season_to": 9,
            "lead_days": 3,
        },
        staff,
    )
    await open_due(today)

    now = datetime.now(UTC)
    report = await Report.insert(
        Report(
            reference="R-7K2M-9QXA",
            location=place("stairs"),
            description="2階と3階の間の階段の手すりがぐらぐらしています。",
            contact_name="苫小牧 花子",
            contact_email="",
            contact_phone="0144-00-0000",
            status="received",
            created_at=now - timedelta(hours=5),
            updated_at=now - timedelta(hours=5),
        )
    ).returning(Report.id)
    await ReportEvent.insert(
        ReportEvent(report=report[0]["id"], at=now - timedelta(hours=5), state="received")
    )
