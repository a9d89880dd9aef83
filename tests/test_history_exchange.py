"""The work history and the markers in export and import (services/exchange.py, core/export_format.py
version 2): exported compactly, restored so the copy replays the same, checked before anything is
stored; files of version 1 still import."""

from __future__ import annotations

import io
import json

import pytest

from mockloop.db import db
from mockloop.db.models import Round
from tests.helpers import csrf_token, signed_up


@pytest.fixture
def app(small_loop_app):
    return small_loop_app


def import_file(api, doc):
    return api.client.post(
        "/import",
        data={"csrf_token": api.token(), "file": (io.BytesIO(json.dumps(doc).encode()), "export.json")},
        content_type="multipart/form-data",
    )


def save(api, rid, kind, text, revision):
    assert api.call("PUT", f"/api/rounds/{rid}/{kind}", {"text": text, "revision": revision}).status_code == 200


BRIEF = "Rate limiter: a token bucket per key, refilled every second.\n"
AT = len(BRIEF)


@pytest.fixture
def interviewed(app, frozen_clock):
    """Bob interviews Ada: she types three saves, he writes notes and drops a marker; it ends."""
    ada, bob = signed_up(app), signed_up(app, "bob@example.com", "Bob")
    made = ada.start(stage="quick", prompt="quick-prompt-1", role="candidate", minutes=2).get_json()
    link = made["invite_url"].replace("http://localhost", "")
    bob.client.post(link, data={"csrf_token": csrf_token(bob.client, link)})
    rid = made["id"]
    bob.call("POST", f"/api/rounds/{rid}/start")
    for n, text in enumerate([BRIEF + "Plan", BRIEF + "Plan: queue", BRIEF + "Plan: queue + retries"]):
        frozen_clock.advance(seconds=10)
        save(ada, rid, "scratchpad", text, n)
    save(bob, rid, "notes", "NOTES-OF-BOB", 0)
    bob.call("POST", f"/api/rounds/{rid}/markers", {"text": "asked about retries"})
    frozen_clock.advance(seconds=5)
    bob.call("POST", f"/api/rounds/{rid}/end")
    return ada, bob, rid


def test_the_export_holds_the_history_each_participant_may_see(interviewed):
    ada, bob, _ = interviewed
    [mine] = ada.client.get("/export.json").get_json()["rounds"]
    assert mine["history"]["scratchpad"] == [
        {"revision": 1, "text": BRIEF + "Plan", "saved_at": "2026-05-04T12:00:10+00:00"},
        {"revision": 2, "edit": [AT + 4, AT + 4, ": queue"], "saved_at": "2026-05-04T12:00:20+00:00"},
        {"revision": 3, "edit": [AT + 11, AT + 11, " + retries"], "saved_at": "2026-05-04T12:00:30+00:00"},
    ]
    assert "notes" not in mine["history"] and mine["markers"] == []
    assert "NOTES-OF-BOB" not in json.dumps(mine) and "asked about retries" not in json.dumps(mine)
    doc = bob.client.get("/export.json").get_json()
    assert doc["version"] == 2
    [theirs] = doc["rounds"]
    assert theirs["history"]["notes"][0]["text"] == "NOTES-OF-BOB"
    assert [m["text"] for m in theirs["markers"]] == ["asked about retries"]


def test_an_imported_round_replays_the_same(app, interviewed):
    _, bob, _ = interviewed
    doc = bob.client.get("/export.json").get_json()
    carol = signed_up(app, "carol@example.com", "Carol")
    assert import_file(carol, doc).status_code == 302
    [copy] = carol.client.get("/export.json").get_json()["rounds"]
    assert copy["history"] == doc["rounds"][0]["history"] and copy["markers"] == doc["rounds"][0]["markers"]
    with app.app_context():
        rid = db.session.execute(db.select(db.func.max(Round.id))).scalar()
    page = carol.client.get(f"/rounds/{rid}/replay").get_data(as_text=True)
    assert "asked about retries" in page
    assert carol.client.get(f"/api/rounds/{rid}/history/scratchpad/2").get_json()["text"] == BRIEF + "Plan: queue"
    # Her notes go on from the imported ones: the next save keeps revision 2 after them.
    save(carol, rid, "notes", "NOTES-OF-BOB, and more", 1)
    assert carol.client.get(f"/api/rounds/{rid}/history/notes/2").get_json()["text"] == "NOTES-OF-BOB, and more"


@pytest.mark.parametrize(
    "history, message",
    [
        ({"scratchpad": [{"revision": 1, "edit": [0, 0, "x"], "saved_at": "2026-05-04T12:00:10Z"}]}, "rebuild"),
        (
            {
                "scratchpad": [
                    {"revision": 1, "text": "ab", "saved_at": "2026-05-04T12:00:10Z"},
                    {"revision": 2, "edit": [1, 9, "x"], "saved_at": "2026-05-04T12:00:20Z"},
                ]
            },
            "rebuild",
        ),
        (
            {
                "scratchpad": [
                    {"revision": 2, "text": "a", "saved_at": "2026-05-04T12:00:10Z"},
                    {"revision": 2, "text": "b", "saved_at": "2026-05-04T12:00:20Z"},
                ]
            },
            "a revision after the one before it",
        ),
        ({"poems": []}, "rounds[0].history.poems"),
        (
            {"scratchpad": [{"revision": 1, "edit": [0, 0], "saved_at": "2026-05-04T12:00:10Z"}]},
            "[start, end, inserted text]",
        ),
    ],
)
def test_a_broken_history_is_refused_and_nothing_is_imported(app, interviewed, history, message):
    ada, _, _ = interviewed
    doc = ada.client.get("/export.json").get_json()
    doc["rounds"][0]["uid"] = "0" * 8 + "-new-round"
    doc["rounds"][0]["history"] = history
    carol = signed_up(app, "carol@example.com", "Carol")
    res = import_file(carol, doc)
    assert res.status_code == 400 and message in res.get_data(as_text=True)
    assert carol.client.get("/export.json").get_json()["rounds"] == []


def test_a_version_1_file_without_history_still_imports(app, interviewed):
    ada, _, _ = interviewed
    doc = ada.client.get("/export.json").get_json()
    doc["version"] = 1
    for r in doc["rounds"]:
        del r["history"], r["markers"]
    carol = signed_up(app, "carol@example.com", "Carol")
    assert import_file(carol, doc).status_code == 302
    [copy] = carol.client.get("/export.json").get_json()["rounds"]
    assert copy["history"] == {} and copy["scratchpad"] == BRIEF + "Plan: queue + retries"
