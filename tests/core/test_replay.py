"""The replay's timeline (core/replay.py): phase bands placed in wall-clock time around pauses,
extensions, runs, level changes, markers and saves, all in ms from the start."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from mockloop.core import timer
from mockloop.core.replay import Marker, Run, stretches, timeline, wall_time
from mockloop.core.revisions import Entry

T0 = datetime(2026, 5, 4, 12, 0, tzinfo=timezone.utc)


def t(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def ev(kind: str, minute: float, minutes: float = 0.0) -> timer.Event:
    return timer.Event(kind, t(minute), minutes)


PLAN = [("clarify", 5), ("implement", 10)]


def test_stretches_and_wall_time_skip_the_pause():
    events = [ev("start", 0), ev("pause", 3), ev("resume", 10), ev("end", 20)]
    spans = stretches(events, t(99))
    assert spans == [(t(0), t(3)), (t(10), t(20))]
    assert wall_time(spans, 2 * 60) == t(2)
    assert wall_time(spans, 5 * 60) == t(12)  # 3 minutes before the pause, 2 after it
    assert wall_time(spans, 999 * 60) == t(20)
    assert wall_time([], 60) is None


def test_a_round_still_running_stretches_to_the_end_given():
    assert stretches([ev("start", 1)], t(4)) == [(t(1), t(4))]


def test_timeline_places_every_kind_of_moment():
    events = [ev("start", 0), ev("pause", 3), ev("resume", 10), ev("extend", 14, 5), ev("end", 20)]
    runs = [
        Run(t(4), "run", "ok", 1, 1, 2),  # reported during the pause: placed when it came
        Run(t(12), "submit", "ok", 1, 3, 3),
        Run(t(13), "submit", "ok", 2, 1, 3),
    ]
    saves = [Entry("scratchpad", 1, t(-1)), Entry("scratchpad", 2, t(1)), Entry("code", 1, t(15))]
    data = timeline(
        PLAN,
        events,
        t(30),
        runs=runs,
        markers=[Marker(t(2), "missed the retry storm"), Marker(t(11.5), "asked about quotas")],
        saves=saves,
        levels=3,
    )
    minute = 60_000
    assert data["duration_ms"] == 20 * minute
    # clarify: 5 running minutes, 3 before the pause and 2 after it; implement (extended) until the end.
    assert data["phases"] == [
        {"name": "clarify", "from_ms": 0, "to_ms": 12 * minute},
        {"name": "implement", "from_ms": 12 * minute, "to_ms": 20 * minute},
    ]
    assert data["pauses"] == [{"from_ms": 3 * minute, "to_ms": 10 * minute}]
    assert data["extensions"] == [{"at_ms": 14 * minute, "minutes": 5}]
    assert [r["at_ms"] for r in data["runs"]] == [4 * minute, 12 * minute, 13 * minute]
    assert data["levels"] == [{"at_ms": 12 * minute, "level": 2}]  # level 2's submit passed 1 of 3
    # Each marker in wall time on this axis, and with the round time the score form quotes: the
    # one after the pause was dropped 11.5 minutes in, at 04:30 on the round's clock.
    assert data["markers"] == [
        {"at_ms": 2 * minute, "clock_s": 120, "text": "missed the retry storm"},
        {"at_ms": 11.5 * minute, "clock_s": 270, "text": "asked about quotas"},
    ]
    assert data["work"] == {"code": [[15 * minute, 1]], "scratchpad": [[0, 1], [1 * minute, 2]]}


def test_a_round_ended_early_has_no_band_for_phases_it_never_reached():
    data = timeline(PLAN, [ev("start", 0), ev("end", 4)], t(30))
    assert data["phases"] == [{"name": "clarify", "from_ms": 0, "to_ms": 4 * 60_000}]
    assert data["duration_ms"] == 4 * 60_000


def test_a_round_that_ran_out_ends_at_its_deadline():
    data = timeline(PLAN, [ev("start", 0)], t(60))
    assert data["duration_ms"] == 15 * 60_000
    assert data["phases"][-1] == {"name": "implement", "from_ms": 5 * 60_000, "to_ms": 15 * 60_000}


def test_a_round_that_never_started_has_an_empty_timeline():
    data = timeline(PLAN, [], t(1), saves=[Entry("notes", 1, t(0))])
    assert data["duration_ms"] == 0 and data["work"] == {}
