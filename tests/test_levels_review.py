"""Coding rounds' levels where a candidate looks back: the scorecard says which levels were cleared
when (round time) and which were moved on from; the history filters by levels cleared; the progress
page charts levels cleared and the first-run pass rate; the practice plan ranks on them; the figures
survive an export and import."""

import io
import json
import re

import pytest

from mockloop.db import db
from mockloop.db.models import Scorecard
from tests.helpers import signed_up


@pytest.fixture
def app(small_loop_app):
    return small_loop_app


def text(html: str) -> str:
    """The page's words, without tags, whitespace runs read as one space."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def rows(page_html):
    return re.findall(r'<tr>\s*<td><a href="/scorecards/(\d+)"', page_html)


def figures_of(app, card_id):
    with app.app_context():
        card = db.session.get(Scorecard, card_id)
        return card.levels_cleared, card.levels_submitted, card.levels_first_passed


# code-levels has two levels (2 hidden tests, then 1); code-prompt-1 has none (3 hidden tests).
BOTH_FIRST_TIME = [(10, "submit", 2, 2), (10, "submit", 1, 1)]
NOTHING_PASSED = [(10, "submit", 0, 2)]
MOVED_ON_THEN_RETRIED = [(10, "move_on"), (10, "submit", 0, 1), (10, "submit", 1, 1)]


def test_the_scorecard_says_when_each_level_was_cleared_in_round_time(
    api, frozen_clock, make_code_round, make_scorecard
):
    rid = make_code_round(
        [(30, "submit", 1, 2), (40, "pause"), (120, "resume"), (25, "submit", 2, 2), (10, "submit", 0, 1)]
    )
    frozen_clock.advance(hours=1)
    card = make_scorecard(rid)
    page = text(api.client.get(f"/scorecards/{card}").get_data(as_text=True))
    # 30 + 40 + 25 seconds of round time: the two minutes paused are not counted.
    assert "Level 1: cleared at 1:35, at submit 2, after 1 that did not pass them all" in page
    assert "Level 2: not cleared: 0 of 1 passed at the last submit" in page
    # Each run sits where it happened on the phase bar, not where the round ended.
    assert "submit at 0.5 min" in page and "submit at 1.6 min" in page
    assert "1 of 2 levels cleared · first-run pass rate 0% (0 of 2 submitted levels passed at the first submit)" in page
    assert figures_of(api.client.application, card) == (1, 2, 0)


def test_the_scorecard_says_which_level_was_moved_on_from(api, frozen_clock, make_code_round, make_scorecard):
    rid = make_code_round([(20, "move_on"), (30, "submit", 1, 1)])
    frozen_clock.advance(hours=1)
    page = text(api.client.get(f"/scorecards/{make_scorecard(rid)}").get_data(as_text=True))
    assert "Level 1: moved on without passing at 0:20 (never submitted)" in page
    assert "Level 2: cleared at 0:50, at the first submit" in page
    assert "1 of 2 levels cleared · first-run pass rate 100% (1 of 1 submitted level passed" in page


def test_a_prompt_without_levels_is_one_level_and_a_round_without_submits_clears_none(
    api, frozen_clock, make_code_round, make_scorecard, make_round
):
    unleveled = make_scorecard(make_code_round([(15, "submit", 3, 3)], prompt="code-prompt-1"))
    frozen_clock.advance(hours=1)
    idle = make_scorecard(make_code_round([]))
    frozen_clock.advance(hours=1)
    talk = make_scorecard(make_round(stage="quick", prompt="quick-prompt-1"))
    frozen_clock.advance(hours=1)
    app = api.client.application
    assert figures_of(app, unleveled) == (1, 1, 1)
    assert figures_of(app, idle) == (0, 0, 0)  # the prompt has tests: nothing cleared is a figure
    assert figures_of(app, talk) == (None, None, None)  # no tests, no figures
    page = text(api.client.get(f"/scorecards/{unleveled}").get_data(as_text=True))
    assert "cleared at 0:15, at the first submit" in page and "1 of 1 level cleared" in page
    assert "Level 1:" not in page and "nothing submitted" in text(
        api.client.get(f"/scorecards/{idle}").get_data(as_text=True)
    )


def test_history_filters_by_levels_cleared_with_the_other_filters(
    api, frozen_clock, make_code_round, make_scorecard, make_round
):
    made = {}
    for name, steps in (("two", BOTH_FIRST_TIME), ("none", NOTHING_PASSED), ("one", MOVED_ON_THEN_RETRIED)):
        made[name] = make_scorecard(make_code_round(steps), overall="yes" if name == "two" else "no")
        frozen_clock.advance(hours=1)
    made["talk"] = make_scorecard(make_round(stage="quick", prompt="quick-prompt-1"))
    frozen_clock.advance(hours=1)

    def found(query):
        res = api.client.get("/history" + query)
        return res.status_code, sorted(int(i) for i in rows(res.get_data(as_text=True)))

    ids = made
    assert found("") == (200, sorted(ids.values()))
    assert found("?cleared=none") == (200, [ids["none"]])
    assert found("?cleared=1") == (200, sorted([ids["two"], ids["one"]]))
    assert found("?cleared=2") == (200, [ids["two"]])
    assert found("?cleared=1&overall=no") == (200, [ids["one"]])
    assert found("?cleared=1&stage=quick") == (200, [])
    assert found("?cleared=3") == (200, [])
    bad = api.client.get("/history?cleared=lots")
    assert bad.status_code == 400 and "Code levels cleared: choose none, or at least 1 to 4." in bad.get_data(
        as_text=True
    )
    assert len(rows(bad.get_data(as_text=True))) == 4  # the list without that filter
    page = api.client.get("/history?cleared=1").get_data(as_text=True)
    assert '<option value="1" selected>at least 1</option>' in page
    words = text(page)
    assert "2 of 2 · first run 2/2" in words and "1 of 2 · first run 0/1" in words


def test_the_levels_filter_pages_through_every_match_in_order(api, frozen_clock, make_code_round, make_scorecard):
    steps = [NOTHING_PASSED, MOVED_ON_THEN_RETRIED, BOTH_FIRST_TIME]  # cleared 0, 1, 2 in turn
    matching = []
    for i in range(33):
        card = make_scorecard(make_code_round(steps[i % 3]))
        if i % 3:
            matching.append(str(card))
        frozen_clock.advance(hours=1)
    newest_first = matching[::-1]
    first = api.client.get("/history?cleared=1").get_data(as_text=True)
    assert rows(first) == newest_first[:20]
    older = re.search(r'href="(/history\?[^"]*older=[^"]+)"', first).group(1).replace("&amp;", "&")
    assert "cleared=1" in older  # the link keeps the filter
    second = api.client.get(older).get_data(as_text=True)
    assert rows(second) == newest_first[20:]
    newer = re.search(r'href="(/history\?[^"]*newer=[^"]+)"', second).group(1).replace("&amp;", "&")
    assert rows(api.client.get(newer).get_data(as_text=True)) == newest_first[:20]


def test_progress_charts_levels_cleared_and_first_run_pass_rate(api, frozen_clock, make_code_round, make_scorecard):
    for steps in (BOTH_FIRST_TIME, NOTHING_PASSED, MOVED_ON_THEN_RETRIED, []):
        make_scorecard(make_code_round(steps))
        frozen_clock.advance(hours=1)
    page = api.client.get("/progress").get_data(as_text=True)
    assert "4 rounds, oldest first: 2, 0, 1, 0" in page  # levels cleared, the chart's text alternative
    assert "3 rounds, oldest first: 100%, 0%, 0%" in page  # the idle round submitted nothing: no rate
    words = text(page)
    assert (
        "Over your last 4 scored rounds: 3 of 8 levels cleared; first-run pass rate 50% (2 of 4 submitted levels)"
        in words
    )
    assert "Counter in two levels 1 of 2 0 of 1" in words and "Counter in two levels 0 of 2 none submitted" in words


def test_a_peer_round_is_one_point_though_it_has_two_cards(app, frozen_clock, make_code_round, make_scorecard):
    ada, _ = signed_up(app, "ada@example.com", "Ada"), signed_up(app, "bob@example.com", "Bob")
    rid = make_code_round(BOTH_FIRST_TIME, interviewer="bob@example.com")
    frozen_clock.advance(hours=1)
    make_scorecard(rid)
    make_scorecard(rid, "bob@example.com")
    page = ada.client.get("/progress").get_data(as_text=True)
    assert "1 rounds, oldest first: 2" in page and "Over your last 1 scored round:" in text(page)


def test_the_practice_plan_puts_a_coding_stage_that_clears_few_levels_first(
    api, frozen_clock, make_code_round, make_scorecard, make_round
):
    make_scorecard(make_round(stage="quick", prompt="quick-prompt-1"), levels={"clarity": 2, "depth": 2})
    frozen_clock.advance(hours=1)
    for _ in range(2):  # scored well on the rubric, but nothing cleared
        make_scorecard(make_code_round(NOTHING_PASSED), levels={"correctness": 4})
        frozen_clock.advance(hours=1)
    plan = text(api.client.get("/next").get_data(as_text=True))
    assert plan.index("Code drill:") < plan.index("Quick drill:")
    assert "You cleared 0 of 4 levels in your last 2 Code drill rounds;" in plan
    assert "You cleared 0 of 4 levels in your last 2 Code drill rounds;" in text(
        api.client.get("/progress").get_data(as_text=True)
    )


def test_an_imported_round_brings_its_level_figures(app, frozen_clock, make_code_round, make_scorecard):
    ada = signed_up(app, "ada@example.com", "Ada")
    card = make_scorecard(make_code_round(MOVED_ON_THEN_RETRIED))
    doc = ada.client.get("/export.json").get_json()
    other = signed_up(app, "ada@elsewhere.example", "Ada")
    res = other.client.post(
        "/import",
        data={"csrf_token": other.token(), "file": (io.BytesIO(json.dumps(doc).encode()), "x.json")},
        content_type="multipart/form-data",
    )
    assert res.status_code == 302
    with app.app_context():
        copy = db.session.execute(db.select(Scorecard).where(Scorecard.id != card)).scalar_one()
        assert (
            (copy.levels_cleared, copy.levels_submitted, copy.levels_first_passed) == figures_of(app, card) == (1, 1, 0)
        )
