"""The replay's timeline: a round's phases, pauses, extensions, runs, level changes, markers and
saves on one wall-clock axis, in milliseconds from the start (the axis the scrubber moves along).

Phases are planned in running time (core/timer.py: pauses stop the clock), so their bands are
placed by walking the round's running stretches; a pause shows as the gap between two stretches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mockloop.core import timer
from mockloop.core.revisions import Entry


@dataclass(frozen=True)
class Run:
    at: datetime
    kind: str  # core/work.py RUN_KINDS
    outcome: str
    level: int | None
    passed: int | None
    total: int | None


MARKER_LIMIT = 200  # characters: a marker is a note to self, the notes hold the rest
MARKERS_PER_ROUND = 500


@dataclass(frozen=True)
class Marker:
    at: datetime
    text: str


def stretches(events: Sequence[timer.Event], end: datetime) -> list[tuple[datetime, datetime]]:
    """The wall-clock spans the round's clock ran in: from the start or a resume to the next pause
    or the lock (or `end`, if it is still running)."""
    out, since = [], None
    for ev in events:
        if ev.kind in (timer.START, timer.RESUME) and since is None:
            since = ev.at
        elif ev.kind == timer.PAUSE or ev.kind in timer.LOCK_REASONS:
            if since is not None:
                out.append((since, min(ev.at, end)))
                since = None
            if ev.kind in timer.LOCK_REASONS:
                break
    if since is not None:
        out.append((since, max(since, end)))
    return out


def wall_time(runs: Sequence[tuple[datetime, datetime]], running_s: float) -> datetime | None:
    """When the clock reached `running_s` seconds of running time (the end of the last stretch if
    it never did; None without any stretch)."""
    if not runs:
        return None
    acc = 0.0
    for start, stop in runs:
        length = (stop - start).total_seconds()
        if running_s <= acc + length:
            return start + timedelta(seconds=running_s - acc)
        acc += length
    return runs[-1][1]


def _ms(at: datetime, origin: datetime) -> int:
    return round((at - origin).total_seconds() * 1000)


def timeline(
    plan: Sequence[tuple[str, float]],
    events: Sequence[timer.Event],
    end: datetime,
    runs: Sequence[Run] = (),
    markers: Sequence[Marker] = (),
    saves: Sequence[Entry] = (),
    levels: int = 0,
    recordings: Sequence[tuple[int, datetime]] = (),
) -> dict[str, Any]:
    """The replay's timeline as JSON-ready data. `end`: when the round locked (or now). Anything
    saved before the start is placed at 0, where the replay opens."""
    plan, events = list(plan), list(events)
    state = timer.round_state(plan, events, end)
    spans = stretches(events, state.locked_at or end)
    if not spans:
        return {
            "duration_ms": 0,
            "phases": [],
            "pauses": [],
            "extensions": [],
            "runs": [],
            "levels": [],
            "markers": [],
            "work": {},
        }
    origin, finish = spans[0][0], spans[-1][1]

    def at(moment: datetime) -> int:
        return max(0, _ms(moment, origin))

    phases = []
    for p in state.phases:
        start, stop = wall_time(spans, p.start_s), wall_time(spans, min(p.end_s, state.elapsed_s))
        if start is not None and stop is not None and p.start_s < state.elapsed_s:
            phases.append({"name": p.name, "from_ms": at(start), "to_ms": at(stop)})
    pauses = [{"from_ms": at(a[1]), "to_ms": at(b[0])} for a, b in zip(spans, spans[1:])]
    opened = []  # a level opens when the one before it passed all its hidden tests, or was left
    for r in runs:
        closed = r.kind == "move_on" or (r.kind == "submit" and r.total and r.passed == r.total)
        if closed and r.level is not None and r.level < levels:
            opened.append({"at_ms": at(r.at), "level": r.level + 1})
    work: dict[str, list[list[int]]] = {}
    for e in sorted(saves, key=lambda e: (e.kind, e.revision)):
        work.setdefault(e.kind, []).append([at(e.saved_at), e.revision])
    return {
        "duration_ms": _ms(finish, origin),
        "phases": phases,
        "pauses": pauses,
        "extensions": [
            {"at_ms": at(ev.at), "minutes": ev.minutes} for ev in events if ev.kind == timer.EXTEND and ev.at <= finish
        ],
        "runs": [
            {
                "at_ms": at(r.at),
                "kind": r.kind,
                "outcome": r.outcome,
                "level": r.level,
                "passed": r.passed,
                "total": r.total,
            }
            for r in runs
        ],
        "levels": opened,
        # clock_s: the round time the marker was dropped at, in whole seconds as the score form shows
        # it ([00:57] in the evidence); after a pause it is behind the marker's place on this axis.
        "markers": [
            {"at_ms": at(m.at), "clock_s": int(timer.elapsed_at(plan, events, m.at)), "text": m.text} for m in markers
        ],
        "work": work,
        "audio": [{"id": ident, "at_ms": at(started)} for ident, started in recordings],
    }
