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

Run as `python bench/floor.py HOST PORT WORKERS THREADS` with the bench's MOCKLOOP_INSTANCE_PATH;
bench/run.py starts and stops it.
"""

import json
import os
import sys
from pathlib import Path

from flask import jsonify, render_template, session
from flask_login import login_required
from sqlalchemy import text

from mockloop import create_app
from mockloop.db import db
from mockloop.serve import GunicornApp, gunicorn_options

app = create_app()
SELECT_1 = text("SELECT 1")
STATE = json.loads(Path(os.environ["MOCKLOOP_BENCH_STATE"]).read_text()) if "MOCKLOOP_BENCH_STATE" in os.environ else {}
EMPTY_PAGE = app.jinja_env.from_string('{% extends "base.html" %}')  # compiled once, as Flask's loader caches a file


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


if __name__ == "__main__":
    host, port, workers, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    GunicornApp(gunicorn_options(host, port, workers, threads), load=lambda: app).run()
