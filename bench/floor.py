"""mockloop's floors: the real app plus routes that are logged in and do nothing else.

POST /bench/floor is logged in and CSRF-checked: posting the rubric's own body to it measures what
every logged-in form post costs before the view does any work (session, CSRF token, form parsing,
loading the user), so the bench can show how much of the rubric submit's budget that leaves.

GET /bench/floor-poll reads the session cookie and runs one `SELECT 1` through the app's engine,
then answers 304: the least a poll that checks anything in the database can cost on this stack,
beside which the state poll's 304 is read.

GET /bench/floor-state does the same and answers 200 with a state of the real one's shape and size
(the JSON file named by MOCKLOOP_BENCH_STATE, serialized on each request as the real poll does): the
floor of the full 200.

GET /bench/floor-page is logged in (the user loader runs) and renders the app's own layout
(base.html: the navigation, the CSRF token, the notices) around an empty page: what every page of
the app costs before its view reads or renders anything of its own, beside which the round page is read.

GET /bench/floor-round/<id> adds the round page's own read to that (round_for, as the page calls it:
the round with its saved work, and the check that the user takes part): the least the round page can
cost while it reads through the app's data access, before it renders anything of the round.

POST /bench/floor-score/<id> takes the rubric's post and stores fixed, complete answers through the
scoring service as the rubric submit does (round_and_card, scorecards.submit, the commit):
everything it does but its web form (the forged-field and completeness checks, the redirect). The
rubric submit can cost no less while it reads and writes through the app's data access.

POST /bench/floor-write/<id> takes the same post and only inserts the card and its score rows (the
statements built once) and commits: no read, no check, no version bump. What storing a scorecard
costs on this stack, whatever reads and checks come before it.

Run as `python bench/floor.py HOST PORT WORKERS THREADS` with the bench's MOCKLOOP_INSTANCE_PATH;
bench/run.py starts and stops it.
"""

import json
import os
import sys
from pathlib import Path

from flask import jsonify, render_template, session
from flask_login import current_user, login_required
from sqlalchemy import insert, text

from mockloop import clock, create_app
from mockloop.content import content
from mockloop.core import rubric as rubric_core
from mockloop.db import db
from mockloop.db.models import Score, Scorecard
from mockloop.serve import GunicornApp, gunicorn_options
from mockloop.services.scorecards import submit
from mockloop.web.access import round_and_card, round_for
from mockloop.web.transaction import transaction

app = create_app()
SELECT_1 = text("SELECT 1")
STATE = json.loads(Path(os.environ["MOCKLOOP_BENCH_STATE"]).read_text()) if "MOCKLOOP_BENCH_STATE" in os.environ else {}
EMPTY_PAGE = app.jinja_env.from_string('{% extends "base.html" %}')  # compiled once, as Flask's loader caches a file
with app.app_context():  # what the bench's rubric post says, as the form would hand it to the service
    RUBRIC = rubric_core.snapshot(content().loop, content().loop.stage("systems-design"))
ANSWERS = {
    "levels": {d["key"]: n % 4 + 1 for n, d in enumerate(RUBRIC["dimensions"])},
    "evidence": {d["key"]: "Named the bottleneck and measured it." for d in RUBRIC["dimensions"]},
    "overall": "yes",
    "keep": "Clear structure.",
    "stop": "Rushing the API.",
    "start": "Quantify the load.",
}


@app.post("/bench/floor")
@login_required
def floor():
    return "ok"


def polled() -> bool:
    """What every poll does first: read the session cookie and ask the database once."""
    if not session.get("_user_id"):
        return False
    with db.engine.connect() as conn:
        conn.execute(SELECT_1).first()
    return True


@app.get("/bench/floor-poll")
def floor_poll():
    return ("", 304) if polled() else ("", 401)


@app.get("/bench/floor-state")
def floor_state():
    if not polled():
        return "", 401
    response = jsonify(STATE)
    response.set_etag("floor")
    response.headers["Cache-Control"] = "no-cache"
    return response


@app.get("/bench/floor-page")
@login_required
def floor_page():
    return render_template(EMPTY_PAGE)


INSERT_CARD, INSERT_SCORES = insert(Scorecard.__table__), insert(Score.__table__)


@app.get("/bench/floor-round/<int:round_id>")
@login_required
def floor_round(round_id: int):
    round_for(round_id, current_user, details=False, work=True)
    return render_template(EMPTY_PAGE)


@app.post("/bench/floor-score/<int:round_id>")
@login_required
@transaction()
def floor_score(round_id: int):
    rnd, card = round_and_card(round_id, current_user, details=False)
    submit(rnd, card, RUBRIC, ANSWERS, current_user, 0, clock.now())
    return "ok"


@app.post("/bench/floor-write/<int:round_id>")
@login_required
@transaction()
def floor_write(round_id: int):
    user, now = current_user.id, clock.now()
    common = {"candidate_id": user, "role": "self", "stage": RUBRIC["stage"]}
    card_id = db.session.execute(
        INSERT_CARD,
        {
            "round_id": round_id,
            "reviewer_id": user,
            "prompt_slug": "bench",
            "status": "submitted",
            "rubric": RUBRIC,
            "revision": 1,
            "created_at": now,
            "submitted_at": now,
            "overall": ANSWERS["overall"],
            **{f: ANSWERS[f] for f in rubric_core.SUMMARY_FIELDS},
            **common,
        },
    ).inserted_primary_key[0]
    rows = [
        {
            "scorecard_id": card_id,
            "dimension": d["key"],
            "position": n,
            "level": ANSWERS["levels"][d["key"]],
            "evidence": ANSWERS["evidence"][d["key"]],
            "scored_at": now,
            **common,
        }
        for n, d in enumerate(RUBRIC["dimensions"])
    ]
    db.session.execute(INSERT_SCORES, rows)
    return "ok"


if __name__ == "__main__":
    host, port, workers, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    GunicornApp(gunicorn_options(host, port, workers, threads), load=lambda: app).run()
