"""The round JSON API: starting, state with ETags, timer actions, scratchpad saves and locking."""

from datetime import timedelta

import pytest

from mockloop.db import db
from mockloop.db.models import Round, RoundEvent


@pytest.fixture
def app(small_loop_app):
    return small_loop_app


def expire_events(app, round_id):
    with app.app_context():
        return db.session.execute(db.select(RoundEvent).filter_by(round_id=round_id, kind="expire")).scalars().all()


def test_start_answers_201_with_the_state(api, frozen_clock):
    res = api.start(stage="quick", prompt="quick-prompt-1", minutes=2)
    assert res.status_code == 201
    body = res.get_json()
    state = body["state"]
    assert state["status"] == "running" and state["stage"] == "quick"
    assert state["remaining_ms"] == 120_000
    assert state["phase"] == {"name": "Think", "index": 0, "ends_at": "2026-05-04T12:01:00Z"}
    assert state["deadline"] == "2026-05-04T12:02:00Z" and state["server_now"] == "2026-05-04T12:00:00Z"
    assert body["url"] == f"/rounds/{body['id']}"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"stage": "nope"}, "stage"),
        ({"stage": "quick", "prompt": "missing"}, "prompt"),
        ({"stage": "quick", "minutes": 99}, "minutes"),
        ({"stage": "quick", "minutes": "ten"}, "minutes"),
        ({"stage": "quick", "difficulty": 3}, "prompt"),  # no quick prompt is that hard
    ],
)
def test_bad_start_requests_are_400_with_the_field(api, body, field):
    res = api.call("POST", "/api/rounds", body)
    assert res.status_code == 400
    assert res.get_json()["field"] == field and res.get_json()["message"]


def test_api_needs_login_and_csrf(client, auth):
    assert client.get("/api/rounds/1/state").status_code == 401
    assert client.get("/api/rounds/1/state").get_json()["message"] == "Log in first."
    auth.signup()
    res = client.post("/api/rounds", json={"stage": "quick"})
    assert res.status_code == 400 and "form expired" in res.get_json()["message"]


def test_state_etag_answers_304_until_something_changes(api, frozen_clock):
    rid = api.start(stage="quick").get_json()["id"]
    first = api.client.get(f"/api/rounds/{rid}/state")
    etag = first.headers["ETag"]
    frozen_clock.advance(seconds=5)
    assert api.client.get(f"/api/rounds/{rid}/state", headers={"If-None-Match": etag}).status_code == 304
    api.call("POST", f"/api/rounds/{rid}/pause")
    changed = api.client.get(f"/api/rounds/{rid}/state", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["paused"] is True


def test_pause_resume_extend_end_are_recorded(api, frozen_clock):
    rid = api.start(stage="quick", minutes=1).get_json()["id"]
    frozen_clock.advance(seconds=10)
    paused = api.call("POST", f"/api/rounds/{rid}/pause").get_json()
    assert paused["status"] == "paused" and paused["paused_by"] == "Ada" and paused["remaining_ms"] == 50_000
    frozen_clock.advance(minutes=10)
    resumed = api.call("POST", f"/api/rounds/{rid}/resume").get_json()
    assert resumed["remaining_ms"] == 50_000
    extended = api.call("POST", f"/api/rounds/{rid}/extend").get_json()
    assert extended["remaining_ms"] == 350_000 and extended["extensions"] == 1
    ended = api.call("POST", f"/api/rounds/{rid}/end").get_json()
    assert ended["status"] == "locked" and ended["lock_reason"] == "ended"
    again = api.call("POST", f"/api/rounds/{rid}/pause")
    assert again.status_code == 409 and "over" in again.get_json()["message"]


def test_reading_the_state_after_the_deadline_locks_once(app, api, frozen_clock):
    rid = api.start(stage="quick", minutes=1).get_json()["id"]
    frozen_clock.advance(minutes=1, seconds=3)
    for _ in range(3):
        state = api.client.get(f"/api/rounds/{rid}/state").get_json()
        assert state["status"] == "locked" and state["lock_reason"] == "time"
        assert state["locked_at"] == "2026-05-04T12:01:00Z"
    events = expire_events(app, rid)
    assert len(events) == 1
    assert events[0].recorded_at - events[0].at == timedelta(seconds=3)


def test_scratchpad_saves_with_revisions(api, frozen_clock):
    rid = api.start(stage="quick").get_json()["id"]
    url = f"/api/rounds/{rid}/scratchpad"
    first = api.call("PUT", url, {"text": "def f(): pass", "revision": 0})
    assert first.status_code == 200 and first.get_json()["revision"] == 1
    stale = api.call("PUT", url, {"text": "old tab text", "revision": 0})
    assert stale.status_code == 409 and stale.get_json()["reason"] == "stale"
    assert api.client.get(url).get_json() == {
        "text": "def f(): pass",
        "revision": 1,
        "saved_at": "2026-05-04T12:00:00Z",
    }


def test_save_after_the_lock_is_409_and_keeps_the_text(api, frozen_clock):
    rid = api.start(stage="quick", minutes=1).get_json()["id"]
    url = f"/api/rounds/{rid}/scratchpad"
    api.call("PUT", url, {"text": "final answer", "revision": 0})
    frozen_clock.advance(seconds=60)
    late = api.call("PUT", url, {"text": "too late", "revision": 1})
    assert late.status_code == 409 and late.get_json()["reason"] == "locked"
    assert "after the deadline" in late.get_json()["message"]
    assert api.client.get(url).get_json()["text"] == "final answer"


def test_save_after_end_early_says_the_round_was_ended(api, frozen_clock):
    rid = api.start(stage="quick", minutes=1).get_json()["id"]
    url = f"/api/rounds/{rid}/scratchpad"
    api.call("PUT", url, {"text": "kept", "revision": 0})
    api.call("POST", f"/api/rounds/{rid}/end")
    late = api.call("PUT", url, {"text": "after the end", "revision": 1})
    body = late.get_json()
    assert late.status_code == 409 and body["reason"] == "locked" and body["lock_reason"] == "ended"
    assert body["message"] == "The round is locked: it was ended early. Your earlier saves are kept."
    assert "deadline" not in body["message"]
    assert api.client.get(url).get_json()["text"] == "kept"


def test_empty_scratchpad_stays_empty(app, api, frozen_clock):
    rid = api.start(stage="quick", minutes=1).get_json()["id"]
    frozen_clock.advance(minutes=2)
    assert api.client.get(f"/api/rounds/{rid}/state").get_json()["status"] == "locked"
    with app.app_context():
        assert db.session.get(Round, rid).text("scratchpad") == ""


@pytest.mark.parametrize("body", [None, {"text": 5, "revision": 0}, {"text": "x"}, {"text": "x", "revision": True}])
def test_bad_scratchpad_bodies_are_400(api, body):
    rid = api.start(stage="quick").get_json()["id"]
    assert api.call("PUT", f"/api/rounds/{rid}/scratchpad", body).status_code == 400


def test_strangers_get_404(app, api):
    rid = api.start(stage="quick").get_json()["id"]
    other = app.test_client()
    from tests.helpers import Api, Auth

    Auth(other).signup(email="eve@example.com", name="Eve")
    assert other.get(f"/api/rounds/{rid}/state").status_code == 404
    assert Api(other).call("POST", f"/api/rounds/{rid}/pause").status_code == 404
    assert other.get(f"/rounds/{rid}").status_code == 404


def test_surprise_prefers_unseen_prompts(api):
    seen = {api.start(stage="quick").get_json()["state"]["prompt"]["slug"] for _ in range(2)}
    assert seen == {"quick-prompt-1", "quick-prompt-2"}


def test_surprise_honours_filters(api):
    for _ in range(3):
        assert api.start(stage="quick", tag="tag-2").get_json()["state"]["prompt"]["slug"] == "quick-prompt-2"


def test_a_lone_surrogate_is_a_clear_400_and_nothing_is_saved(api, frozen_clock):
    """JSON can carry half of a UTF-16 pair ("\\ud83d", a cut emoji): a message a person can act on,
    not a 500 from the preview or the database's encoding error from the save."""
    rid = api.start(stage="quick").get_json()["id"]
    url = f"/api/rounds/{rid}/scratchpad"
    assert api.call("PUT", url, {"text": "kept", "revision": 0}).status_code == 200
    for method, path, raw in (
        ("PUT", url, '{"text": "half \\ud83d of an emoji", "revision": 1}'),
        ("POST", "/api/markdown", '{"text": "half \\ud83d of an emoji"}'),
    ):
        res = api.client.open(
            path, method=method, data=raw, content_type="application/json", headers={"X-CSRFToken": api.token()}
        )
        assert res.status_code == 400 and res.is_json, path
        body = res.get_json()
        assert body["error"]
        assert body["message"].startswith("The text holds a broken character (half of a UTF-16 surrogate pair")
        assert "codec" not in body["message"] and "surrogates not allowed" not in body["message"]
    assert api.client.get(url).get_json()["text"] == "kept"
    assert (
        api.call("POST", "/api/markdown", {"text": "whole \U0001f600 emoji"}).get_json()["html"]
        == "<p>whole \U0001f600 emoji</p>\n"
    )


def test_a_request_reads_the_clock_once(api, frozen_clock, monkeypatch):
    """Every step of a request works at one instant: with a clock that moves a second at each
    reading, a new round's state is still shown as of its start (full time left, deadline its
    minutes after the state's server_now)."""
    from datetime import datetime

    from mockloop import clock

    def ticking():
        return frozen_clock.advance(seconds=1)

    monkeypatch.setattr(clock, "now", ticking)
    state = api.start(stage="quick", prompt="quick-prompt-1", minutes=2).get_json()["state"]
    assert state["remaining_ms"] == 120_000 and state["elapsed_ms"] == 0
    at = {k: datetime.fromisoformat(state[k].replace("Z", "+00:00")) for k in ("server_now", "deadline")}
    assert at["deadline"] - at["server_now"] == timedelta(minutes=2)
