"""The progress page's data is kept per (user, review_version), and the database's triggers move the
version whenever anything it shows changes: each such change is on the very next visit, a visit with
nothing changed reads none of the history again, and autosaves (which change nothing it shows) keep
the kept page. On both engines: the triggers are SQLite's or PostgreSQL's own."""

import io
import re

import pytest
from sqlalchemy import event

from mockloop import clock
from mockloop.db import db
from mockloop.db.models import Round, Scorecard, User
from mockloop.services import lifecycle, scorecards, work
from mockloop.services.users import find_user
from tests.helpers import Auth, signed_up


@pytest.fixture
def app(small_loop_app):
    return small_loop_app  # stages quick (clarity, depth) and talk (behavioral: clarity tags stories)


def text(res) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", res.get_data(as_text=True)))


def version(app, email="ada@example.com") -> int:
    with app.app_context():
        return db.session.execute(db.select(User.review_version).filter_by(email=email)).scalar_one()


class Statements:
    """The SQL statements the app sends while counting."""

    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.sent: list[str] = []
        event.listen(self.engine, "before_cursor_execute", self.seen)

    def seen(self, conn, cursor, statement, *args):
        self.sent.append(statement)

    def close(self):
        event.remove(self.engine, "before_cursor_execute", self.seen)


def test_each_change_shows_on_the_next_visit_and_an_unchanged_visit_reads_no_history(
    app, make_round, make_scorecard, frozen_clock
):
    api = signed_up(app)
    progress = lambda: text(api.client.get("/progress"))  # noqa: E731
    first = make_round(stage="quick")
    make_scorecard(first, levels={"clarity": 1, "depth": 1})
    assert "Quick drill (1 scorecard)" in progress()

    counting = Statements(app)
    try:
        again = progress()
    finally:
        counting.close()
    assert "Quick drill (1 scorecard)" in again
    assert not [s for s in counting.sent if "scorecards" in s or "scores" in s], counting.sent

    frozen_clock.advance(hours=1)
    make_scorecard(make_round(stage="quick"), levels={"clarity": 4, "depth": 4})
    assert "Quick drill (2 scorecards)" in progress()  # a new card

    # The first card resubmitted with other levels: its row in the numbers table follows.
    with app.app_context():
        card = db.session.execute(db.select(Scorecard).filter_by(round_id=first)).scalar_one()
        answers = {**scorecards.answers_of(card), "levels": {"clarity": 2, "depth": 1}}
        ada = find_user("ada@example.com")
        scorecards.submit(card.round, card, card.rubric, answers, ada, card.revision, clock.now())
        db.session.commit()
    assert "Clarity in Quick drill 2 rounds, oldest first: 2, 4" in progress()  # was 1, 4

    # A round started today: readiness says when the stage was last practiced.
    frozen_clock.advance(days=3)
    make_round(stage="talk", prompt="talk-prompt-1", status="running")
    assert "2026-05-07" in re.search(r"Talk .*?Start:", progress()).group(0)

    # A story tagged with the behavioral dimension, then drilled and rated, then deleted.
    res = api.client.post("/stories/new", data={"csrf_token": api.token(), "title": "Pager", "dimensions": ["clarity"]})
    sid = int(res.headers["Location"].rsplit("/", 1)[1])
    assert "1 of 1 dimensions have a story" in progress()
    drill = api.client.post(f"/stories/{sid}/drill", data={"csrf_token": api.token(), "seconds": "60", "cue": "hidden"})
    drill_url = drill.headers["Location"]
    api.client.post(f"{drill_url}/finish", data={"csrf_token": api.token()})
    api.client.post(f"{drill_url}/rate", data={"csrf_token": api.token(), "rating_clarity": "3"})
    assert re.search(r"Clarity 1 3 ", progress()), "the drill's rating as the best last drill"
    api.client.post(f"/stories/{sid}/delete", data={"csrf_token": api.token()})
    assert "dimensions have a story" not in progress()


def test_the_schedulers_lock_and_an_import_move_the_version(app, make_round, make_scorecard, frozen_clock):
    signed_up(app)
    running = make_round(stage="quick", status="running")
    before = version(app)
    frozen_clock.advance(hours=1)  # past its deadline: the scheduler's one locking UPDATE
    with app.app_context():
        assert running in lifecycle.lock_due(clock.now())
        db.session.commit()
    assert version(app) > before

    # Bob's export imported into Ada's account: the cards are hers now, and her page says so.
    bob = signed_up(app, email="bob@example.com", name="Bob")
    make_scorecard(make_round("bob@example.com", stage="quick"))
    export = bob.client.get("/export.json").data
    client = app.test_client()
    Auth(client).login("ada@example.com")
    before = version(app)
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
    upload = {"csrf_token": token, "file": (io.BytesIO(export), "mockloop-export.json")}
    res = client.post("/import", data=upload, follow_redirects=True)
    assert res.status_code == 200, res.get_data(as_text=True)[:300]
    assert version(app) > before
    assert "Quick drill (1 scorecard)" in text(client.get("/progress"))


def test_autosaves_keep_the_kept_page(app, make_round, frozen_clock):
    api = signed_up(app)
    running = make_round(stage="quick", status="running")
    locked = make_round(stage="quick")
    res = api.client.post("/stories/new", data={"csrf_token": api.token(), "title": "Pager", "dimensions": ["clarity"]})
    sid = int(res.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():  # opening the scoring form makes the draft card (once)
        ada = find_user("ada@example.com")
        scorecards.open_card(db.session.get(Round, locked), ada, {"dimensions": []}, clock.now())
        db.session.commit()
    before = version(app)
    with app.app_context():
        work.save(db.session.get(Round, running), "scratchpad", "an autosaved plan", 0, clock.now())
        card = db.session.execute(db.select(Scorecard).filter_by(round_id=locked)).scalar_one()
        scorecards.save_draft(card, {"keep": "half a thought"}, clock.now())
        db.session.commit()
    story = {"title": "Pager", "dimensions": ["clarity"], "prompts": [], "revision": 1, "action": "I paged."}
    assert api.call("PUT", f"/api/stories/{sid}", story).status_code == 200
    assert version(app) == before
