"""Peer rounds: invites, who may do what, what the candidate never sees, sync and role swaps."""

import re

import pytest

from tests.helpers import answers, csrf_token, form_page, scorecard_path, signed_up

GUIDE_MARKER = "SECRET-GUIDE-TEXT"
NOTES_MARKER = "PRIVATE-NOTE-7731"


@pytest.fixture
def app(small_loop_app):
    return small_loop_app


@pytest.fixture
def pair(app, frozen_clock):
    """Ada starts a peer round as candidate; Bob accepts the invite as interviewer."""
    ada, bob = signed_up(app, "ada@example.com", "Ada"), signed_up(app, "bob@example.com", "Bob")
    created = ada.start(stage="quick", prompt="quick-prompt-1", role="candidate").get_json()
    invite_path = created["invite_url"].replace("http://localhost", "")
    page = bob.client.get(invite_path)
    assert page.status_code == 200 and "Join as interviewer" in page.get_data(as_text=True)
    assert bob.client.post(invite_path, data={"csrf_token": csrf_token(bob.client, invite_path)}).status_code == 302
    return ada, bob, created["id"], invite_path


def test_peer_round_waits_for_the_interviewer(pair):
    ada, bob, rid, _ = pair
    state = ada.client.get(f"/api/rounds/{rid}/state").get_json()
    assert state["status"] == "planned" and state["candidate"] == "Ada" and state["interviewer"] == "Bob"
    assert bob.call("POST", f"/api/rounds/{rid}/start").get_json()["status"] == "running"


def test_invite_is_single_use(app, pair):
    _, _, _, invite_path = pair
    eve = signed_up(app, "eve@example.com", "Eve")
    res = eve.client.get(invite_path)
    assert res.status_code == 410 and "already been used" in res.get_data(as_text=True)


def test_invite_expires_after_24_hours(app, frozen_clock):
    ada, bob = signed_up(app, "ada@example.com", "Ada"), signed_up(app, "bob@example.com", "Bob")
    url = ada.start(stage="quick", role="interviewer").get_json()["invite_url"].replace("http://localhost", "")
    frozen_clock.advance(hours=24)
    res = bob.client.get(url)
    assert res.status_code == 410 and "expired" in res.get_data(as_text=True)


def test_revoked_and_unknown_invites_get_a_clear_page(app, frozen_clock):
    ada, bob = signed_up(app, "ada@example.com", "Ada"), signed_up(app, "bob@example.com", "Bob")
    created = ada.start(stage="quick", role="candidate").get_json()
    url = created["invite_url"].replace("http://localhost", "")
    token = csrf_token(ada.client, f"/rounds/{created['id']}")
    ada.client.post(f"/rounds/{created['id']}/invites/revoke", data={"csrf_token": token})
    res = bob.client.get(url)
    assert res.status_code == 410 and "withdrawn" in res.get_data(as_text=True)
    res = bob.client.get("/invites/not-a-real-token")
    assert res.status_code == 410 and "not valid" in res.get_data(as_text=True)


def test_invite_tokens_are_long_and_stored_hashed(app, frozen_clock):
    from mockloop.db import db
    from mockloop.db.models import Invite

    ada = signed_up(app, "ada@example.com", "Ada")
    url = ada.start(stage="quick", role="candidate").get_json()["invite_url"]
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 32  # 24 random bytes, 192 bits
    with app.app_context():
        stored = db.session.execute(db.select(Invite.token_hash)).scalar()
    assert token not in stored


def test_anonymous_invitee_is_sent_to_log_in_and_back(app, pair):
    ada = pair[0]
    url = ada.start(stage="quick", role="candidate").get_json()["invite_url"].replace("http://localhost", "")
    res = app.test_client().get(url)
    assert res.status_code == 302 and "/account/login?next=" in res.headers["Location"]


def test_candidate_never_receives_guide_or_notes(pair):
    ada, bob, rid, _ = pair
    bob.call("PUT", f"/api/rounds/{rid}/notes", {"text": f"## Clarity\n{NOTES_MARKER}", "revision": 0})
    bob.call("POST", f"/api/rounds/{rid}/start")
    interviewer_page = bob.client.get(f"/rounds/{rid}").get_data(as_text=True)
    assert GUIDE_MARKER in interviewer_page and NOTES_MARKER in interviewer_page
    for url in (f"/rounds/{rid}", f"/api/rounds/{rid}/state", f"/api/rounds/{rid}/scratchpad"):
        body = ada.client.get(url).get_data(as_text=True)
        assert GUIDE_MARKER not in body and NOTES_MARKER not in body, url
    guide = ada.client.get("/stages/quick/prompts/quick-prompt-1/guide")
    assert guide.status_code == 403 and GUIDE_MARKER not in guide.get_data(as_text=True)


def test_both_views_see_changes_through_the_state_etag(pair, frozen_clock):
    ada, bob, rid, _ = pair
    bob.call("POST", f"/api/rounds/{rid}/start")
    seen = {who: api.client.get(f"/api/rounds/{rid}/state").headers["ETag"] for who, api in (("a", ada), ("b", bob))}
    assert ada.client.get(f"/api/rounds/{rid}/state", headers={"If-None-Match": seen["a"]}).status_code == 304

    frozen_clock.advance(seconds=10)
    bob.call("POST", f"/api/rounds/{rid}/pause")
    update = ada.client.get(f"/api/rounds/{rid}/state", headers={"If-None-Match": seen["a"]})
    assert update.status_code == 200 and update.get_json()["paused_by"] == "Bob"

    bob.call("POST", f"/api/rounds/{rid}/resume")
    etag = bob.client.get(f"/api/rounds/{rid}/state").headers["ETag"]
    ada.call("PUT", f"/api/rounds/{rid}/scratchpad", {"text": "def answer(): ...", "revision": 0})
    update = bob.client.get(f"/api/rounds/{rid}/state", headers={"If-None-Match": etag})
    assert update.status_code == 200 and update.get_json()["work"]["scratchpad"] == 1
    assert bob.client.get(f"/api/rounds/{rid}/scratchpad").get_json()["text"] == "def answer(): ..."


def test_notes_become_evidence_and_candidate_sees_both_cards(app, pair):
    ada, bob, rid, _ = pair
    bob.call(
        "PUT", f"/api/rounds/{rid}/notes", {"text": "## Clarity\nStated the goal first.\n\n## Depth\n", "revision": 0}
    )
    bob.call("POST", f"/api/rounds/{rid}/start")
    bob.call("POST", f"/api/rounds/{rid}/end")
    page, token, revision = form_page(bob.client, f"/rounds/{rid}/score")
    assert "Stated the goal first." in page
    card_url = scorecard_path(bob.client.post(f"/rounds/{rid}/score", data=answers(token, revision, level_clarity="4")))

    state = ada.client.get(f"/api/rounds/{rid}/state").get_json()
    assert state["scorecards"] == [{"role": "interviewer", "url": card_url}]
    assert "Explained the plan." in ada.client.get(card_url).get_data(as_text=True)

    _, token, revision = form_page(ada.client, f"/rounds/{rid}/score")
    ada.client.post(f"/rounds/{rid}/score", data=answers(token, revision, level_clarity="2"))
    both = ada.client.get(card_url).get_data(as_text=True)
    assert "Self" in both and "Interviewer" in both
    assert re.search(r'<tr class="differs">\s*<th scope="row">Clarity', both)


def test_swap_reverses_roles_on_a_prompt_the_new_candidate_has_not_seen(make_app, frozen_clock):
    app = make_app()  # the shipped bank's systems-design prompts, however many there are
    ada, bob = signed_up(app, "ada@example.com", "Ada"), signed_up(app, "bob@example.com", "Bob")
    from mockloop.content import load_content

    slugs = [p.slug for p in load_content(app.config).catalog.for_stage("systems-design")]
    for slug in slugs[:-2]:  # Bob has practiced all but two of them solo
        bob.start(stage="systems-design", prompt=slug)
    created = ada.start(stage="systems-design", prompt=slugs[-2], role="candidate").get_json()
    invite = created["invite_url"].replace("http://localhost", "")
    bob.client.post(invite, data={"csrf_token": csrf_token(bob.client, invite)})
    rid = created["id"]
    bob.call("POST", f"/api/rounds/{rid}/start")
    bob.call("POST", f"/api/rounds/{rid}/end")

    res = ada.client.post(f"/rounds/{rid}/swap", data={"csrf_token": ada.token()})
    new_id = int(res.headers["Location"].rsplit("/", 1)[1])
    state = bob.client.get(f"/api/rounds/{new_id}/state").get_json()
    assert state["candidate"] == "Bob" and state["interviewer"] == "Ada"
    assert state["prompt"]["slug"] == slugs[-1]  # the only one Bob has not seen
    assert state["status"] == "planned"
    assert ada.client.get(f"/api/rounds/{rid}/state").get_json()["next_round"] == f"/rounds/{new_id}"
    again = bob.client.post(f"/rounds/{rid}/swap", data={"csrf_token": bob.token()})
    assert again.headers["Location"] == f"/rounds/{new_id}"  # one swap, whoever clicks


def test_swap_is_refused_until_the_round_is_over(app, pair, frozen_clock):
    from mockloop.db import db
    from mockloop.db.models import Round

    ada, bob, rid, _ = pair

    def swap(api):
        res = api.client.post(f"/rounds/{rid}/swap", data={"csrf_token": api.token()})
        return res, api.client.get(f"/rounds/{rid}").get_data(as_text=True)

    def count():
        with app.app_context():
            return db.session.execute(db.select(db.func.count()).select_from(Round)).scalar()

    for step in ("planned", "running", "paused"):
        if step == "running":
            bob.call("POST", f"/api/rounds/{rid}/start")
        if step == "paused":
            bob.call("POST", f"/api/rounds/{rid}/pause")
        for api in (ada, bob):
            res, page = swap(api)
            assert res.status_code == 302 and res.headers["Location"] == f"/rounds/{rid}", step
            assert "Roles can be swapped once this round is over." in page, step
            assert count() == 1 and ada.client.get(f"/api/rounds/{rid}/state").get_json()["next_round"] is None
    bob.call("POST", f"/api/rounds/{rid}/resume")
    frozen_clock.advance(minutes=5)  # past the deadline: over, even before anything locked it
    res, _ = swap(ada)
    assert res.headers["Location"] != f"/rounds/{rid}" and count() == 2
