"""Loop timelines: when each round of a planned loop opens, given what has really happened.

All times are aware UTC and passed in. A round that starts late or runs over pushes every later
round that is not pinned to a time of its own (a take-home window, say); a pinned round keeps its
time unless the round before it is still going then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

MAX_BREAK = timedelta(days=1)
# Every date a user types is kept within these: nobody books practice further ahead, and far dates
# (year 9999) overflow as soon as a reminder or an end time is added to them.
MAX_AHEAD = timedelta(days=2 * 365 + 1)
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
TOO_FAR = "is more than two years ahead; pick a nearer time."


def too_far(moment: datetime, now: datetime) -> bool:
    return moment > now + MAX_AHEAD


@dataclass(frozen=True)
class Slot:
    minutes: float  # planned length
    pinned_at: datetime | None = None  # a fixed start (e.g. the take-home the evening before)
    started_at: datetime | None = None  # from the round's events
    ends_at: datetime | None = None  # locked: when; running or paused: the projected end (None if paused)
    locked: bool = False


@dataclass(frozen=True)
class Planned:
    opens_at: datetime
    ends_at: datetime
    pushed: timedelta  # how far reality moved this slot from the original plan


def original_plan(start: datetime, break_minutes: float, slots: list[Slot]) -> list[tuple[datetime, datetime]]:
    """The plan as made: each slot after the previous one's planned end plus the break."""
    out, cursor = [], start
    gap = timedelta(minutes=break_minutes)
    for slot in slots:
        opens = slot.pinned_at or cursor
        ends = opens + timedelta(minutes=slot.minutes)
        out.append((opens, ends))
        cursor = max(cursor, ends + gap) if slot.pinned_at else ends + gap
    return out


def timeline(start: datetime, break_minutes: float, slots: list[Slot], now: datetime) -> list[Planned]:
    """The plan as it stands at `now`: actual starts and ends where known, everything later pushed."""
    gap = timedelta(minutes=break_minutes)
    plan = original_plan(start, break_minutes, slots)
    out = []
    earliest = start  # nothing opens before the previous round is over (plus the break)
    for slot, (planned_open, _) in zip(slots, plan):
        if slot.started_at is not None:
            opens = slot.started_at
            ends = slot.ends_at or max(now, opens) + timedelta(minutes=slot.minutes)  # paused: unknown, at least
        else:
            opens = max(planned_open, earliest)
            # Open but not started yet: it cannot end before now plus its length.
            ends = max(opens, now) + timedelta(minutes=slot.minutes)
        out.append(Planned(opens, ends, opens - planned_open))
        earliest = ends + gap
    return out


def check_plan(start: datetime, break_minutes: float, slots: list[Slot], now: datetime) -> list[str]:
    """Problems with a new plan, in words for the form (empty when it is fine)."""
    problems = []
    if start <= now:
        problems.append("The start time is in the past; pick a time from now on.")
    far = [f"The start time {TOO_FAR}"] if too_far(start, now) else []
    far += [
        f"Round {i + 1}'s own start time {TOO_FAR}"
        for i, slot in enumerate(slots)
        if slot.pinned_at is not None and too_far(slot.pinned_at, now)
    ]
    if far:
        return problems + far  # the plan below would be computed from times out of range
    if not 0 <= break_minutes <= MAX_BREAK.total_seconds() / 60:
        problems.append("Breaks last from 0 minutes to one day.")
    plan = original_plan(start, break_minutes, slots)
    for i, (slot, (opens, ends)) in enumerate(zip(slots, plan)):
        if slot.pinned_at is not None and slot.pinned_at <= now:
            problems.append(f"Round {i + 1}'s own start time is in the past.")
        for j, (other_open, other_end) in enumerate(plan[:i]):
            if opens < other_end and other_open < ends:
                problems.append(f"Round {i + 1} overlaps round {j + 1}; move its start time or shorten the rounds.")
    return problems


def local_to_utc(wall: datetime, zone: str) -> datetime:
    """A wall-clock time typed in the user's zone to aware UTC (DST-correct for that date)."""
    return wall.replace(tzinfo=ZoneInfo(zone)).astimezone(ZoneInfo("UTC"))
