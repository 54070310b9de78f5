"""When a job is due: fixed due times on a grid (every interval from an anchor, in Tokyo time), so
every process computes the same due time for the same moment and can claim it by that key."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from center.lib.dates import TOKYO

# A Monday, midnight in Tokyo: daily jobs fall due at midnight (plus their offset), hourly ones on
# the hour, and so on.
ANCHOR = datetime(2000, 1, 3, tzinfo=TOKYO)

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def due_time(now: datetime, every: timedelta, offset: timedelta = timedelta(0)) -> datetime:
    """The latest due time at or before `now` (UTC): ANCHOR + offset + k * every."""
    anchor = (ANCHOR + offset).astimezone(UTC)  # absolute arithmetic from here on
    return anchor + ((now - anchor) // every) * every


def parse_duration(text: str) -> timedelta:
    """ "90s", "5m", "2h", "1d" (also "1.5s") to a timedelta; ValueError otherwise."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd])\s*", text)
    if not match:
        raise ValueError(f"not a duration (like 30s, 5m, 2h, 1d): {text!r}")
    value = timedelta(**{_UNITS[match.group(2)]: float(match.group(1))})
    if value <= timedelta(0):
        raise ValueError(f"a duration must be positive: {text!r}")
    return value


def parse_every(setting: str) -> dict[str, timedelta]:
    """CENTER_JOB_EVERY, "notices.deliver_mail=30s,*=5m", to {name or "*": interval}."""
    found: dict[str, timedelta] = {}
    for part in filter(None, (item.strip() for item in setting.split(","))):
        name, sep, duration = part.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"CENTER_JOB_EVERY: expected name=duration, got {part!r}")
        found[name.strip()] = parse_duration(duration)
    return found


def parse_time_of_day(text: str) -> timedelta:
    """ "03:00" to the offset from midnight; ValueError otherwise."""
    match = re.fullmatch(r"\s*([01]?\d|2[0-3]):([0-5]\d)\s*", text)
    if not match:
        raise ValueError(f"not a time of day (HH:MM): {text!r}")
    return timedelta(hours=int(match.group(1)), minutes=int(match.group(2)))
