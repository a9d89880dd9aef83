"""Practice-plan ranking on crafted histories, with time passed in."""

from datetime import datetime, timedelta, timezone

from mockloop.core.levels import Figures
from mockloop.core.suggestions import Attempt, ScorePoint, suggest

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
STAGES = [("design", "systems-design"), ("coding", "phone-screen")]
PROMPTS = {"design": ["router", "limiter"], "coding": ["bucket", "lru"]}
NAMES = {"design": {"communication": "communication", "scale": "scalability"}, "coding": {"testing": "testing"}}


def days_ago(n):
    return NOW - timedelta(days=n)


def points(stage, dim, levels):
    return [ScorePoint(stage, dim, lv, days_ago(i + 1)) for i, lv in enumerate(levels)]


def test_weakest_recent_dimension_ranks_first_with_a_one_line_reason():
    scores = (
        points("design", "communication", [2, 2, 2, 4])
        + points("design", "scale", [3, 4, 4])
        + points("coding", "testing", [3, 3, 4])
    )
    plan = suggest(STAGES, PROMPTS, NAMES, scores, [], NOW)
    assert [s.stage for s in plan] == ["design", "coding"]
    assert plan[0].reason.startswith("Communication has scored 2 in your last 3 systems-design rounds")
    assert plan[1].reason.startswith("Testing has averaged 3.3 in your last 3 phone-screen rounds")


def test_only_the_last_three_rounds_count():
    scores = points("design", "communication", [4, 4, 4, 1, 1, 1]) + points("coding", "testing", [3, 3, 3])
    plan = suggest(STAGES, PROMPTS, NAMES, scores, [], NOW)
    assert plan[0].stage == "coding"  # design's bad rounds are older than its last three


def test_unscored_stage_sits_between_weak_and_strong():
    weak = suggest(STAGES, PROMPTS, NAMES, points("design", "scale", [1, 2, 1]), [], NOW)
    assert [s.stage for s in weak] == ["design", "coding"]
    assert "no scored phone-screen rounds yet" in weak[1].reason
    strong = suggest(STAGES, PROMPTS, NAMES, points("design", "scale", [4, 4, 4]), [], NOW)
    assert [s.stage for s in strong] == ["coding", "design"]


def test_unseen_prompts_first_then_the_most_overdue():
    attempts = [Attempt("router", "design", days_ago(3), "yes")]
    plan = suggest(STAGES[:1], PROMPTS, NAMES, [], attempts, NOW)
    assert plan[0].prompt == "limiter" and "a prompt you have not practiced" in plan[0].reason

    attempts = [
        Attempt("router", "design", days_ago(5), "strong_yes"),  # due in 21 days: not yet
        Attempt("limiter", "design", days_ago(5), "no"),
    ]  # due after 4 days: overdue
    plan = suggest(STAGES[:1], PROMPTS, NAMES, [], attempts, NOW)
    assert plan[0].prompt == "limiter" and "last practiced 5 days ago, due for review" in plan[0].reason


def test_latest_attempt_of_a_prompt_decides_its_schedule():
    attempts = [
        Attempt("router", "design", days_ago(30), "no"),
        Attempt("router", "design", days_ago(1), "yes"),
        Attempt("limiter", "design", days_ago(8), "yes"),
    ]
    plan = suggest(STAGES[:1], PROMPTS, NAMES, [], attempts, NOW)
    assert plan[0].prompt == "limiter" and "the one due soonest" in plan[0].reason


def test_a_coding_stage_that_clears_few_levels_is_suggested_ahead_and_says_why():
    scores = points("design", "communication", [2, 2, 2]) + points("coding", "testing", [4, 4, 4])
    cleared_little = {"coding": [Figures(1, 1, 1, total=4), Figures(0, 1, 0, total=4), Figures(1, 2, 1, total=4)]}
    plan = suggest(STAGES, PROMPTS, NAMES, scores, [], NOW, cleared_little)
    assert [s.stage for s in plan] == ["coding", "design"]  # 2 of 12 levels: further off than a 2 of 4
    assert plan[0].reason.startswith("You cleared 2 of 12 levels in your last 3 phone-screen rounds; ")
    # Without the level figures, the same scores rank design first.
    assert [s.stage for s in suggest(STAGES, PROMPTS, NAMES, scores, [], NOW)] == ["design", "coding"]


def test_failed_first_submits_rank_a_coding_stage_even_when_its_levels_are_cleared():
    scores = points("design", "communication", [3, 3, 3]) + points("coding", "testing", [4, 4, 4])
    # Every level cleared in the end, but only 1 of 4 first submits passed.
    retried = {"coding": [Figures(1, 1, 0, total=1), Figures(1, 1, 0, total=1), Figures(2, 2, 1, total=4)]}
    plan = suggest(STAGES, PROMPTS, NAMES, scores, [], NOW, retried)
    assert plan[0].stage == "coding"
    assert plan[0].reason.startswith(
        "1 of your 4 first submits passed every hidden test in your last 3 phone-screen rounds; "
    )


def test_strong_coding_rounds_leave_the_rubric_reason_in_place():
    scores = points("coding", "testing", [2, 2, 2])
    clean = {"coding": [Figures(4, 4, 4, total=4)] * 3}
    [plan] = suggest(STAGES[1:], PROMPTS, NAMES, scores, [], NOW, clean)
    assert plan.reason.startswith("Testing has scored 2 in your last 3 phone-screen rounds")
    assert plan.priority == 2  # 4 - 2: the levels add nothing when they were all cleared first time


def test_only_the_last_three_coding_rounds_count_and_one_round_reads_singular():
    scores = points("coding", "testing", [4])
    nothing, everything = Figures(0, 0, 0, total=4), Figures(4, 4, 4, total=4)
    [plan] = suggest(STAGES[1:], PROMPTS, NAMES, scores, [], NOW, {"coding": [nothing]})
    assert plan.reason.startswith("You cleared 0 of 4 levels in your last phone-screen round; ")
    # Newest first: two bad rounds before the last three clean ones no longer count.
    [later] = suggest(STAGES[1:], PROMPTS, NAMES, scores, [], NOW, {"coding": [everything] * 3 + [nothing] * 2})
    assert later.reason.startswith("Testing has scored 4 in your last phone-screen round")
