"""The start form: a picked prompt keeps its own length, and a short trial round runs the whole flow."""

import re

from mockloop.db import db
from mockloop.db.models import Round
from tests.helpers import csrf_token


def _round(app, response) -> Round:
    assert response.status_code == 302, response.get_data(as_text=True)
    rid = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        rnd = db.session.get(Round, rid)
        db.session.expunge(rnd)
        return rnd


def test_an_empty_duration_takes_the_picked_prompts_own_length(app, client, auth):
    auth.signup()
    page = client.get("/stages/take-home/start").get_data(as_text=True)
    # the form no longer pre-fills the stage's default, which a prompt picked from the list kept
    assert re.search(r'id="minutes"[^>]*value=""', page, re.S)
    assert 'value="batching-proxy" data-minutes="300"' in page
    token = csrf_token(client, "/stages/take-home/start")
    rnd = _round(
        app,
        client.post(
            "/stages/take-home/start",
            data={"csrf_token": token, "prompt": "batching-proxy", "minutes": "", "role": "solo"},
        ),
    )
    assert rnd.minutes == 300
    assert sum(minutes for _, minutes in rnd.plan) == 300


def test_a_trial_round_is_a_two_minute_solo_round(app, client, auth):
    auth.signup()
    page = client.get("/stages/systems-design/start").get_data(as_text=True)
    assert "Try it: 2-minute solo round" in page
    token = csrf_token(client, "/stages/systems-design/start")
    rnd = _round(
        app,
        client.post(
            "/stages/systems-design/start",
            data={"csrf_token": token, "prompt": "surprise", "minutes": "", "role": "solo", "trial": "1"},
        ),
    )
    assert rnd.minutes == 2 and rnd.mode == "solo" and rnd.status == "running"
    assert abs(sum(minutes for _, minutes in rnd.plan) - 2) < 1e-9


def test_a_trial_round_with_a_peer_is_refused_with_the_form_kept(client, auth):
    auth.signup()
    token = csrf_token(client, "/stages/systems-design/start")
    res = client.post(
        "/stages/systems-design/start",
        data={"csrf_token": token, "prompt": "surprise", "minutes": "70", "role": "candidate", "trial": "1"},
    )
    assert res.status_code == 400
    page = res.get_data(as_text=True)
    assert "trial round is solo" in page and 'value="70"' in page
