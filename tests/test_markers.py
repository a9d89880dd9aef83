"""The interviewer's markers (services/markers.py): dropped with their time during a peer round,
pulled into the evidence on the scorecard form, and, like the notes, never the candidate's unless
the interviewer shares them after the round."""

from __future__ import annotations

import pytest

from tests.helpers import csrf_token, form_page, signed_up


@pytest.fixture
def app(small_loop_app):
    return small_loop_app


def peer_round(app, ada, bob, minutes=2):
    made = ada.start(stage="quick", prompt="quick-prompt-1", role="candidate", minutes=minutes).get_json()
    link = made["invite_url"].replace("http://localhost", "")
    bob.client.post(link, data={"csrf_token": csrf_token(bob.client, link)})
    assert bob.call("POST", f"/api/rounds/{made['id']}/start").status_code == 200
    return made["id"]


@pytest.fixture
def pair(app):
    return signed_up(app), signed_up(app, "bob@example.com", "Bob")


def drop(api, rid, text):
    return api.call("POST", f"/api/rounds/{rid}/markers", {"text": text})


def test_the_interviewer_drops_markers_with_the_round_time(app, frozen_clock, pair):
    ada, bob = pair
    rid = peer_round(app, ada, bob)
    frozen_clock.advance(seconds=75)
    res = drop(bob, rid, "  missed the retry storm ")
    assert res.status_code == 201
    assert res.get_json()["text"] == "missed the retry storm" and res.get_json()["round_s"] == 75
    bob.call("POST", f"/api/rounds/{rid}/pause")
    frozen_clock.advance(seconds=30)  # paused: the round's clock stands still
    assert drop(bob, rid, "asked about quotas").get_json()["round_s"] == 75
    listed = bob.client.get(f"/api/rounds/{rid}/markers").get_json()["markers"]
    assert [(m["round_s"], m["text"]) for m in listed] == [(75, "missed the retry storm"), (75, "asked about quotas")]
    page = bob.client.get(f"/rounds/{rid}").get_data(as_text=True)
    assert "missed the retry storm" in page and "01:15" in page and 'id="marker-text"' in page


def test_each_marker_keeps_its_own_time_after_later_pauses_and_the_end(app, frozen_clock, pair):
    """A marker's round time is where the clock stood when it was dropped: neither a later pause nor
    the end moves it, and it reads the same whole second everywhere (the round page, the markers API,
    the score form, the replay's list of moments; the replay places it on its own timeline, where the
    pause shows)."""
    ada, bob = pair
    rid = peer_round(app, ada, bob)
    frozen_clock.advance(seconds=42.6)  # 00:42 on the page, in the API and on the form
    assert drop(bob, rid, "missed the retry storm").get_json()["round_s"] == 42
    frozen_clock.advance(seconds=10)
    bob.call("POST", f"/api/rounds/{rid}/pause")
    frozen_clock.advance(seconds=20)
    bob.call("POST", f"/api/rounds/{rid}/resume")
    frozen_clock.advance(seconds=5)
    drop(bob, rid, "asked about quotas")  # 42 + 10 + 5: the pause does not count
    page = bob.client.get(f"/rounds/{rid}").get_data(as_text=True)
    assert ">00:42</span> missed the retry storm" in page and ">00:57</span> asked about quotas" in page
    frozen_clock.advance(seconds=30)
    bob.call("POST", f"/api/rounds/{rid}/end")  # at 01:27
    listed = bob.client.get(f"/api/rounds/{rid}/markers").get_json()["markers"]
    assert [(m["round_s"], m["text"]) for m in listed] == [(42, "missed the retry storm"), (57, "asked about quotas")]
    form, _, _ = form_page(bob.client, f"/rounds/{rid}/score")
    assert 'data-marker="[00:42] missed the retry storm"' in form and 'data-marker="[00:57] asked about quotas"' in form
    assert "Dimension for the marker at 00:42" in form and 'aria-label="Add to evidence: the marker at 00:57"' in form
    replay = bob.client.get(f"/rounds/{rid}/replay").get_data(as_text=True)
    assert "00:42</button> Marker: missed the retry storm" in replay
    # The replay's scale is the wall clock, pause and all; the marker also says the time its evidence quotes.
    assert "01:17</button> Marker (00:57 on the round clock): asked about quotas" in replay


@pytest.mark.parametrize(
    "text, status, words",
    [("", 400, "Write a few words"), ("x" * 201, 400, "at most 200"), (7, 400, "text (a string)")],
)
def test_a_bad_marker_is_refused_with_a_message(app, frozen_clock, pair, text, status, words):
    ada, bob = pair
    rid = peer_round(app, ada, bob)
    res = drop(bob, rid, text)
    assert res.status_code == status and words in res.get_json()["message"]
    assert bob.client.get(f"/api/rounds/{rid}/markers").get_json()["markers"] == []


def test_markers_are_the_interviewers_during_the_round_only(app, frozen_clock, pair):
    ada, bob = pair
    rid = peer_round(app, ada, bob)
    assert drop(ada, rid, "the candidate cannot").status_code == 403
    bob.call("POST", f"/api/rounds/{rid}/end")
    late = drop(bob, rid, "after the end")
    assert late.status_code == 409 and "while the round runs" in late.get_json()["message"]
    solo = ada.start(stage="quick", prompt="quick-prompt-2", minutes=2).get_json()["id"]
    assert drop(ada, solo, "solo").status_code == 403  # a solo round has no interviewer


def test_the_candidate_sees_markers_and_notes_only_once_shared(app, frozen_clock, pair):
    ada, bob = pair
    rid = peer_round(app, ada, bob)
    drop(bob, rid, "SECRET-MARKER")
    bob.call("PUT", f"/api/rounds/{rid}/notes", {"text": "SECRET-NOTES", "revision": 0})
    # Sharing waits for the end of the round.
    early = bob.client.post(f"/rounds/{rid}/share", data={"csrf_token": bob.token(), "shared": "1"})
    assert early.status_code == 409
    bob.call("POST", f"/api/rounds/{rid}/end")
    assert ada.client.get(f"/api/rounds/{rid}/markers").status_code == 403
    assert ada.client.get(f"/api/rounds/{rid}/notes").status_code == 403
    assert ada.client.post(f"/rounds/{rid}/share", data={"csrf_token": ada.token(), "shared": "1"}).status_code == 403

    res = bob.client.post(
        f"/rounds/{rid}/share", data={"csrf_token": bob.token(), "shared": "1", "next": f"/rounds/{rid}"}
    )
    assert res.status_code == 302 and res.headers["Location"] == f"/rounds/{rid}"
    assert [m["text"] for m in ada.client.get(f"/api/rounds/{rid}/markers").get_json()["markers"]] == ["SECRET-MARKER"]
    assert "Stop sharing" in bob.client.get(f"/rounds/{rid}").get_data(as_text=True)

    res = bob.client.post(
        f"/rounds/{rid}/share", data={"csrf_token": bob.token(), "shared": "0", "next": "https://evil.example/"}
    )
    assert res.headers["Location"] == f"/rounds/{rid}/replay"  # only the round's own pages to go back to
    assert ada.client.get(f"/api/rounds/{rid}/markers").status_code == 403


def test_a_marker_is_ready_to_pull_into_the_evidence(app, frozen_clock, pair):
    ada, bob = pair
    rid = peer_round(app, ada, bob)
    frozen_clock.advance(seconds=42)
    drop(bob, rid, "missed the retry storm")
    bob.call("POST", f"/api/rounds/{rid}/end")
    page, _, _ = form_page(bob.client, f"/rounds/{rid}/score")
    assert 'data-marker="[00:42] missed the retry storm"' in page
    assert '<option value="evidence_clarity">Clarity</option>' in page
    mine, _, _ = form_page(ada.client, f"/rounds/{rid}/score")
    assert "missed the retry storm" not in mine  # the candidate's self-assessment has none
