"""The story bank's domain: checking a story, its cue card, the drill timer (time passed in), coverage
of the behavioral dimensions and the practice plan's story steps."""

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from mockloop.core import stories
from mockloop.core.errors import Invalid
from mockloop.core.loop import load_loop
from mockloop.core.suggestions import story_steps

LOOP = load_loop(Path(__file__).resolve().parents[2] / "prompts" / "loop.yaml")
PROMPTS = [
    ("mission-culture", "postmortem-you-wrote", "Walk me through a postmortem you wrote"),
    ("recruiter-screen", "why-this-lab", "Why this lab"),
    ("systems-design", "inference-router", "Inference router"),  # not behavioral: not a tag
]
TAGS = stories.tags_of(LOOP, PROMPTS)
T0 = datetime(2026, 5, 4, 12, 0, tzinfo=timezone.utc)


def test_tags_are_the_behavioral_stages_dimensions_once_each_and_their_prompts():
    assert list(TAGS.dimensions) == [
        "motivation",
        "narrative",
        "communication",
        "role_knowledge",
        "questions",
        "mission",
        "ownership",
        "ambiguity",
        "collaboration",
        "reflection",
    ]
    assert TAGS.dimensions["reflection"] == "Reflection (postmortems)"
    assert TAGS.stages_of["communication"] == ("Recruiter screen", "Mission and culture")
    assert list(TAGS.prompts) == ["postmortem-you-wrote", "why-this-lab"]


def story(**fields):
    return {"title": "Rate-limit outage", "dimensions": [], "prompts": [], **fields}


def test_a_story_is_checked_and_its_tags_come_back_in_loop_order_once():
    text = stories.parse_story(
        story(
            title="  Rate-limit outage ",
            action="I rolled back.",
            dimensions=["reflection", "ownership", "reflection"],
            prompts=["postmortem-you-wrote"],
        ),
        TAGS,
    )
    assert text.title == "Rate-limit outage"
    assert text.parts == {"situation": "", "task": "", "action": "I rolled back.", "result": "", "reflection": ""}
    assert text.dimensions == ("ownership", "reflection") and text.prompts == ("postmortem-you-wrote",)


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"title": "   "}, "title", "Give the story a title"),
        ({"title": "x" * 201}, "title", "at most 200 characters"),
        ({"result": "y" * (stories.PART_LIMIT + 1)}, "result", "Result holds at most 10,000 characters"),
        ({"task": 7}, "task", "send text"),
        ({"dimensions": ["testing"]}, "dimensions", "Not dimensions of the behavioral rounds: testing"),
        ({"dimensions": "ownership"}, "dimensions", "as a list"),
        ({"prompts": ["inference-router"]}, "prompts", "inference-router"),
    ],
)
def test_bad_stories_are_refused_naming_the_field(fields, field, message):
    with pytest.raises(Invalid, match=message) as caught:
        stories.parse_story(story(**fields), TAGS)
    assert caught.value.field == field


def test_a_tag_the_loop_dropped_may_be_kept_but_not_added():
    kept = stories.parse_story(story(dimensions=["ownership", "grit"]), TAGS, keep=["grit"])
    assert kept.dimensions == ("ownership", "grit")
    with pytest.raises(Invalid, match="grit"):
        stories.parse_story(story(dimensions=["grit"]), TAGS)


@pytest.mark.parametrize(
    "text, bullet",
    [
        ("", ""),
        ("We shipped a config change. It broke every tenant.", "We shipped a config change."),
        ("\n\n## **Friday** at 14:02\nmore", "Friday at 14:02"),
        ("- I paged the `on-call` lead", "I paged the on-call lead"),
        (
            "one two three four five six seven eight nine ten eleven twelve thirteen",
            "one two three four five six seven eight nine ten eleven twelve…",
        ),
    ],
)
def test_a_cue_is_the_first_sentence_shortened_without_markdown(text, bullet):
    assert stories.cue(text) == bullet


def test_the_cue_card_has_a_bullet_per_written_part_in_telling_order():
    card = stories.cue_card({"result": "Errors fell to 0.1%.", "situation": "A launch week.", "task": "  "})
    assert card == [("Situation", "A launch week."), ("Result", "Errors fell to 0.1%.")]


def test_the_drill_clock_runs_down_then_counts_the_overrun_and_stops_when_done():
    def at(seconds):
        return T0 + timedelta(seconds=seconds)

    running = stories.drill_state(T0, 120, None, at(45))
    assert (running.elapsed_s, running.remaining_s, running.over_s, running.finished) == (45, 75, 0, False)
    late = stories.drill_state(T0, 120, None, at(150))
    assert (late.remaining_s, late.over_s) == (0, 30)
    done = stories.drill_state(T0, 120, at(100), at(5000))  # later reads of a finished drill change nothing
    assert (done.elapsed_s, done.remaining_s, done.over_s, done.finished) == (100, 20, 0, True)
    assert stories.drill_state(T0, 120, None, at(-5)).elapsed_s == 0  # a clock read before the start


@pytest.mark.parametrize(
    "seconds, cue, message",
    [
        (29, "hidden", "30 seconds to 10 minutes"),
        (601, "bullets", "30 seconds to 10 minutes"),
        ("120", "hidden", "whole seconds"),
        (True, "hidden", "whole seconds"),
        (120, "full text", "hidden or shown as bullet points"),
    ],
)
def test_drill_settings_are_checked(seconds, cue, message):
    with pytest.raises(Invalid, match=message):
        stories.check_drill(seconds, cue)


def test_drill_settings_at_the_bounds_are_accepted():
    assert stories.check_drill(30, "hidden") == (30, "hidden")
    assert stories.check_drill(600, "bullets") == (600, "bullets")


def test_ratings_need_a_level_for_every_dimension_of_the_story():
    names = {"ownership": "Ownership and impact", "reflection": "Reflection (postmortems)"}
    assert stories.parse_ratings({"rating_ownership": "4", "rating_reflection": "1"}, names, names) == {
        "ownership": 4,
        "reflection": 1,
    }
    for bad in ({"rating_ownership": "4"}, {"rating_ownership": "5", "rating_reflection": "1"}):
        with pytest.raises(Invalid, match="Rate") as caught:
            stories.parse_ratings(bad, names, names)
        assert caught.value.field in ("rating_reflection", "rating_ownership")


def facts(i, title, dims, ratings=None, prompts=()):
    return stories.StoryFacts(i, title, tuple(dims), tuple(prompts), ratings or {})


def test_coverage_marks_gaps_undrilled_weak_and_ready_dimensions():
    cov = stories.coverage(
        TAGS,
        [
            facts(
                1, "Outage", ["ownership", "reflection"], {"ownership": 2, "reflection": 4}, ["postmortem-you-wrote"]
            ),
            facts(2, "Bad launch", ["ownership", "collaboration"], {"ownership": 3}),
            facts(3, "Argument", ["ambiguity"]),
        ],
    )
    assert [s.title for s in cov.stories] == ["Argument", "Bad launch", "Outage"]  # the grid's columns
    rows = {r.key: r for r in cov.rows}
    assert rows["ownership"].cells == (None, 3, 2) and rows["ownership"].best == 3
    assert rows["ownership"].status == stories.READY
    assert rows["reflection"].status == stories.READY
    assert rows["collaboration"].cells == (None, 0, None) and rows["collaboration"].status == stories.UNREHEARSED
    assert rows["ambiguity"].status == stories.UNREHEARSED
    assert rows["mission"].status == stories.GAP and rows["mission"].cells == (None, None, None)
    assert cov.covered == 4 and [r.key for r in cov.gaps][:3] == ["motivation", "narrative", "communication"]
    assert cov.prompts == (
        ("postmortem-you-wrote", "Walk me through a postmortem you wrote", ("Outage",)),
        ("why-this-lab", "Why this lab", ()),
    )


def test_a_low_last_drill_makes_a_dimension_weak_and_a_new_story_covers_a_gap():
    before = stories.coverage(TAGS, [facts(1, "Outage", ["reflection"], {"reflection": 2})])
    assert {r.key: r.status for r in before.rows}["reflection"] == stories.WEAK
    after = stories.coverage(
        TAGS, [facts(1, "Outage", ["reflection"], {"reflection": 2}), facts(2, "Why here", ["mission"])]
    )
    assert after.covered == before.covered + 1
    assert "mission" in {r.key for r in before.gaps} and "mission" not in {r.key for r in after.gaps}


def test_story_steps_write_for_gaps_first_then_rehearse_weak_then_undrilled():
    cov = stories.coverage(
        TAGS,
        [
            facts(1, "Outage", ["reflection"], {"reflection": 2}),
            facts(2, "Launch", ["ownership"]),
        ],
    )
    steps = story_steps(cov, limit=20)
    gaps = [s for s in steps if s.kind == "write"]
    assert len(gaps) == len(cov.gaps) == 8 and steps[: len(gaps)] == gaps
    assert gaps[0].reason == "No story of yours shows Motivation and mission fit (Recruiter screen rounds)."
    assert "Recruiter screen and Mission and culture" in next(s.reason for s in gaps if s.dimension == "communication")
    assert [(s.kind, s.dimension, s.story_id) for s in steps[len(gaps) :]] == [
        ("rehearse", "reflection", 1),
        ("rehearse", "ownership", 2),
    ]
    assert steps[-2].reason == "“Outage” shows Reflection (postmortems), but its last drill rated it 2."
    assert steps[-1].reason == "“Launch” shows Ownership and impact, but you have not drilled it yet."
    assert len(story_steps(cov)) == 3


def test_no_story_steps_once_every_dimension_is_ready():
    ready = [facts(i, f"s{i}", [key], {key: 3}) for i, key in enumerate(TAGS.dimensions)]
    assert story_steps(stories.coverage(TAGS, ready)) == []
