"""Timer arithmetic with time passed in: no sleeping, no wall clock."""

from datetime import datetime, timedelta, timezone

import pytest

from mockloop.core.errors import Conflict
from mockloop.core.timer import (
    END,
    EXPIRE,
    EXTEND,
    PAUSE,
    RESUME,
    START,
    Event,
    check_action,
    elapsed_at,
    round_state,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
PLAN = [("Clarify", 5), ("Build", 20), ("Wrap up", 5)]  # 30 minutes


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def ev(kind, minute, extra=0.0):
    return Event(kind, at(minute), extra)


def test_planned_round_has_no_deadline_or_phase():
    state = round_state(PLAN, [], at(0))
    assert state.status == "planned" and state.deadline is None and state.phase_index is None
    assert state.remaining_s == 30 * 60


def test_running_round_counts_down_and_tracks_the_phase():
    state = round_state(PLAN, [ev(START, 0)], at(7))
    assert state.status == "running"
    assert state.remaining_s == 23 * 60
    assert state.deadline == at(30)
    assert state.phase.name == "Build" and state.phase_index == 1
    assert state.phase.ends_at == at(25)


def test_phase_boundary_belongs_to_the_next_phase():
    assert round_state(PLAN, [ev(START, 0)], at(5)).phase.name == "Build"
    assert round_state(PLAN, [ev(START, 0)], at(4.99)).phase.name == "Clarify"


def test_pause_stops_the_clock_and_moves_the_deadline():
    events = [ev(START, 0), ev(PAUSE, 10)]
    paused = round_state(PLAN, events, at(40))
    assert paused.status == "paused" and paused.deadline is None
    assert paused.remaining_s == 20 * 60
    assert paused.paused_s == 30 * 60
    resumed = round_state(PLAN, events + [ev(RESUME, 40)], at(41))
    assert resumed.deadline == at(60)  # 30 planned + 30 paused
    assert resumed.remaining_s == 19 * 60
    assert resumed.pauses == 1


def test_round_never_expires_while_paused():
    state = round_state(PLAN, [ev(START, 0), ev(PAUSE, 29)], at(500))
    assert state.status == "paused" and state.remaining_s == 60


def test_extend_adds_to_the_current_phase_and_pushes_later_ones():
    state = round_state(PLAN, [ev(START, 0), ev(EXTEND, 6, 5)], at(6))
    assert state.deadline == at(35)
    build = state.phases[1]
    assert build.extended_s == 300 and build.ends_at == at(30)
    assert state.phases[2].ends_at == at(35)
    assert state.extensions == 1


def test_extend_while_paused_moves_the_deadline_after_resume():
    events = [ev(START, 0), ev(PAUSE, 2), ev(EXTEND, 3, 5), ev(RESUME, 4)]
    state = round_state(PLAN, events, at(4))
    assert state.deadline == at(4 + 28 + 5)
    assert state.phases[0].extended_s == 300


def test_end_early_locks_with_the_time_used():
    state = round_state(PLAN, [ev(START, 0), ev(END, 12)], at(50))
    assert state.status == "locked" and state.lock_reason == "ended"
    assert state.elapsed_s == 12 * 60 and state.locked_at == at(12)
    assert state.phases[1].used_s == 7 * 60 and state.phases[2].used_s == 0


def test_end_during_pause_keeps_the_running_time_and_counts_the_pause():
    state = round_state(PLAN, [ev(START, 0), ev(PAUSE, 10), ev(END, 15)], at(60))
    assert state.status == "locked" and state.elapsed_s == 10 * 60 and state.paused_s == 5 * 60


def test_round_time_at_a_moment_of_a_finished_round_ignores_what_came_later():
    events = [ev(START, 0), ev(PAUSE, 10), ev(RESUME, 14), ev(END, 20)]
    assert [elapsed_at(PLAN, events, at(m)) for m in (5, 12, 16, 20)] == [5 * 60, 10 * 60, 12 * 60, 16 * 60]


def test_expiry_exactly_at_the_deadline():
    before = round_state(PLAN, [ev(START, 0)], at(30) - timedelta(microseconds=1))
    assert before.status == "running" and before.remaining_s > 0
    on_time = round_state(PLAN, [ev(START, 0)], at(30))
    assert on_time.status == "locked" and on_time.lock_reason == "time"
    assert on_time.locked_at == at(30) and on_time.remaining_s == 0


def test_recorded_expire_event_matches_the_derived_lock():
    derived = round_state(PLAN, [ev(START, 0)], at(45))
    recorded = round_state(PLAN, [ev(START, 0), ev(EXPIRE, 30)], at(45))
    assert derived.status == recorded.status == "locked"
    assert derived.elapsed_s == recorded.elapsed_s == 30 * 60
    assert derived.locked_at == recorded.locked_at == at(30)


def test_second_viewer_sees_the_same_deadline_whenever_they_look():
    events = [ev(START, 0), ev(PAUSE, 3), ev(RESUME, 8)]
    first = round_state(PLAN, events, at(10))
    second = round_state(PLAN, events, at(10.5))
    assert first.deadline == second.deadline == at(35)
    assert first.remaining_s - second.remaining_s == pytest.approx(30)


def test_actions_allowed_by_status():
    running = round_state(PLAN, [ev(START, 0)], at(1))
    check_action(running, PAUSE)
    with pytest.raises(Conflict):
        check_action(running, RESUME)
    locked = round_state(PLAN, [ev(START, 0), ev(END, 2)], at(3))
    with pytest.raises(Conflict, match="over"):
        check_action(locked, EXTEND)
