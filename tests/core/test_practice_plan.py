"""Practice-plan ranking on crafted histories, with time passed in."""

from datetime import datetime, timedelta, timezone

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
