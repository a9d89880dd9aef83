"""Round timing: the state of a round is a pure function of its phase plan, its events and "now".

Time counts only while the round runs. Pauses stop it; an extension lengthens the phase that was
current when it was granted (pushing later phases back); end and expire stop it for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from mockloop.core.errors import Conflict, Invalid

START, PAUSE, RESUME, EXTEND, END, EXPIRE, CANCEL = "start", "pause", "resume", "extend", "end", "expire", "cancel"
KINDS = (START, PAUSE, RESUME, EXTEND, END, EXPIRE, CANCEL)
LOCK_REASONS = {END: "ended", EXPIRE: "time", CANCEL: "cancelled"}
PLANNED, RUNNING, PAUSED, LOCKED = "planned", "running", "paused", "locked"
EXTEND_MINUTES = 5


@dataclass(frozen=True)
class Event:
    kind: str
    at: datetime
    minutes: float = 0.0  # only for extend


# The two states are NamedTuples, immutable as frozen dataclasses are, because they are built anew for
# every answer of the state poll (one per phase): a NamedTuple is built in a third of the time.
class PhaseState(NamedTuple):
    name: str
    planned_s: float
    extended_s: float
    start_s: float  # offsets in running time from the start of the round
    end_s: float
    used_s: float  # running time spent in this phase so far
    ends_at: datetime | None  # wall-clock projection; None unless running


class RoundState(NamedTuple):
    status: str
    lock_reason: str | None
    total_s: float  # planned plus extensions
    elapsed_s: float
    remaining_s: float
    deadline: datetime | None  # when the round will lock; None unless running
    locked_at: datetime | None
    phase_index: int | None  # None before the start
    phases: tuple[PhaseState, ...]
    paused_s: float
    pauses: int
    extensions: int

    @property
    def phase(self) -> PhaseState | None:
        return self.phases[self.phase_index] if self.phase_index is not None else None


def _phase_at(bounds: list[float], elapsed: float) -> int:
    """Index of the phase containing `elapsed` (the last one once time is up)."""
    for i, end in enumerate(bounds):
        if elapsed < end:
            return i
    return len(bounds) - 1


def _ends(planned: list[float], extra: list[float]) -> list[float]:
    out, acc = [], 0.0
    for p, e in zip(planned, extra):
        acc += p + e
        out.append(acc)
    return out


def round_state(phase_minutes: list[tuple[str, float]], events: list[Event], now: datetime) -> RoundState:
    """Derive a round's state. `events` are in the order they happened; `now` is aware UTC."""
    names = [n for n, _ in phase_minutes]
    planned = [m * 60.0 for _, m in phase_minutes]
    extra = [0.0] * len(planned)
    status, reason, locked_at = PLANNED, None, None
    elapsed = paused_s = 0.0
    pauses = extensions = 0
    # When the current running or paused stretch began: set by the start event, read only after it.
    since: datetime

    for ev in events:
        if ev.kind == START and status == PLANNED:
            status, since = RUNNING, ev.at
        elif ev.kind == PAUSE and status == RUNNING:
            elapsed += (ev.at - since).total_seconds()
            status, since, pauses = PAUSED, ev.at, pauses + 1
        elif ev.kind == RESUME and status == PAUSED:
            paused_s += (ev.at - since).total_seconds()
            status, since = RUNNING, ev.at
        elif ev.kind == EXTEND and status in (RUNNING, PAUSED):
            so_far = elapsed + ((ev.at - since).total_seconds() if status == RUNNING else 0.0)
            extra[_phase_at(_ends(planned, extra), so_far)] += ev.minutes * 60.0
            extensions += 1
        elif ev.kind in LOCK_REASONS and status in (RUNNING, PAUSED, PLANNED):
            if status == RUNNING:
                elapsed += (ev.at - since).total_seconds()
            elif status == PAUSED:
                paused_s += (ev.at - since).total_seconds()
            status, reason, locked_at = LOCKED, LOCK_REASONS[ev.kind], ev.at

    total = sum(planned) + sum(extra)
    deadline = None
    if status == RUNNING:
        deadline = since + timedelta(seconds=total - elapsed)
        if now >= deadline:  # time ran out, whether or not anyone has recorded it yet
            status, reason, locked_at, elapsed = LOCKED, "time", deadline, total
            deadline = None
        else:
            elapsed += (now - since).total_seconds()
    elif status == PAUSED:
        paused_s += (now - since).total_seconds()
    elapsed = min(elapsed, total)

    ends = _ends(planned, extra)
    index = None if status == PLANNED else _phase_at(ends, elapsed)
    phases, start = [], 0.0
    for i, end in enumerate(ends):
        used = max(0.0, min(elapsed, end) - start)
        at_end = now + timedelta(seconds=end - elapsed) if status == RUNNING else None
        phases.append(PhaseState(names[i], planned[i], extra[i], start, end, used, at_end))
        start = end
    return RoundState(
        status=status,
        lock_reason=reason,
        total_s=total,
        elapsed_s=elapsed,
        remaining_s=max(0.0, total - elapsed),
        deadline=deadline,
        locked_at=locked_at,
        phase_index=index,
        phases=tuple(phases),
        paused_s=paused_s,
        pauses=pauses,
        extensions=extensions,
    )


def elapsed_at(phase_minutes: list[tuple[str, float]], events: list[Event], at: datetime) -> float:
    """Round time (pauses excluded) at the moment `at` of a round's past: only the events up to then
    count (round_state reads every event it is given, so a later pause or end would move it)."""
    return round_state(phase_minutes, [e for e in events if e.at <= at], at).elapsed_s


ALLOWED = {
    START: (PLANNED,),
    PAUSE: (RUNNING,),
    RESUME: (PAUSED,),
    EXTEND: (RUNNING, PAUSED),
    END: (PLANNED, RUNNING, PAUSED),
    CANCEL: (PLANNED,),
}


def check_action(state: RoundState, kind: str) -> None:
    """Raise Conflict if the round's status does not allow this action now."""
    if kind not in ALLOWED:
        raise Invalid(f"Unknown action {kind!r}.", field="action")
    if state.status not in ALLOWED[kind]:
        if state.status == LOCKED:
            raise Conflict("The round is over; its timer can no longer change.", reason="locked")
        raise Conflict(f"Cannot {kind} a round that is {state.status}.", reason=state.status)
