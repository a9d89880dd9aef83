"""The factory fixtures build what they say: a round in each status, solo and peer, and a scorecard."""

import pytest

from mockloop.db import db
from mockloop.db.models import Round, Scorecard
from tests.helpers import Auth


@pytest.fixture
def app(small_loop_app):
    return small_loop_app


@pytest.mark.parametrize("mode", ["solo", "peer"])
@pytest.mark.parametrize("status", ["planned", "running", "paused", "locked"])
def test_make_round_in_each_status(app, make_user, make_round, frozen_clock, mode, status):
    ada, bob = make_user(), make_user("bob@example.com", "Bob")
    rid = make_round(status=status, mode=mode, interviewer=bob if mode == "peer" else None)
    with app.app_context():
        rnd = db.session.get(Round, rid)
        assert (rnd.status, rnd.mode, rnd.candidate_id) == (status, mode, ada)
        assert rnd.interviewer_id == (bob if mode == "peer" else None)


def test_make_scorecard_submits_a_card_the_owner_sees(app, make_user, make_round, make_scorecard, frozen_clock):
    make_user()
    card = make_scorecard(make_round(), levels={"clarity": 4})
    with app.app_context():
        assert db.session.get(Scorecard, card).status == "submitted"
    client = app.test_client()
    Auth(client).login()
    assert "Evidence for clarity." in client.get(f"/scorecards/{card}").get_data(as_text=True)
