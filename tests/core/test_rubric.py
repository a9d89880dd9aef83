"""The rules a complete scorecard obeys (rubric.problems), as the form and the AI reviewer apply them."""

from mockloop.core import rubric as rubric_core

RUBRIC = {
    "stage": "s",
    "stage_title": "S",
    "dimensions": [{"key": "clarity", "name": "Clarity", "levels": ["a", "b", "c", "d"]}],
    "recommendation": [{"key": "yes", "label": "Yes"}],
}
COMPLETE = {
    "level_clarity": "2",
    "evidence_clarity": "Said why.",
    "overall": "yes",
    "keep": "k",
    "stop": "s",
    "start": "t",
}


def test_a_complete_card_has_no_problems():
    assert rubric_core.problems(RUBRIC, COMPLETE) == {}


def test_each_missing_answer_is_named_at_its_field_in_form_order():
    assert rubric_core.problems(RUBRIC, {}) == {
        "level_clarity": "Pick a level for Clarity.",
        "evidence_clarity": "Write what you saw that supports the level for Clarity.",
        "overall": "Pick an overall recommendation.",
        "keep": "Write one line for keep doing.",
        "stop": "Write one line for stop doing.",
        "start": "Write one line for start doing.",
    }


def test_blank_text_counts_as_missing_and_the_limits_count_characters():
    assert rubric_core.problems(RUBRIC, {**COMPLETE, "evidence_clarity": " \n\t"}) == {
        "evidence_clarity": "Write what you saw that supports the level for Clarity."
    }
    at_limit = {
        **COMPLETE,
        "evidence_clarity": "é" * rubric_core.EVIDENCE_LIMIT,
        "keep": "k" * rubric_core.SUMMARY_LIMIT,
    }
    assert rubric_core.problems(RUBRIC, at_limit) == {}
    over = {**at_limit, "evidence_clarity": "é" * 5_001, "keep": "k" * 2_001}
    assert rubric_core.problems(RUBRIC, over) == {
        "evidence_clarity": "Keep this to 5,000 characters; it has 5,001.",
        "keep": "Keep this to 2,000 characters; it has 2,001.",
    }
