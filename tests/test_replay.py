"""The replay page and its revisions API (web/replay.py): open after the lock, linked from the
scorecard, the history and the round page, and showing each participant only what is theirs."""

from __future__ import annotations

import json
import re

import pytest

from tests.helpers import csrf_token, scored_round, signed_up


@pytest.fixture
def app(small_loop_app):
    return small_loop_app


def timeline(page: str) -> dict:
    raw = re.search(r'<script type="application/json" id="replay-data">(.*?)</script>', page, re.S).group(1)
    return json.loads(raw)


def save(api, rid, kind, text, revision):
    res = api.call("PUT", f"/api/rounds/{rid}/{kind}", {"text": text, "revision": revision})
    assert res.status_code == 200, res.get_json()


def test_the_replay_opens_after_the_lock_with_every_save_on_its_timeline(app, frozen_clock):
    ada = signed_up(app)
    rid = ada.start(stage="quick", prompt="quick-prompt-1", minutes=2).get_json()["id"]
    frozen_clock.advance(seconds=10)
    save(ada, rid, "scratchpad", "first idea", 0)
    assert ada.client.get(f"/rounds/{rid}/replay").status_code == 409  # still running
    assert ada.client.get(f"/api/rounds/{rid}/history/scratchpad/1").status_code == 409
    frozen_clock.advance(seconds=20)
    save(ada, rid, "scratchpad", "first idea, then a better one", 1)
    frozen_clock.advance(seconds=5)
    ada.call("POST", f"/api/rounds/{rid}/end")

    page = ada.client.get(f"/rounds/{rid}/replay")
    assert page.status_code == 200
    data = timeline(page.get_data(as_text=True))
    assert data["duration_ms"] == 35_000
    assert data["work"]["scratchpad"] == [[10_000, 1], [30_000, 2]]
    assert "notes" not in data["work"] and data["markers"] == []
    first = ada.client.get(f"/api/rounds/{rid}/history/scratchpad/1")
    assert first.get_json() == {"revision": 1, "saved_at": "2026-05-04T12:00:10Z", "text": "first idea"}
    assert "max-age" in first.headers["Cache-Control"]
    assert ada.client.get(f"/api/rounds/{rid}/history/scratchpad/2").get_json()["text"].endswith("a better one")
    assert ada.client.get(f"/api/rounds/{rid}/history/scratchpad/3").status_code == 404
    assert ada.client.get(f"/api/rounds/{rid}/history/poems/1").status_code == 404


def test_the_replay_is_linked_from_the_scorecard_the_history_and_the_round(app, frozen_clock):
    ada = signed_up(app)
    rid = scored_round(ada, frozen_clock)
    link = f'href="/rounds/{rid}/replay"'
    card = re.search(r'href="(/scorecards/\d+)"', ada.client.get("/history").get_data(as_text=True)).group(1)
    assert link in ada.client.get("/history").get_data(as_text=True)
    assert link in ada.client.get(card).get_data(as_text=True)
    assert link in ada.client.get(f"/rounds/{rid}").get_data(as_text=True)


def peer_round(app, ada, bob):
    made = ada.start(stage="quick", prompt="quick-prompt-1", role="candidate", minutes=2).get_json()
    link = made["invite_url"].replace("http://localhost", "")
    bob.client.post(link, data={"csrf_token": csrf_token(bob.client, link)})
    bob.call("POST", f"/api/rounds/{made['id']}/start")
    return made["id"]


def test_the_candidates_replay_has_the_notes_and_markers_only_once_shared(app, frozen_clock):
    ada, bob, eve = signed_up(app), signed_up(app, "bob@example.com", "Bob"), signed_up(app, "eve@example.com", "Eve")
    rid = peer_round(app, ada, bob)
    frozen_clock.advance(seconds=30)
    save(bob, rid, "notes", "PRIVATE-NOTE", 0)
    bob.call("POST", f"/api/rounds/{rid}/markers", {"text": "PRIVATE-MARKER"})
    save(ada, rid, "scratchpad", "the candidate's plan", 0)
    bob.call("POST", f"/api/rounds/{rid}/end")

    theirs = bob.client.get(f"/rounds/{rid}/replay").get_data(as_text=True)
    assert timeline(theirs)["markers"] == [{"at_ms": 30_000, "clock_s": 30, "text": "PRIVATE-MARKER"}]
    assert "notes" in timeline(theirs)["work"] and "Share my notes and markers" in theirs
    assert bob.client.get(f"/api/rounds/{rid}/history/notes/1").get_json()["text"] == "PRIVATE-NOTE"

    mine = ada.client.get(f"/rounds/{rid}/replay").get_data(as_text=True)
    assert "PRIVATE" not in mine and "notes" not in timeline(mine)["work"]
    assert ada.client.get(f"/api/rounds/{rid}/history/notes/1").status_code == 403
    assert ada.client.get(f"/api/rounds/{rid}/history/scratchpad/1").status_code == 200
    assert eve.client.get(f"/rounds/{rid}/replay").status_code == 404
    assert eve.client.get(f"/api/rounds/{rid}/history/scratchpad/1").status_code == 404

    bob.client.post(f"/rounds/{rid}/share", data={"csrf_token": bob.token(), "shared": "1"})
    shared = ada.client.get(f"/rounds/{rid}/replay").get_data(as_text=True)
    assert timeline(shared)["markers"][0]["text"] == "PRIVATE-MARKER" and "notes" in timeline(shared)["work"]
    assert ada.client.get(f"/api/rounds/{rid}/history/notes/1").get_json()["text"] == "PRIVATE-NOTE"
