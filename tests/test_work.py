"""The code of a coding round and its runs: saved like every piece of round work (revisions, 409s,
the deadline's lock), followed live through the state's ETag, on the scorecard, in export/import."""

from __future__ import annotations

import io
import json

import pytest

from mockloop.core.errors import Invalid
from mockloop.core.work import RULES, RUN_OUTPUT_LIMIT, parse_run_report
from mockloop.db import db
from mockloop.db.models import Round, RoundWork
from tests.helpers import answers, csrf_token, form_page, signed_up


@pytest.fixture
def app(small_loop_app):
    return small_loop_app


def coding_round(api, minutes=2):
    return api.start(stage="code", prompt="code-prompt-1", minutes=minutes).get_json()["id"]


def run(language="python", outcome="ok", **extra):
    return {"language": language, "outcome": outcome, "duration_ms": 12, "stdout": "3\n", "stderr": "", **extra}


def test_code_saves_with_revisions_and_its_language(api, frozen_clock):
    rid = coding_round(api)
    url = f"/api/rounds/{rid}/code"
    assert api.client.get(url).get_json() == {"text": "", "revision": 0, "saved_at": None, "language": "python"}
    assert (
        api.call("PUT", url, {"text": "def add(a, b):\n    return a + b\n", "revision": 0}).get_json()["revision"] == 1
    )
    assert (
        api.call(
            "PUT", url, {"text": "function add(a, b) { return a + b }", "revision": 1, "language": "javascript"}
        ).status_code
        == 200
    )
    body = api.client.get(url).get_json()
    assert body["revision"] == 2 and body["language"] == "javascript" and body["text"].startswith("function")

    stale = api.call("PUT", url, {"text": "older tab", "revision": 1})
    assert stale.status_code == 409 and stale.get_json()["reason"] == "stale" and stale.get_json()["revision"] == 2
    assert "newer copy of the code" in stale.get_json()["message"]
    assert api.client.get(url).get_json()["text"].startswith("function")  # the newer copy stays


@pytest.mark.parametrize(
    "body, field",
    [
        ({"text": "x", "revision": 0, "language": "cobol"}, "language"),
        ({"text": "x", "revision": 0, "language": 7}, "language"),
        ({"text": "x" * (RULES["code"].limit + 1), "revision": 0}, "text"),
    ],
)
def test_bad_code_saves_are_400_and_store_nothing(api, frozen_clock, body, field):
    rid = coding_round(api)
    res = api.call("PUT", f"/api/rounds/{rid}/code", body)
    assert res.status_code == 400 and res.get_json()["field"] == field
    assert api.client.get(f"/api/rounds/{rid}/code").get_json()["revision"] == 0


def test_the_deadline_closes_the_code_and_a_refused_save_changes_nothing(app, api, frozen_clock):
    rid = coding_round(api, minutes=1)
    url = f"/api/rounds/{rid}/code"
    api.call("PUT", url, {"text": "kept", "revision": 0})
    with app.app_context():
        version = db.session.get(Round, rid).version
    frozen_clock.advance(seconds=59)
    assert api.call("PUT", url, {"text": "last second", "revision": 1}).status_code == 200
    frozen_clock.advance(seconds=1)  # exactly at the deadline: too late
    late = api.call("PUT", url, {"text": "too late", "revision": 2})
    assert late.status_code == 409 and late.get_json()["reason"] == "locked"
    assert "earlier saves are kept" in late.get_json()["message"]
    with app.app_context():
        stored = db.session.get(RoundWork, (rid, "code"))
        rnd = db.session.get(Round, rid)
        assert (stored.body, stored.revision) == ("last second", 2)
        # One bump per accepted save and one for the lock: the refused save left no version bump.
        assert rnd.status == "locked" and rnd.version == version + 2


def running_peer_round(app):
    """Ada's coding round with Bob interviewing, started: (ada, bob, round id)."""
    ada, bob = signed_up(app, "ada@example.com", "Ada"), signed_up(app, "bob@example.com", "Bob")
    made = ada.start(stage="code", prompt="code-prompt-1", role="candidate").get_json()
    link = made["invite_url"].replace("http://localhost", "")
    bob.client.post(link, data={"csrf_token": csrf_token(bob.client, link)})
    rid = made["id"]
    bob.call("POST", f"/api/rounds/{rid}/start")
    return ada, bob, rid


def test_saving_notes_does_not_move_the_candidates_etag_but_code_does(app, frozen_clock):
    ada, bob, rid = running_peer_round(app)
    state_url = f"/api/rounds/{rid}/state"
    etag = bob.client.get(state_url).headers["ETag"]
    assert bob.client.get(state_url, headers={"If-None-Match": etag}).status_code == 304  # idle: nothing sent

    bob.call("PUT", f"/api/rounds/{rid}/notes", {"text": "private", "revision": 0})
    candidate_etag = ada.client.get(state_url).headers["ETag"]
    assert candidate_etag == etag  # the interviewer's typing is not the candidate's business

    ada.call("PUT", f"/api/rounds/{rid}/code", {"text": "print(1)", "revision": 0})
    moved = bob.client.get(state_url, headers={"If-None-Match": etag})
    assert moved.status_code == 200 and moved.get_json()["work"] == {"code": 1}
    assert "notes" not in ada.client.get(state_url).get_json()["work"]
    assert bob.client.get(f"/api/rounds/{rid}/code").get_json()["text"] == "print(1)"
    assert bob.call("PUT", f"/api/rounds/{rid}/code", {"text": "mine", "revision": 1}).status_code == 403

    etag = moved.headers["ETag"]
    assert ada.call("POST", f"/api/rounds/{rid}/runs", run(code_revision=1)).status_code == 201
    after_run = bob.client.get(state_url, headers={"If-None-Match": etag})
    assert after_run.status_code == 200 and after_run.get_json()["runs"] == 1
    [seen] = bob.client.get(f"/api/rounds/{rid}/runs").get_json()["runs"]
    assert seen["stdout"] == "3\n" and seen["reported_by"] == "browser" and seen["code_revision"] == 1


def test_runs_are_recorded_while_the_round_is_open_only(api, frozen_clock):
    rid = coding_round(api, minutes=1)
    url = f"/api/rounds/{rid}/runs"
    res = api.call("POST", url, run(outcome="timeout", duration_ms=3000))
    assert res.status_code == 201 and res.get_json()["outcome"] == "timeout"
    frozen_clock.advance(minutes=1)
    late = api.call("POST", url, run())
    assert late.status_code == 409 and late.get_json()["reason"] == "locked"
    assert [r["outcome"] for r in api.client.get(url).get_json()["runs"]] == ["timeout"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"outcome": "ok", "duration_ms": 1}, "language"),
        (run(outcome="passed"), "outcome"),
        (run(duration_ms=-1), "duration_ms"),
        (run(duration_ms=True), "duration_ms"),
        (run(stdout=["not", "text"]), "stdout"),
    ],
)
def test_a_bad_run_report_is_400_with_its_field(api, frozen_clock, body, field):
    rid = coding_round(api)
    res = api.call("POST", f"/api/rounds/{rid}/runs", body)
    assert res.status_code == 400 and res.get_json()["field"] == field


def test_run_output_is_cut_to_what_is_kept_and_says_so():
    report = parse_run_report(run(stdout="x" * (RUN_OUTPUT_LIMIT + 5)))
    assert len(report.stdout) == RUN_OUTPUT_LIMIT and report.truncated
    assert not parse_run_report(run()).truncated
    with pytest.raises(Invalid):
        parse_run_report(["not", "an", "object"])


def test_a_round_without_the_code_workspace_has_no_code(api, frozen_clock):
    rid = api.start(stage="quick").get_json()["id"]
    assert api.client.get(f"/api/rounds/{rid}/code").status_code == 404
    assert api.call("PUT", f"/api/rounds/{rid}/code", {"text": "x", "revision": 0}).status_code == 404
    assert api.call("POST", f"/api/rounds/{rid}/runs", run()).status_code == 404


def test_the_scorecard_shows_the_locked_code_escaped_and_its_runs(app, api, frozen_clock):
    rid = coding_round(api)
    api.call("PUT", f"/api/rounds/{rid}/code", {"text": "print('<b>bold?</b>')", "revision": 0})
    api.call("POST", f"/api/rounds/{rid}/runs", run(stdout="<b>bold?</b>\n"))
    api.call("POST", f"/api/rounds/{rid}/end")
    _, token, revision = form_page(api.client, f"/rounds/{rid}/score")
    fields = answers(token, revision, level_correctness="3", evidence_correctness="Ran it.")
    fields = {k: v for k, v in fields.items() if "clarity" not in k and "depth" not in k}
    done = api.client.post(f"/rounds/{rid}/score", data=fields)
    assert done.status_code == 302, done.get_data(as_text=True)[:500]
    page = api.client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Code (locked)" in page and "print(&#39;&lt;b&gt;bold?&lt;/b&gt;&#39;)" in page
    assert "<b>bold?</b>" not in page  # neither the code nor its output is markup
    assert "as reported by the candidate" in page and 'data-language="python"' in page


def test_export_and_import_carry_the_code_and_runs(app, api, frozen_clock):
    rid = coding_round(api)
    api.call("PUT", f"/api/rounds/{rid}/code", {"text": "fn main() {}", "revision": 0, "language": "rust"})
    api.call("POST", f"/api/rounds/{rid}/runs", run(language="rust", outcome="unsupported", duration_ms=0))
    api.call("POST", f"/api/rounds/{rid}/end")
    doc = api.client.get("/export.json").get_json()
    [exported] = [r for r in doc["rounds"] if r["stage"] == "code"]
    assert exported["code"]["text"] == "fn main() {}" and exported["code"]["language"] == "rust"
    assert [r["outcome"] for r in exported["runs"]] == ["unsupported"]

    with app.app_context():  # another instance, as far as the data can tell
        db.session.delete(db.session.get(Round, rid))
        db.session.commit()
    other = signed_up(app, "ada@elsewhere.example", "Ada")
    upload = other.client.post(
        "/import",
        data={"csrf_token": other.token(), "file": (io.BytesIO(json.dumps(doc).encode()), "x.json")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    [copied] = [r for r in other.client.get("/export.json").get_json()["rounds"] if r["stage"] == "code"]
    assert copied["code"] == exported["code"] and copied["runs"] == exported["runs"]


# ---------- tests and levels ----------


def levels_round(app, frozen_clock):
    ada, bob = signed_up(app, "ada@example.com", "Ada"), signed_up(app, "bob@example.com", "Bob")
    made = ada.start(stage="code", prompt="code-levels", role="candidate", minutes=3).get_json()
    link = made["invite_url"].replace("http://localhost", "")
    bob.client.post(link, data={"csrf_token": csrf_token(bob.client, link)})
    bob.call("POST", f"/api/rounds/{made['id']}/start")
    return ada, bob, made["id"]


def submit_body(results, level=1):
    return {**run(), "level": level, "results": results}


def test_the_candidate_gets_hidden_calls_only_and_the_server_compares(app, frozen_clock):
    ada, bob, rid = levels_round(app, frozen_clock)
    mine = ada.client.get(f"/api/rounds/{rid}/tests").get_json()
    assert mine["level"] == 1 and mine["levels"] == 2 and "hidden" not in mine
    assert [t["name"] for t in mine["examples"]["python"]] == ["starts at zero and counts"]
    assert len(mine["level_html"]) == 1 and "LEVEL-TWO-MARKER" not in json.dumps(mine)
    theirs = bob.client.get(f"/api/rounds/{rid}/tests").get_json()
    assert [t["expected"] for t in theirs["hidden"]["python"]] == [2, 1]

    hidden = ada.client.get(f"/api/rounds/{rid}/hidden?language=python&level=1")
    assert hidden.status_code == 200 and len(hidden.get_json()["calls"]) == 2
    assert "SECRET-GUIDE-TEXT" not in hidden.get_data(as_text=True) and "expected" not in hidden.get_data(as_text=True)
    assert bob.client.get(f"/api/rounds/{rid}/hidden?language=python&level=1").status_code == 403
    assert ada.client.get(f"/api/rounds/{rid}/hidden?language=python&level=2").status_code == 409  # not open yet

    # true is not 1 (Python alone would say it is): the first test fails, the second passes.
    res = ada.call("POST", f"/api/rounds/{rid}/submit", submit_body([{"actual": True}, {"actual": 1}]))
    assert res.status_code == 201
    assert (res.get_json()["run"]["tests_passed"], res.get_json()["run"]["tests_total"]) == (1, 2)
    assert res.get_json()["level"] == 1
    short = ada.call("POST", f"/api/rounds/{rid}/submit", submit_body([{"actual": 2}]))
    assert short.status_code == 400 and short.get_json()["field"] == "results"

    opened = ada.call("POST", f"/api/rounds/{rid}/submit", submit_body([{"actual": 2}, {"actual": 1.0}]))
    assert opened.get_json()["level"] == 2 and "LEVEL-TWO-MARKER" in opened.get_json()["level_html"][1]
    assert bob.client.get(f"/api/rounds/{rid}/state").get_json()["level"] == 2  # the interviewer follows
    stale = ada.call("POST", f"/api/rounds/{rid}/submit", submit_body([{"actual": 2}, {"actual": 1}], level=1))
    assert stale.status_code == 409 and stale.get_json()["reason"] == "level"


def test_moving_on_is_recorded_and_stops_at_the_last_level(app, frozen_clock):
    ada, _, rid = levels_round(app, frozen_clock)
    assert ada.call("POST", f"/api/rounds/{rid}/move-on", {"level": 1}).get_json()["level"] == 2
    last = ada.call("POST", f"/api/rounds/{rid}/move-on", {"level": 2})
    assert last.status_code == 409 and last.get_json()["reason"] == "last_level"
    runs = ada.client.get(f"/api/rounds/{rid}/runs").get_json()["runs"]
    assert [(r["kind"], r["level"]) for r in runs] == [("move_on", 1)]


def test_nothing_is_submitted_after_the_lock(app, frozen_clock):
    ada, bob, rid = levels_round(app, frozen_clock)
    frozen_clock.advance(minutes=3)
    assert ada.client.get(f"/api/rounds/{rid}/hidden?language=python&level=1").status_code == 409
    late = ada.call("POST", f"/api/rounds/{rid}/submit", submit_body([{"actual": 2}, {"actual": 1}]))
    assert late.status_code == 409 and late.get_json()["reason"] == "locked"


def test_a_notes_save_while_another_request_commits_is_kept(app, frozen_clock, monkeypatch):
    """Another request commits between the save's reads and its writes (driven here: the commit is
    made right after the save reads the text it edits). The save must still be kept: on SQLite a
    transaction that had read before that commit could not write, and answered 500 "database is
    locked" at once (seen under load for the interviewer's notes: the one save whose first statement
    in its savepoint was a read; the others bump the round's version first)."""
    from mockloop.services import work as work_service

    ada, bob, rid = running_peer_round(app)
    assert bob.call("PUT", f"/api/rounds/{rid}/notes", {"text": "first", "revision": 0}).status_code == 200

    read_body = work_service._body_at

    def read_then_someone_commits(*args):
        found = read_body(*args)
        with db.engine.begin() as other:  # another request's transaction, on its own connection
            other.execute(db.update(Round).where(Round.id == rid).values(prompt_title="Renamed meanwhile"))
        return found

    monkeypatch.setattr(work_service, "_body_at", read_then_someone_commits)
    res = bob.call("PUT", f"/api/rounds/{rid}/notes", {"text": "second", "revision": 1})
    assert res.status_code == 200, res.get_data(as_text=True)[:300]
    assert res.get_json()["revision"] == 2
    with app.app_context():
        stored = db.session.get(RoundWork, (rid, "notes"))
        assert (stored.body, stored.revision) == ("second", 2)
