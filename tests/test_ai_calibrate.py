"""Calibration: the agreement arithmetic on known data, and `mockloop ai calibrate` running the
reviewer over human-scored rounds, printing agreement per dimension and storing the result that
decides whether AI cards may say they are calibrated."""

import pytest

from mockloop.cli import main
from mockloop.core.agreement import agreement, weighted_kappa
from mockloop.db import db
from mockloop.db.models import AiCalibration, AiUsage, Scorecard
from tests.fake_provider import Reply
from tests.helpers import signed_up


def test_weighted_kappa_on_known_tables():
    assert weighted_kappa([(1, 1), (2, 2), (3, 3), (4, 4)]) == 1.0
    assert weighted_kappa([(1, 2), (2, 1)]) == pytest.approx(-1.0)  # always swapped
    assert weighted_kappa([(1, 1), (1, 2), (2, 1), (2, 2)]) == pytest.approx(0.0)  # no better than chance
    # Worked by hand: observed weighted disagreement 1/9, expected by chance 53/45.
    assert weighted_kappa([(1, 1), (2, 2), (3, 3), (4, 4), (2, 3)]) == pytest.approx(48 / 53)
    assert weighted_kappa([(3, 3), (3, 3)]) is None  # one level throughout: undefined, not perfect
    assert weighted_kappa([(2, 2)]) is None


def test_a_far_miss_costs_more_than_a_near_one():
    near = weighted_kappa([(1, 1), (2, 2), (3, 3), (4, 4), (1, 2)])
    far = weighted_kappa([(1, 1), (2, 2), (3, 3), (4, 4), (1, 4)])
    assert near > far


def test_mae_exact_and_adjacent_agreement():
    found = agreement([(1, 1), (2, 3), (4, 2), (3, 3)])
    assert (found.pairs, found.mae, found.exact, found.adjacent) == (4, 0.75, 0.5, 0.75)
    assert agreement([]).pairs == 0 and agreement([]).kappa is None


def output(clarity, depth):
    return {
        "dimensions": {
            "clarity": {"level": clarity, "quotes": [], "reasoning": "Seen."},
            "depth": {"level": depth, "quotes": [], "reasoning": "Seen."},
        },
        "overall": "yes",
        "keep": "k",
        "stop": "s",
        "start": "st",
    }


@pytest.fixture
def app(make_ai_app):
    return make_ai_app()


def human_rounds(app, make_round, make_scorecard, count):
    signed_up(app)
    levels = []
    for i in range(count):
        rid = make_round()
        clarity, depth = 1 + i % 4, 1 + (i // 2) % 4
        make_scorecard(rid, levels={"clarity": clarity, "depth": depth})
        levels.append((clarity, depth))
    return levels


def test_calibrate_prints_agreement_per_dimension_and_an_agreeing_model_is_calibrated(
    app, fake_provider, make_round, make_scorecard, frozen_clock
):
    levels = human_rounds(app, make_round, make_scorecard, 30)
    # The cards are read newest first; the fake agrees with each human card exactly.
    for clarity, depth in reversed(levels):
        fake_provider.script(Reply(tool_input=output(clarity, depth)))
    result = app.test_cli_runner().invoke(main, ["ai", "calibrate"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Calibrating test-model (anthropic) on 30 human-scored rounds."
    assert any(line.split() == ["quick/clarity", "30", "1.00", "0.00", "100%", "100%"] for line in lines), result.output
    assert any(line.split() == ["all", "dimensions", "60", "1.00", "0.00", "100%", "100%"] for line in lines)
    assert lines[-1] == "Stored. AI cards on this instance now say: calibrated."
    with app.app_context():
        stored = db.session.execute(db.select(AiCalibration)).scalar_one()
        assert (stored.rounds, stored.kappa, stored.model) == (30, 1.0, "test-model")
        assert db.session.execute(db.select(Scorecard).filter_by(role="ai")).first() is None  # compared, not kept
        assert {u.user_id for u in db.session.execute(db.select(AiUsage)).scalars()} == {None}  # no one's budget
    # Human cards are never sent: only the rounds' own material.
    assert all("Evidence for clarity." not in r.sent_text for r in fake_provider.requests)


def test_too_few_rounds_or_too_little_agreement_is_not_calibrated(
    app, fake_provider, make_round, make_scorecard, frozen_clock
):
    levels = human_rounds(app, make_round, make_scorecard, 6)
    for clarity, depth in levels:
        fake_provider.script(Reply(tool_input=output(5 - clarity, depth)))  # clarity mirrored
    result = app.test_cli_runner().invoke(main, ["ai", "calibrate"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "Stored. AI cards on this instance now say: not calibrated (it needs at least 30 rounds and kappa 0.67)."
    )


def test_an_ai_card_says_calibrated_only_after_a_passing_calibration_of_its_model(app, fake_provider, frozen_clock):
    from datetime import datetime, timezone

    from mockloop.services.ai import calibration

    settings = app.extensions["ai"]
    at = datetime(2026, 5, 4, tzinfo=timezone.utc)
    with app.app_context():
        assert calibration.status(settings) == "not calibrated on this instance"
        db.session.add(
            AiCalibration(at=at, provider="anthropic", model="other-model", rounds=40, kappa=0.9, dimensions=[])
        )
        db.session.add(
            AiCalibration(at=at, provider="anthropic", model="test-model", rounds=29, kappa=0.9, dimensions=[])
        )
        db.session.flush()
        assert calibration.status(settings) == "not calibrated on this instance"
        db.session.add(
            AiCalibration(at=at, provider="anthropic", model="test-model", rounds=31, kappa=0.7, dimensions=[])
        )
        db.session.flush()
        assert calibration.status(settings) == "calibrated on this instance: kappa 0.70 over 31 human-scored rounds"
        db.session.rollback()


def test_calibrate_with_ai_off_says_what_to_set(make_app):
    result = make_app().test_cli_runner().invoke(main, ["ai", "calibrate"])
    assert result.exit_code != 0 and "AI is off: set AI_PROVIDER and AI_MODEL" in result.output
