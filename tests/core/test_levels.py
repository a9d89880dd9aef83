"""A coding round's level arithmetic on known submits: what is cleared and when, what was moved on
from, the first-run pass rate of one round and of several, and the charts' axis for a pass rate."""

from mockloop.core.charts import level_trend
from mockloop.core.levels import Figures, Step, clock_text, figures, pooled, results


def submit(level, passed, total, at):
    return Step("submit", level, passed, total, at)


def test_a_level_is_cleared_by_its_first_submit_that_passes_them_all():
    per_level = results(
        [
            Step("run", 1, 0, 2, 10.0),  # example runs do not count
            submit(1, 1, 2, 60.0),
            submit(1, 2, 2, 95.5),
            submit(2, 3, 3, 300.0),
            submit(2, 1, 3, 320.0),  # a later failing submit does not undo the clear
        ]
    )
    one, two = per_level[1], per_level[2]
    assert (one.cleared_at_s, one.cleared_on, one.first_passed, one.submits, one.last) == (95.5, 2, False, 2, (2, 2))
    assert (two.cleared_at_s, two.cleared_on, two.first_passed, two.last) == (300.0, 1, True, (1, 3))
    assert figures(per_level, 4) == Figures(cleared=2, submitted=2, first_passed=1, total=4)


def test_moving_on_is_not_clearing_and_a_level_never_submitted_is_not_in_the_rate():
    per_level = results([submit(1, 0, 3, 40.0), Step("move_on", 1, 0, 0, 70.0), Step("move_on", 2, 0, 0, 80.0)])
    assert per_level[1].moved_on_at_s == 70.0 and not per_level[1].cleared and per_level[1].last == (0, 3)
    assert per_level[2].submits == 0 and per_level[2].first_passed is None and per_level[2].last is None
    f = figures(per_level)
    assert (f.cleared, f.submitted, f.first_passed) == (0, 1, 0)
    assert f.first_run_rate == 0.0  # one level submitted, and its first submit failed


def test_a_submit_of_no_tests_clears_nothing_and_no_submits_have_no_rate():
    assert not results([submit(1, 0, 0, 5.0)])[1].cleared
    assert figures({}).first_run_rate is None and figures({}) == Figures(0, 0, 0)


def test_pooled_over_rounds_counts_levels_only_where_the_prompt_is_known():
    rounds = [Figures(1, 2, 1, total=4), Figures(1, 1, 1, total=1), Figures(3, 3, 2, total=None)]
    p = pooled(rounds)
    assert (p.rounds, p.cleared, p.levels) == (3, 2, 5)  # the third round's prompt is gone: no total
    assert (p.first_passed, p.submitted) == (4, 6) and round(p.first_run_rate, 3) == 0.667
    assert p.cleared_share == 0.4
    assert pooled([]).cleared_share is None and pooled([]).first_run_rate is None


def test_round_time_reads_as_minutes_and_seconds():
    assert [clock_text(s) for s in (0, 65.9, 600, 3729)] == ["0:00", "1:05", "10:00", "1:02:09"]


def test_a_pass_rate_chart_has_its_own_ticks_and_units_in_its_text():
    svg = level_trend([50, 100, 0], "First-run pass rate", "c-x", low=0, high=100, ticks=(0, 50, 100), unit="%")
    assert svg.count('class="grid"') == 3  # not a line per whole number from 0 to 100
    assert "3 rounds, oldest first: 50%, 100%, 0%" in svg
    assert level_trend([0, 4], "Levels cleared", "c-y", low=0, high=4).count('class="grid"') == 5
