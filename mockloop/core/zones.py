"""Local times as users type them, to and from UTC."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from mockloop.core.timeline import TOO_FAR, local_to_utc, too_far


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return name in available_timezones() or name == "UTC"


def parse_local(value: str, zone: str) -> datetime | None:
    try:
        wall = datetime.strptime(value.strip(), "%Y-%m-%dT%H:%M")
    except ValueError:
        return None
    try:
        return local_to_utc(wall, zone)
    except OverflowError:  # year 1 or 9999 shifted by the zone: far past or far ahead, which callers refuse
        return (datetime.min if wall.year < 5000 else datetime.max).replace(tzinfo=timezone.utc)


def check_future(moment: datetime, now: datetime, what: str) -> str | None:
    """The problem with a time that must lie ahead (within the booking horizon), or None."""
    if moment <= now:
        return f"{what} is in the past; pick a time from now on."
    if too_far(moment, now):
        return f"{what} {TOO_FAR}"
    return None


def to_local_input(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")
