"""Loop planning arithmetic with time passed in: breaks, overruns pushing the plan, pinned windows, DST."""

from datetime import datetime, timedelta, timezone

from mockloop.core.timeline import (
    Slot,
    check_plan,
    local_to_utc,
    original_plan,
    timeline,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def at(minutes):
    return T0 + timedelta(minutes=minutes)


def test_original_plan_puts_breaks_between_rounds():
    plan = original_plan(T0, 15, [Slot(30), Slot(60), Slot(45)])
    assert plan == [(at(0), at(30)), (at(45), at(105)), (at(120), at(165))]


def test_overrun_pushes_the_rest_of_the_plan():
    slots = [Slot(30, started_at=at(0), ends_at=at(40), locked=True), Slot(60), Slot(45)]
    tl = timeline(T0, 15, slots, now=at(41))
    assert [p.opens_at for p in tl] == [at(0), at(55), at(130)]
    assert [p.pushed for p in tl] == [timedelta(0), timedelta(minutes=10), timedelta(minutes=10)]


def test_running_round_projects_its_end_and_a_late_start_pushes():
    slots = [Slot(30, started_at=at(5), ends_at=at(35)), Slot(60)]
    tl = timeline(T0, 15, slots, now=at(20))
    assert tl[1].opens_at == at(50) and tl[1].pushed == timedelta(minutes=5)


def test_open_round_not_started_yet_pushes_from_now():
    tl = timeline(T0, 10, [Slot(30), Slot(30)], now=at(20))
    assert tl[0].opens_at == at(0) and tl[0].ends_at == at(50)  # still not started at 20 min
    assert tl[1].opens_at == at(60)


def test_early_finish_does_not_pull_rounds_earlier():
    slots = [Slot(30, started_at=at(0), ends_at=at(10), locked=True), Slot(60)]
    assert timeline(T0, 15, slots, now=at(11))[1].opens_at == at(45)


def test_pinned_take_home_window_keeps_its_time():
    evening = T0 - timedelta(hours=14)
    slots = [Slot(240, pinned_at=evening), Slot(60)]
    plan = original_plan(T0, 15, slots)
    assert plan[0] == (evening, evening + timedelta(hours=4))
    assert plan[1][0] == T0  # the onsite rounds start at the loop's start, not after the window


def test_plan_checks_past_start_overlaps_and_long_breaks():
    now = at(0)
    assert check_plan(at(-1), 15, [Slot(30)], now) == ["The start time is in the past; pick a time from now on."]
    assert "Breaks last from 0 minutes to one day." in check_plan(at(10), 60 * 25, [Slot(30)], now)
    overlap = check_plan(at(10), 15, [Slot(30), Slot(60, pinned_at=at(20))], now)
    assert overlap == ["Round 2 overlaps round 1; move its start time or shorten the rounds."]
    assert check_plan(at(10), 15, [Slot(30), Slot(60)], now) == []


def test_local_times_convert_across_daylight_saving():
    # US clocks spring forward on 2026-03-08: 9:00 in New York is 14:00 UTC before and 13:00 after.
    assert local_to_utc(datetime(2026, 3, 7, 9, 0), "America/New_York") == datetime(
        2026, 3, 7, 14, 0, tzinfo=timezone.utc
    )
    assert local_to_utc(datetime(2026, 3, 9, 9, 0), "America/New_York") == datetime(
        2026, 3, 9, 13, 0, tzinfo=timezone.utc
    )


def test_a_plan_across_the_dst_change_keeps_real_durations():
    start = local_to_utc(datetime(2026, 3, 8, 1, 30), "America/New_York")  # 06:30 UTC, before the jump
    plan = original_plan(start, 15, [Slot(60), Slot(60)])
    assert plan[1][0] - plan[0][0] == timedelta(minutes=75)  # stored in UTC: the wall clock jump moves nothing
