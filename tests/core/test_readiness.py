"""Readiness arithmetic on crafted cards (newest first), with times passed in."""

from datetime import datetime, timedelta, timezone

from mockloop.core.loop import Dimension, Duration, Phase, Stage
from mockloop.core.readiness import DOWN, FLAT, UP, Card, heat_map, stage_readiness

T0 = datetime(2026, 5, 4, 12, 0, tzinfo=timezone.utc)


def stage(slug, *dims):
    rubric = tuple(Dimension(key, name, ("a", "b", "c", "d")) for key, name in dims)
    return Stage(slug, slug.title(), "", Duration(30, 30, 30), (Phase("All", 30),), rubric)


TALK = stage("talk", ("clarity", "Clarity"), ("depth", "Depth"))
CODE = stage("code", ("tests", "Tests"), ("clarity", "Clarity of code"))


def cards(*levels):
    """Cards newest first, an hour apart; each item is {dimension: level}."""
    return [Card(T0 - timedelta(hours=i), lv) for i, lv in enumerate(levels)]


def test_recent_level_is_the_mean_of_the_last_cards_and_the_trend_compares_the_ones_before():
    history = cards(*[{"clarity": 4, "depth": 2}] * 5, *[{"clarity": 2, "depth": 1}] * 5, {"clarity": 1, "depth": 1})
    r = stage_readiness(TALK, history, T0, recent=5)
    assert (r.level, r.cards, r.previous, r.previous_cards) == (3.0, 5, 1.5, 5)
    assert r.change == 1.5 and r.trend == UP
    assert r.means == {"clarity": 4.0, "depth": 2.0}
    assert (r.weakest.key, r.weakest.name, r.weakest.mean) == ("depth", "Depth", 2.0)
    assert r.last_practiced == T0


def test_small_changes_read_as_steady_and_falls_as_down():
    def trend(now, before):
        return stage_readiness(TALK, cards(now, before), T0, recent=1)

    assert trend({"clarity": 3}, {"a": 3, "b": 3, "c": 3, "d": 3, "e": 2}).change == 3 - 2.8
    assert trend({"clarity": 3}, {"a": 3, "b": 3, "c": 3, "d": 3, "e": 2}).trend == FLAT  # under 0.25
    assert trend({"clarity": 3}, {"a": 3, "b": 3, "c": 3, "d": 2}).trend == UP  # 0.25
    assert trend({"clarity": 2}, {"clarity": 3}).trend == DOWN
    only_recent = stage_readiness(TALK, cards({"clarity": 3}, {"clarity": 2}), T0, recent=5)
    assert only_recent.trend is None and only_recent.previous is None  # nothing before them to compare with


def test_a_stage_never_scored_has_no_level_trend_or_weakest():
    r = stage_readiness(TALK, [], None)
    assert (r.level, r.cards, r.previous, r.trend, r.weakest, r.last_practiced) == (None, 0, None, None, None, None)


def test_weakest_ties_go_to_the_rubric_order_and_retired_dimensions_keep_their_key():
    tie = stage_readiness(TALK, cards({"depth": 2, "clarity": 2}), T0)
    assert tie.weakest.key == "clarity"
    retired = stage_readiness(TALK, cards({"clarity": 3, "poise": 1}), T0)
    assert (retired.weakest.key, retired.weakest.name) == ("poise", "poise")


def test_heat_map_rows_are_dimensions_in_loop_order_against_stages():
    ready = {"talk": stage_readiness(TALK, cards({"clarity": 3, "depth": 1}, {"clarity": 2, "depth": 2}), T0)}
    rows = heat_map([TALK, CODE], ready)
    assert [(r.key, r.name) for r in rows] == [
        ("clarity", "Clarity / Clarity of code"),
        ("depth", "Depth"),
        ("tests", "Tests"),
    ]
    # (scored by the stage, recent mean): code scores clarity and tests but has no cards yet.
    assert rows[0].cells == ((True, 2.5), (True, None))
    assert rows[1].cells == ((True, 1.5), (False, None))
    assert rows[2].cells == ((False, None), (True, None))
