"""The work history (services/revisions.py): every autosave through work.save keeps a revision with
its time, compactly, within the round's cap, thinned oldest-first but never losing the final state."""

from __future__ import annotations

import random
import re

import pytest

from mockloop.core import revisions as core
from mockloop.db import db
from mockloop.db.models import Round, RoundRevision, RoundWork
from mockloop.services import revisions
from tests.helpers import signed_up, statements_sent


@pytest.fixture
def app(small_loop_app):
    return small_loop_app


def rows(app, rid, kind="scratchpad"):
    with app.app_context():
        return db.session.execute(
            db.select(RoundRevision.revision, RoundRevision.saved_at, RoundRevision.full)
            .filter_by(round_id=rid, kind=kind)
            .order_by(RoundRevision.revision)
        ).all()


def what(statement):
    """A statement as its verb and first table: "SELECT rounds", "INSERT round_revisions"."""
    verb = re.match(r"(RELEASE SAVEPOINT|SAVEPOINT|SELECT|UPDATE|INSERT)", statement)[1]
    table = re.search(r"(?:FROM|UPDATE|INTO) (\w+)", statement) if "SAVEPOINT" not in verb else None
    return f"{verb} {table[1]}" if table else verb


def text_of(app, rid, kind, revision):
    with app.app_context():
        return revisions.text_of(rid, kind, revision)[1]


def save(api, rid, kind, text, revision):
    res = api.call("PUT", f"/api/rounds/{rid}/{kind}", {"text": text, "revision": revision})
    assert res.status_code == 200, res.get_json()
    return res.get_json()["revision"]


def test_every_save_keeps_a_revision_with_its_time(app, frozen_clock):
    ada = signed_up(app)
    rid = ada.start(stage="quick", prompt="quick-prompt-1", minutes=2).get_json()["id"]
    intro = "Design a rate limiter for the public API, per key and per organisation.\n"
    typed = [intro + "Req", intro + "Requirements:\n- 1k rps", intro + "Requirements:\n- 10k rps\n- p99 < 50 ms"]
    times = []
    for n, text in enumerate(typed):
        times.append(frozen_clock.advance(seconds=3))
        save(ada, rid, "scratchpad", text, n)
    kept = rows(app, rid)
    assert [(r.revision, r.saved_at, r.full) for r in kept] == [
        (1, times[0], True),
        (2, times[1], False),
        (3, times[2], False),
    ]
    assert [text_of(app, rid, "scratchpad", n) for n in (1, 2, 3)] == typed
    with app.app_context():
        edit = db.session.execute(db.select(RoundRevision.body).filter_by(round_id=rid, revision=3)).scalar_one()
    assert edit == b"E89,93,0k rps\n- p99 < 50 m"  # the changed span and its place, not the whole text again


def test_a_refused_save_keeps_no_revision(app, frozen_clock):
    ada = signed_up(app)
    rid = ada.start(stage="quick", prompt="quick-prompt-1", minutes=2).get_json()["id"]
    save(ada, rid, "scratchpad", "first", 0)
    stale = ada.call("PUT", f"/api/rounds/{rid}/scratchpad", {"text": "older tab", "revision": 0})
    assert stale.status_code == 409
    frozen_clock.advance(minutes=3)  # past the deadline: the save is refused and the round locks
    late = ada.call("PUT", f"/api/rounds/{rid}/scratchpad", {"text": "too late", "revision": 1})
    assert late.status_code == 409 and late.get_json()["reason"] == "locked"
    assert [r.revision for r in rows(app, rid)] == [1]


def test_code_keeps_its_history_too(app, frozen_clock):
    ada = signed_up(app)
    rid = ada.start(stage="code", prompt="code-prompt-1", minutes=2).get_json()["id"]
    save(ada, rid, "code", "def add(a, b):\n    return a\n", 0)
    frozen_clock.advance(seconds=5)
    save(ada, rid, "code", "def add(a, b):\n    return a + b\n", 1)
    assert text_of(app, rid, "code", 1) == "def add(a, b):\n    return a\n"
    assert [r.full for r in rows(app, rid, "code")] == [True, False]


def test_an_autosave_reads_the_history_it_continues_in_one_statement(app, frozen_clock):
    # Every autosave of every round runs this path: besides the login and the round, one read of the
    # text it was written on, the two guarded writes, one read of the piece's history, the revision.
    ada = signed_up(app)
    rid = ada.start(stage="code", prompt="code-prompt-1", minutes=2).get_json()["id"]
    save(ada, rid, "code", "def add(a, b):\n    return a\n", 0)
    frozen_clock.advance(seconds=3)
    with statements_sent(app) as statements:
        save(ada, rid, "code", "def add(a, b):\n    return a + b\n", 1)
    assert [what(s) for s in statements] == [
        "SELECT users",
        "SELECT rounds",
        "SELECT round_work",
        "SAVEPOINT",
        "UPDATE rounds",
        "UPDATE round_work",
        "SELECT round_revisions",
        "INSERT round_revisions",
        "RELEASE SAVEPOINT",
    ], statements
    assert [(r.revision, r.full) for r in rows(app, rid, "code")] == [(1, True), (2, False)]
    assert text_of(app, rid, "code", 2) == "def add(a, b):\n    return a + b\n"


def test_a_save_after_an_import_starts_with_a_full_copy(app, frozen_clock):
    ada = signed_up(app)
    rid = ada.start(stage="quick", prompt="quick-prompt-1", minutes=2).get_json()["id"]
    with app.app_context():  # a piece with no history behind it, as an import leaves one
        db.session.add(RoundWork(round_id=rid, kind="scratchpad", body="imported text", revision=4))
        db.session.commit()
    save(ada, rid, "scratchpad", "imported text, edited", 4)
    assert [(r.revision, r.full) for r in rows(app, rid)] == [(5, True)]
    assert text_of(app, rid, "scratchpad", 5) == "imported text, edited"


def test_the_cap_thins_the_oldest_detail_and_keeps_the_final_state(app, frozen_clock, monkeypatch):
    monkeypatch.setattr(core, "ROUND_CAP", 6_000)
    monkeypatch.setattr(core, "THIN_TO", 4_500)
    ada = signed_up(app)
    rid = ada.start(stage="quick", prompt="quick-prompt-1", minutes=2).get_json()["id"]
    rng = random.Random(3)
    text, saved = "", {}
    for n in range(120):
        frozen_clock.advance(milliseconds=900)
        # Rewrites in the middle, not just appends: merged edits then save space.
        at = rng.randint(0, len(text))
        text = text[:at] + "".join(rng.choice("abcdefgh ") for _ in range(40)) + text[at + 30 :]
        saved[save(ada, rid, "scratchpad", text, n)] = text
        with app.app_context():
            assert revisions.stored_bytes(rid) <= core.ROUND_CAP
    kept = [r.revision for r in rows(app, rid)]
    assert kept[-1] == 120 and text_of(app, rid, "scratchpad", 120) == text  # the final state
    assert 1 in kept and len(kept) < 120
    old, new = [r for r in kept if r <= 60], [r for r in kept if r > 60]
    assert len(old) < len(new)  # the oldest detail went first
    assert all(text_of(app, rid, "scratchpad", r) == saved[r] for r in kept)  # what is kept is exact


def test_a_big_final_state_alone_over_the_cap_is_kept(app, frozen_clock, monkeypatch):
    monkeypatch.setattr(core, "ROUND_CAP", 300)
    monkeypatch.setattr(core, "THIN_TO", 200)
    ada = signed_up(app)
    rid = ada.start(stage="quick", prompt="quick-prompt-1", minutes=2).get_json()["id"]
    rng = random.Random(5)
    big = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(2_000))  # ~1,200 bytes zipped
    save(ada, rid, "scratchpad", big, 0)
    frozen_clock.advance(seconds=1)
    save(ada, rid, "scratchpad", big + "!", 1)
    assert [r.revision for r in rows(app, rid)][-1] == 2
    assert text_of(app, rid, "scratchpad", 2) == big + "!"


def test_the_history_goes_with_the_round(app, frozen_clock):
    ada = signed_up(app)
    rid = ada.start(stage="quick", prompt="quick-prompt-1", minutes=2).get_json()["id"]
    save(ada, rid, "scratchpad", "gone soon", 0)
    with app.app_context():
        db.session.delete(db.session.get(Round, rid))
        db.session.commit()
        assert db.session.execute(db.select(db.func.count()).select_from(RoundRevision)).scalar() == 0
