"""The state poll's lean path (web/poll.py): one narrow read, the login checked there, and a state kept
per round version that answers exactly as a freshly built one at every instant."""

from __future__ import annotations

import html
import json
import re

import pytest
from sqlalchemy import event

from mockloop.db import db
from mockloop.db.models import Round
from mockloop.web.payloads import state_payload
from mockloop.web.poll import Kept, StateCache
from tests.conftest import ON_POSTGRES
from tests.helpers import Auth, csrf_token, signed_up, statements_sent


@pytest.fixture
def app(small_loop_app):
    return small_loop_app


def fresh_state(app, rid, now):
    """The state as the ORM path builds it (the round page, the timer actions), for comparison."""
    with app.test_request_context():
        rnd = db.session.get(Round, rid)
        return state_payload(rnd, now)


def poll(api, rid, etag=None):
    return api.client.get(f"/api/rounds/{rid}/state", headers={"If-None-Match": etag} if etag else {})


def test_a_kept_state_answers_as_a_fresh_one_as_time_passes(app, api, frozen_clock):
    rid = api.start(stage="quick", minutes=1).get_json()["id"]
    assert poll(api, rid).status_code == 200  # keeps the state of this version
    for seconds in (1, 20, 15):  # into the second phase at 36 s
        now = frozen_clock.advance(seconds=seconds)
        assert poll(api, rid).get_json() == fresh_state(app, rid, now)
    second = poll(api, rid).get_json()
    assert second["phase"]["name"] == "Answer" and second["remaining_ms"] == 24_000

    api.call("POST", f"/api/rounds/{rid}/pause")
    now = frozen_clock.advance(seconds=40)
    paused = poll(api, rid).get_json()
    assert paused == fresh_state(app, rid, now)
    assert paused["paused_by"] == "Ada" and paused["remaining_ms"] == 24_000

    api.call("POST", f"/api/rounds/{rid}/resume")
    api.call("POST", f"/api/rounds/{rid}/extend")
    now = frozen_clock.advance(seconds=10)
    extended = poll(api, rid).get_json()
    assert extended == fresh_state(app, rid, now) and extended["remaining_ms"] == 314_000


def test_the_poll_locks_a_round_past_its_deadline_whatever_it_kept(app, api, frozen_clock):
    rid = api.start(stage="quick", minutes=1).get_json()["id"]
    etag = poll(api, rid).headers["ETag"]  # a running state kept, and the page holds its ETag
    frozen_clock.advance(minutes=1, seconds=2)
    late = poll(api, rid, etag)
    assert late.status_code == 200 and late.headers["ETag"] != etag
    body = late.get_json()
    assert body["status"] == "locked" and body["lock_reason"] == "time" and body["locked_at"] == "2026-05-04T12:01:00Z"
    with app.app_context():
        assert db.session.get(Round, rid).status == "locked"  # committed: the other viewer finds it locked
    assert poll(api, rid, late.headers["ETag"]).status_code == 304


def test_every_change_a_viewer_sees_moves_the_etag(app, frozen_clock):
    ada, bob = signed_up(app, "ada@example.com", "Ada"), signed_up(app, "bob@example.com", "Bob")
    made = ada.start(stage="code", prompt="code-prompt-1", role="candidate").get_json()
    rid, link = made["id"], made["invite_url"].replace("http://localhost", "")
    etag = poll(ada, rid).headers["ETag"]

    bob.client.post(link, data={"csrf_token": csrf_token(bob.client, link)})  # a seat filled
    joined = poll(ada, rid, etag)
    assert joined.status_code == 200 and joined.get_json()["interviewer"] == "Bob"

    steps = [
        (bob, "POST", "start", None, lambda s: s["status"] == "running"),
        (ada, "PUT", "code", {"text": "print(1)", "revision": 0}, lambda s: s["work"]["code"] == 1),
        (ada, "PUT", "scratchpad", {"text": "plan", "revision": 0}, lambda s: s["work"]["scratchpad"] == 1),
        (
            ada,
            "POST",
            "runs",
            {"language": "python", "outcome": "ok", "duration_ms": 3, "stdout": "1\n", "stderr": ""},
            lambda s: s["runs"] == 1,
        ),
        (bob, "POST", "end", None, lambda s: s["status"] == "locked"),
    ]
    etag = joined.headers["ETag"]
    for who, method, what, body, shows in steps:
        assert who.call(method, f"/api/rounds/{rid}/{what}", body).status_code in (200, 201), what
        for viewer in (ada, bob):  # both viewers poll with the ETag they had
            answer = poll(viewer, rid, etag)
            assert answer.status_code == 200 and shows(answer.get_json()), what
        etag = answer.headers["ETag"]
        assert poll(ada, rid, etag).status_code == 304 and poll(bob, rid, etag).status_code == 304


def test_a_state_kept_from_the_interviewers_poll_holds_nothing_for_the_interviewer_only(app, frozen_clock):
    ada, bob = signed_up(app, "ada@example.com", "Ada"), signed_up(app, "bob@example.com", "Bob")
    made = ada.start(stage="quick", prompt="quick-prompt-1", role="candidate").get_json()
    rid, link = made["id"], made["invite_url"].replace("http://localhost", "")
    bob.client.post(link, data={"csrf_token": csrf_token(bob.client, link)})
    bob.call("PUT", f"/api/rounds/{rid}/notes", {"text": "PRIVATE-NOTE", "revision": 0})
    bob.call("POST", f"/api/rounds/{rid}/start")
    assert poll(bob, rid).status_code == 200  # the interviewer's poll keeps this version's state
    seen = poll(ada, rid).get_data(as_text=True)
    assert "notes" not in poll(ada, rid).get_json()["work"] and "PRIVATE-NOTE" not in seen


def test_strangers_and_unknown_rounds_get_404_and_logged_out_cookies_401(app, api, client, frozen_clock):
    rid = api.start(stage="quick").get_json()["id"]
    etag = poll(api, rid).headers["ETag"]
    eve = signed_up(app, "eve@example.com", "Eve")
    assert poll(eve, rid).status_code == 404 and poll(eve, rid, etag).status_code == 404
    assert poll(api, rid + 1000).status_code == 404
    assert app.test_client().get(f"/api/rounds/{rid}/state").status_code == 401

    copied = app.test_client()
    copied.set_cookie("session", client.get_cookie("session").value)
    assert poll(Auth(copied), rid, etag).status_code == 304
    Auth(client).logout()
    for answer in (poll(Auth(copied), rid, etag), poll(Auth(copied), rid)):
        assert answer.status_code == 401 and answer.get_json()["message"] == "Log in first."


def test_a_not_modified_poll_is_one_statement(app, api, frozen_clock):
    rid = api.start(stage="quick").get_json()["id"]
    etag = poll(api, rid).headers["ETag"]
    with statements_sent(app) as statements:
        assert poll(api, rid, etag).status_code == 304
        assert poll(api, rid).status_code == 200  # the kept state: no more reads
    assert len(statements) == 2 and all("login_sessions" in s and "rounds" in s for s in statements), statements


@pytest.mark.skipif(ON_POSTGRES, reason="sqlite3's own trace; a PostgreSQL connection is tested before each use")
def test_on_sqlite_a_not_modified_poll_runs_one_statement_in_sqlite_itself(app, api, frozen_clock):
    # before_cursor_execute does not see the pool's liveness test (a SELECT 1 before each checkout):
    # SQLite's trace sees everything the connection runs.
    rid = api.start(stage="quick").get_json()["id"]
    etag = poll(api, rid).headers["ETag"]
    ran: list[str] = []
    with app.app_context():
        db.engine.dispose()  # the next connection is made with the trace on
        event.listen(db.engine, "connect", lambda dbapi, _record: dbapi.set_trace_callback(ran.append))
    assert poll(api, rid, etag).status_code == 304  # opens the traced connection (and its pragmas)
    ran.clear()
    assert poll(api, rid, etag).status_code == 304
    assert len(ran) == 1 and "login_sessions" in ran[0], ran


def embedded_state(api, rid):
    page = api.client.get(f"/rounds/{rid}").get_data(as_text=True)
    return json.loads(html.unescape(re.search(r'data-state="([^"]*)"', page).group(1)))


def test_the_round_page_embeds_what_the_poll_answers_and_never_an_older_version(app, api, frozen_clock):
    rid = api.start(stage="quick", minutes=1).get_json()["id"]
    poll(api, rid)  # keeps this version's state
    frozen_clock.advance(seconds=12)
    assert embedded_state(api, rid) == poll(api, rid).get_json()
    api.call("PUT", f"/api/rounds/{rid}/scratchpad", {"text": "plan", "revision": 0})
    shown = embedded_state(api, rid)
    assert shown["work"]["scratchpad"] == 1 and shown == fresh_state(app, rid, frozen_clock.current)


def test_a_round_page_whose_state_is_kept_reads_only_the_viewer_and_the_round_with_its_work(app, api, frozen_clock):
    # The timer comes from the kept state and the viewer is already loaded: no events, no seats' users;
    # the work the page shows comes joined to the round, not in a statement of its own.
    rid = api.start(stage="quick").get_json()["id"]
    poll(api, rid)
    with statements_sent(app) as statements:
        assert 'class="brief"' in api.client.get(f"/rounds/{rid}").get_data(as_text=True)
    tables = [re.search(r"FROM (\w+)", s).group(1) for s in statements]
    assert tables == ["users", "rounds"], statements
    assert "round_work" in statements[1], statements


def test_the_cache_keeps_the_newest_version_of_the_most_recently_polled_rounds():
    cache = StateCache(size=2)

    def kept(version):
        return Kept(version, {"version": version}, [], [])

    cache.put(1, kept(2))
    cache.put(1, kept(1))  # a slower request that read the older version
    assert cache.get(1, 2) is not None and cache.get(1, 1) is None
    cache.put(2, kept(1))
    cache.get(1, 2)  # round 1 was polled last: round 2 goes first
    cache.put(3, kept(1))
    assert cache.get(2, 1) is None and cache.get(1, 2) is not None and cache.get(3, 1) is not None
