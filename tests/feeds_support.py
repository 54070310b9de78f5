"""Shared set-up for the feed tests: a small center with bookings, a screening and a flower-bed
day, and the independent parser (Mozilla's ical.js, run by Node) every feed is checked with."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from datetime import date, time, timedelta
from pathlib import Path

from icalendar import Calendar

from bookings.fees import ensure_default_rules
from bookings.rules import BookingRequest
from bookings.service import approve, ensure_default_refund_rules, request_booking
from center.accounts.actors import ActorRef
from center.lib.dates import today
from center.places.tables import CenterProfile
from center.programmes import screenings
from center.programmes.tables import Video
from tests.conftest import need
from tests.helpers import make_calendar, make_group, make_room, make_user

JS_DIR = Path(__file__).resolve().parent / "js"
IN_CI = os.environ.get("CI", "").lower() == "true"
FEES = {"morning": (600, 200), "afternoon": (800, 250), "evening": (800, 250)}
MEMBER = ActorRef(None, "member")
STAFF = ActorRef(None, "desk", staff=True)
_READY: list[bool] = []


def _ensure_icaljs() -> None:
    """Install ical.js from the lock file once (`npm ci`) when it is missing. The xdist workers
    take a file lock for it: `npm ci` first empties node_modules, so a second worker installing at
    the same time pulled ical.js from under the first one's parser (seen on a fresh clone)."""
    if _READY:
        return
    node, npm = shutil.which("node"), shutil.which("npm")
    need(bool(node and npm), "the ical.js checks need node and npm on PATH")
    with (JS_DIR / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (JS_DIR / "node_modules" / "ical.js" / "package.json").exists():
            result = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=JS_DIR,
                capture_output=True,
                text=True,
                timeout=300,
            )
            need(result.returncode == 0, f"npm ci for ical.js failed: {result.stderr[-500:]}")
    _READY.append(True)


def icaljs(body: bytes) -> dict:
    """The feed as ical.js reads it (see tests/js/parse_ics.mjs); fails if ical.js refuses it."""
    _ensure_icaljs()
    result = subprocess.run(
        ["node", str(JS_DIR / "parse_ics.mjs")], input=body, capture_output=True, timeout=60
    )
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    return json.loads(result.stdout)


def parse(body: bytes) -> Calendar:
    """The feed as the icalendar package reads it."""
    return Calendar.from_ical(body)


def events_by_uid(body: bytes) -> dict[str, object]:
    return {str(event["UID"]): event for event in parse(body).walk("VEVENT")}


async def small_center() -> dict:
    """Two rooms, a member with a group, staff accounts, the center's address."""
    slots = await make_calendar()
    await CenterProfile.update({CenterProfile.address_ja: "北海道苫小牧市本町1-2-3"}, force=True)
    await ensure_default_rules()
    await ensure_default_refund_rules()
    room = await make_room(fees=FEES, slot_ids=slots)
    hall = await make_room(code="hall", name_ja="多目的ホール", name_en="Hall", fees=FEES, slot_ids=slots)
    member = await make_user("member1")
    other_member = await make_user("member2")
    group = await make_group("いきいきサロン", members=(member,))
    other_group = await make_group("水彩画同好会", members=(other_member,))
    desk = await make_user("desk1", ("front_desk",))
    facilities = await make_user("fac1", ("facilities",))
    return {
        "room": room,
        "hall": hall,
        "member": member,
        "other_member": other_member,
        "group": group,
        "other_group": other_group,
        "desk": desk,
        "facilities": facilities,
    }


def ask(room_id: int, days_ahead: int = 14, slots=("morning",), **fields) -> BookingRequest:
    return BookingRequest(
        room_id=room_id,
        day=today() + timedelta(days=days_ahead),
        slot_codes=list(slots),
        purpose=fields.pop("purpose", "健康体操教室"),
        expected_head_count=fields.pop("expected_head_count", 12),
        contact_name=fields.pop("contact_name", "連絡 花子"),
        contact_phone=fields.pop("contact_phone", "090-1111-2222"),
        **fields,
    )


async def booking(center: dict, *, approved: bool = True, group: str = "group", **fields) -> int:
    """A booking in the morning slot (09:00–12:00 Tokyo) two weeks ahead, approved by default."""
    booking_id = await request_booking(ask(center["room"], **fields), center[group], STAFF)
    if approved:
        await approve(booking_id, STAFF)
    return booking_id


async def screening(center: dict, days_ahead: int = 5, at: time = time(10)) -> int:
    video_id = await screenings.add_video(
        {
            "title": "いすに座って簡単体操",
            "minutes": 20,
            "level": "seated",
            "trains": "肩・腰",
            "staff_notes": "",
        },
        actor=ActorRef(),
    )
    video = await Video.select().where(Video.id == video_id).first()
    day: date = today() + timedelta(days=days_ahead)
    return await screenings.add_single(video, {"id": center["hall"]}, day, at, actor=ActorRef())
