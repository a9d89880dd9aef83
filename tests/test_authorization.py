"""Authorization matrix: every route x {owner (the candidate who created the round), peer interviewer,
another user, anonymous}, table-driven. A route missing from the table fails the suite, so a new
route cannot ship without a decision about who may use it."""

from datetime import datetime, timezone

import pytest

from mockloop.db import db
from mockloop.db.models import LoopPlan, Notice, Round, RoundEvent, Scorecard
from mockloop.services import bookings, notices
from tests.helpers import Api, answers, csrf_token, form_page, signed_up

ROLES = ("owner", "interviewer", "stranger", "anonymous")
GUIDE_MARKER, NOTES_MARKER = "SECRET-GUIDE-TEXT", "PRIVATE-NOTE-4242"


@pytest.fixture
def app(small_loop_app):
    return small_loop_app


@pytest.fixture
def world(app, frozen_clock):
    """Ada creates peer rounds as candidate and Bob joins them as interviewer: `live` is running
    (and booked, so it has a calendar file), `done` is over with Bob's submitted scorecard; Ada
    also has a loop with a fired notice and a round with an open invite."""
    ada, bob = signed_up(app, "ada@example.com", "Ada"), signed_up(app, "bob@example.com", "Bob")
    eve, anon = signed_up(app, "eve@example.com", "Eve"), Api(app.test_client())
    ids = {}
    # The coding round's prompt has levels, hidden tests and a solution, all marked SECRET-GUIDE-TEXT.
    rooms = (("live", "quick", "surprise"), ("done", "quick", "surprise"), ("coding", "code", "code-levels"))
    for name, stage, prompt in (*rooms, ("drawing", "draw", "surprise")):
        made = ada.start(stage=stage, prompt=prompt, role="candidate").get_json()
        link = made["invite_url"].replace("http://localhost", "")
        bob.client.post(link, data={"csrf_token": csrf_token(bob.client, link)})
        bob.call("POST", f"/api/rounds/{made['id']}/start")
        ids[name] = made["id"]
    bob.call("PUT", f"/api/rounds/{ids['live']}/notes", {"text": NOTES_MARKER, "revision": 0})
    bob.call("PUT", f"/api/rounds/{ids['coding']}/notes", {"text": NOTES_MARKER, "revision": 0})
    # The finished round has work to replay: Ada's scratchpad and Bob's notes, and her recording.
    ada.call("PUT", f"/api/rounds/{ids['done']}/scratchpad", {"text": "plan", "revision": 0})
    heard = ada.call("POST", f"/api/rounds/{ids['done']}/recordings", {"mime": "audio/webm"}).get_json()
    ada.client.post(heard["chunk_url"] + "?seq=0", data=b"sound", headers={"X-CSRFToken": ada.token()})
    recording = ada.call("POST", f"/api/rounds/{ids['live']}/recordings", {"mime": "audio/webm"}).get_json()["id"]
    bob.call("PUT", f"/api/rounds/{ids['done']}/notes", {"text": NOTES_MARKER, "revision": 0})
    bob.call("POST", f"/api/rounds/{ids['done']}/end")
    _, token, revision = form_page(bob.client, f"/rounds/{ids['done']}/score")
    bob.client.post(f"/rounds/{ids['done']}/score", data=answers(token, revision))
    open_seat = ada.start(stage="talk", role="candidate").get_json()
    with app.app_context():
        bookings.book(db.session.get(Round, ids["live"]), datetime(2026, 5, 6, 9, 0, tzinfo=timezone.utc))
        db.session.commit()
        card = db.session.execute(db.select(Scorecard.id).filter_by(round_id=ids["done"])).scalar()
    ada.client.post(
        "/loops/new",
        data={
            "csrf_token": ada.token(),
            "tz": "UTC",
            "start": "2026-05-04T12:30",
            "break": "5",
            "stages": ["quick"],
            "minutes_quick": "1",
        },
    )
    story = ada.client.post(
        "/stories/new", data={"csrf_token": ada.token(), "title": "Pager storm", "dimensions": ["clarity"]}
    ).headers["Location"]
    story_id = int(story.rsplit("/", 1)[1])
    drill = ada.client.post(
        f"/stories/{story_id}/drill", data={"csrf_token": ada.token(), "seconds": "120", "cue": "hidden"}
    ).headers["Location"]
    with app.app_context():
        plan = db.session.execute(db.select(LoopPlan.id)).scalar()
        notices.fire_due(datetime(2026, 5, 4, 12, 30, tzinfo=timezone.utc))
        db.session.commit()
        notice = db.session.execute(db.select(Notice.id).filter_by(kind="open")).scalar()
    return {
        "owner": ada,
        "interviewer": bob,
        "stranger": eve,
        "anonymous": anon,
        "values": {
            "round_id": ids["live"],
            "coding": ids["coding"],
            "drawing": ids["drawing"],
            "done": ids["done"],
            "recording": recording,
            "heard": heard["id"],
            "card_id": card,
            "plan_id": plan,
            "notice_id": notice,
            "story_id": story_id,
            "drill_id": int(drill.rsplit("/", 1)[1]),
            "token": open_seat["invite_url"].rsplit("/", 1)[1],
            "action": "pause",
            "slug": "quick",
            "stage_slug": "quick",
            "prompt": "quick-prompt-1",
        },
    }


# endpoint -> (method, path template, body, expected status for owner, interviewer, stranger, anonymous).
# Requests run in the order anonymous, stranger, interviewer, owner, so a change one of them makes
# (joining, pausing) happens after the refusals were checked.
MATRIX = {
    "catalog.home": ("GET", "/", None, (200, 200, 200, 200)),
    "health.healthz": ("GET", "/healthz", None, (200, 200, 200, 200)),
    "accounts.login": ("GET", "/account/login", None, (200, 200, 200, 200)),
    "accounts.signup": ("GET", "/account/signup", None, (200, 200, 200, 200)),
    "accounts.password": ("GET", "/account/password", None, (200, 200, 200, 302)),
    "accounts.logout": ("POST", "/account/logout", {}, (302, 302, 302, 302)),
    "accounts.logout_everywhere": ("POST", "/account/logout-everywhere", {}, (302, 302, 302, 302)),
    "catalog.stage": ("GET", "/stages/{slug}", None, (200, 200, 200, 302)),
    "catalog.prompt": ("GET", "/stages/{stage_slug}/prompts/{prompt}", None, (200, 200, 200, 302)),
    # Ada is the candidate of an open peer round on this prompt: its guide is for her interviewer.
    "catalog.guide": ("GET", "/stages/{stage_slug}/prompts/{prompt}/guide", None, (403, 200, 200, 302)),
    "practice.start": ("GET", "/stages/{slug}/start", None, (200, 200, 200, 302)),
    "practice.my_rounds": ("GET", "/rounds", None, (200, 200, 200, 302)),
    "practice.round_page": ("GET", "/rounds/{round_id}", None, (200, 200, 404, 302)),
    "practice.swap": ("POST", "/rounds/{round_id}/swap", {}, (302, 302, 404, 302)),
    "api.create": ("POST", "/api/rounds", {}, (400, 400, 400, 401)),
    "api.state": ("GET", "/api/rounds/{round_id}/state", None, (200, 200, 404, 401)),
    "api.act": ("POST", "/api/rounds/{round_id}/{action}", {}, (403, 200, 404, 401)),
    "api.work:scratchpad": ("GET", "/api/rounds/{round_id}/scratchpad", None, (200, 200, 404, 401)),
    "api.work:notes": ("GET", "/api/rounds/{round_id}/notes", None, (403, 200, 404, 401)),
    "api.work:code": ("GET", "/api/rounds/{coding}/code", None, (200, 200, 404, 401)),
    # A round on a stage without the code workspace has no code.
    "api.work:no-code": ("GET", "/api/rounds/{round_id}/code", None, (404, 404, 404, 401)),
    "api.save_work:scratchpad": (
        "PUT",
        "/api/rounds/{round_id}/scratchpad",
        {"text": "x", "revision": 0},
        (200, 403, 404, 401),
    ),
    "api.save_work:notes": ("PUT", "/api/rounds/{round_id}/notes", {"text": "n", "revision": 1}, (403, 200, 404, 401)),
    "api.save_work:code": ("PUT", "/api/rounds/{coding}/code", {"text": "x", "revision": 0}, (200, 403, 404, 401)),
    "api.save_work:no-code": ("PUT", "/api/rounds/{round_id}/code", {"text": "x", "revision": 0}, (404, 404, 404, 401)),
    "api.runs": ("GET", "/api/rounds/{coding}/runs", None, (200, 200, 404, 401)),
    "api.record_run": (
        "POST",
        "/api/rounds/{coding}/runs",
        {"language": "python", "outcome": "ok", "duration_ms": 5},
        (201, 403, 404, 401),
    ),
    "practice.round_page:coding": ("GET", "/rounds/{coding}", None, (200, 200, 404, 302)),
    "api.work:board": ("GET", "/api/rounds/{drawing}/board", None, (200, 200, 404, 401)),
    # The candidate draws; the interviewer only once the candidate has handed them the pen.
    "api.save_work:board": ("PUT", "/api/rounds/{drawing}/board", {"text": "", "revision": 0}, (200, 403, 404, 401)),
    "api.save_work:no-board": (
        "PUT",
        "/api/rounds/{round_id}/board",
        {"text": "", "revision": 0},
        (404, 404, 404, 401),
    ),
    "api.pen": ("POST", "/api/rounds/{drawing}/pen", {"to": "interviewer"}, (200, 403, 404, 401)),
    "practice.round_page:drawing": ("GET", "/rounds/{drawing}", None, (200, 200, 404, 302)),
    # Hidden tests: their calls alone to the candidate's browser at a submit; everything to the interviewer.
    "api.tests": ("GET", "/api/rounds/{coding}/tests", None, (200, 200, 404, 401)),
    "api.hidden": ("GET", "/api/rounds/{coding}/hidden?language=python&level=1", None, (200, 403, 404, 401)),
    "api.submit": ("POST", "/api/rounds/{coding}/submit", {}, (400, 403, 404, 401)),
    "api.move_on": ("POST", "/api/rounds/{coding}/move-on", {"level": 1}, (200, 403, 404, 401)),
    "api.markdown_preview": ("POST", "/api/markdown", {"text": "*hi*"}, (200, 200, 200, 401)),
    "invites.show": ("GET", "/invites/{token}", None, (200, 200, 200, 302)),
    "invites.accept": ("POST", "/invites/{token}", {}, (410, 410, 302, 302)),
    "invites.renew": ("POST", "/rounds/{round_id}/invites", {}, (302, 403, 404, 302)),
    "invites.revoke": ("POST", "/rounds/{round_id}/invites/revoke", {}, (302, 403, 404, 302)),
    "scoring.score": ("GET", "/rounds/{round_id}/score", None, (409, 409, 404, 302)),
    "scoring.scorecard": ("GET", "/scorecards/{card_id}", None, (200, 200, 404, 302)),
    "scoring.edit": ("GET", "/scorecards/{card_id}/edit", None, (404, 200, 404, 302)),
    "scoring.draft": ("POST", "/scorecards/{card_id}/draft", {}, (404, 200, 404, 302)),
    "review.history_list": ("GET", "/history", None, (200, 200, 200, 302)),
    "review.progress": ("GET", "/progress", None, (200, 200, 200, 302)),
    "review.next_round": ("GET", "/next", None, (200, 200, 200, 302)),
    "review.export_json": ("GET", "/export.json", None, (200, 200, 200, 302)),
    "review.export_csv": ("GET", "/export.csv", None, (200, 200, 200, 302)),
    "review.import_page": ("POST", "/import", {}, (400, 400, 400, 302)),
    "loops.new_loop": ("GET", "/loops/new", None, (200, 200, 200, 302)),
    "loops.loop_page": ("GET", "/loops/{plan_id}", None, (200, 404, 404, 302)),
    "api.loop_state": ("GET", "/api/loops/{plan_id}", None, (200, 404, 404, 401)),
    "loops.cancel_loop": ("POST", "/loops/{plan_id}/cancel", {}, (302, 404, 404, 302)),
    "loops.reschedule_loop": ("POST", "/loops/{plan_id}/reschedule", {}, (400, 404, 404, 302)),  # no start sent
    "loops.upcoming": ("GET", "/upcoming", None, (200, 200, 200, 302)),
    "loops.calendar": ("GET", "/rounds/{round_id}/calendar.ics", None, (200, 200, 404, 302)),
    "loops.cancel_round": ("POST", "/rounds/{round_id}/cancel", {}, (302, 302, 404, 302)),
    "loops.reschedule_round": ("POST", "/rounds/{round_id}/reschedule", {}, (302, 302, 404, 302)),
    "api.notices": ("GET", "/api/notices", None, (200, 200, 200, 401)),
    "api.notice_seen": ("POST", "/api/notices/{notice_id}/seen", {}, (200, 404, 404, 401)),
    "accounts.timezone_setting": ("GET", "/account/timezone", None, (200, 200, 200, 302)),
    # Stories are private to their owner: everyone else gets 404, as for a round that is not theirs.
    "stories.index": ("GET", "/stories", None, (200, 200, 200, 302)),
    "stories.new": ("GET", "/stories/new", None, (200, 200, 200, 302)),
    "stories.story_page": ("GET", "/stories/{story_id}", None, (200, 404, 404, 302)),
    "stories.delete": ("POST", "/stories/{story_id}/delete", {}, (302, 404, 404, 302)),
    "stories.start_drill": ("POST", "/stories/{story_id}/drill", {}, (302, 404, 404, 302)),  # no limit: a message
    "stories.drill_page": ("GET", "/drills/{drill_id}", None, (200, 404, 404, 302)),
    "stories.finish_drill": ("POST", "/drills/{drill_id}/finish", {}, (302, 404, 404, 302)),
    "stories.rate_drill": ("POST", "/drills/{drill_id}/rate", {}, (400, 404, 404, 302)),  # no ratings sent
    "api.story": ("GET", "/api/stories/{story_id}", None, (200, 404, 404, 401)),
    "api.save_story": (
        "PUT",
        "/api/stories/{story_id}",
        {"title": "Renamed", "dimensions": [], "prompts": [], "revision": 1},
        (200, 404, 404, 401),
    ),
    # The replay opens after the lock; the interviewer's notes and markers are theirs until shared.
    "replay.replay_page": ("GET", "/rounds/{done}/replay", None, (200, 200, 404, 302)),
    "replay.revision": ("GET", "/api/rounds/{done}/history/scratchpad/1", None, (200, 200, 404, 401)),
    "replay.revision:notes": ("GET", "/api/rounds/{done}/history/notes/1", None, (403, 200, 404, 401)),
    "replay.share": ("POST", "/rounds/{done}/share", {}, (403, 302, 404, 302)),
    "api.markers_list": ("GET", "/api/rounds/{round_id}/markers", None, (403, 200, 404, 401)),
    "api.drop_marker": ("POST", "/api/rounds/{round_id}/markers", {"text": "asked about quotas"}, (403, 201, 404, 401)),
    # Audio: each participant records their own; the other's opens with the lock, as a scorecard does.
    "audio.start": ("POST", "/api/rounds/{round_id}/recordings", {"mime": "audio/webm"}, (201, 201, 404, 401)),
    "audio.chunk": ("POST", "/api/rounds/{round_id}/recordings/{recording}/chunks?seq=0", {}, (200, 403, 404, 401)),
    "audio.play": ("GET", "/rounds/{done}/recordings/{heard}", None, (200, 200, 404, 302)),
    "api.story_told": ("PUT", "/api/rounds/{round_id}/stories/{story_id}", {"used": True}, (200, 403, 404, 401)),
    # AI is off here (no AI_PROVIDER): its routes do not exist for anyone. tests/test_ai_*.py check
    # who may use them with AI on.
    "ai.about": ("GET", "/ai", None, (404, 404, 404, 302)),
    "ai.review": ("POST", "/rounds/{done}/ai-review", {}, (404, 404, 404, 302)),
    "ai.copy_to_self": ("POST", "/scorecards/{card_id}/copy-to-self", {}, (404, 404, 404, 302)),
    "ai.hint": ("POST", "/api/rounds/{round_id}/ai/hint", {}, (404, 404, 404, 401)),
    "ai.chat": ("POST", "/api/rounds/{round_id}/ai/chat", {"text": "Hello?"}, (404, 404, 404, 401)),
}
# Routes that serve files, not data.
NOT_IN_MATRIX = {"static"}


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - NOT_IN_MATRIX
    rows = {key.split(":")[0] for key in MATRIX}  # "endpoint:variant": one route, several kinds of work
    assert endpoints - rows == set(), "add these routes to MATRIX with who may use them"
    assert rows - endpoints == set(), "these MATRIX rows name routes that no longer exist"


def send(api, method, url, body):
    if method == "GET":
        return api.client.get(url)
    if url.startswith("/api/"):
        return api.call(method, url, body)
    return api.client.open(url, method=method, data={"csrf_token": api.token(), **body})


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_authorization_matrix(world, endpoint):
    method, path, body, expected = MATRIX[endpoint]
    url = path.format(**world["values"])
    for role in ("anonymous", "stranger", "interviewer", "owner"):
        with send(world[role], method, url, body) as res:  # closed: a recording's answer streams its file
            status, text = res.status_code, res.get_data(as_text=True)
        want = expected[ROLES.index(role)]
        assert status == want, f"{role} {method} {url}: {status}, expected {want}"
        if role == "owner" and status == 200:  # the candidate never receives interviewer material
            assert GUIDE_MARKER not in text and NOTES_MARKER not in text, f"{url} leaks to the candidate"


# ---------- the interviewer guide of a prompt is closed to its candidate until their round locks ----------

GUIDE_URL = "/stages/quick/prompts/quick-prompt-1/guide"
CLOSED_TEXT = "You are the candidate in a round on this prompt that has not ended"


def ways_to_the_guide(api, own_interviewer_round):
    """What each way to quick-prompt-1's guide gives Ada: the guide page, the prompt page, her own
    interviewer round on the prompt, and starting another one (by name, or by surprise)."""
    guide = api.client.get(GUIDE_URL)
    prompt = api.client.get("/stages/quick/prompts/quick-prompt-1").get_data(as_text=True)
    view = api.client.get(f"/rounds/{own_interviewer_round}").get_data(as_text=True)
    start = api.start(stage="quick", prompt="quick-prompt-1", role="interviewer")
    surprises = {api.start(stage="quick", role="interviewer").get_json()["state"]["prompt"]["slug"] for _ in range(4)}
    return guide, prompt, view, start, surprises


def assert_closed(api, own_interviewer_round):
    guide, prompt, view, start, surprises = ways_to_the_guide(api, own_interviewer_round)
    assert guide.status_code == 403 and CLOSED_TEXT in guide.get_data(as_text=True)
    assert GUIDE_MARKER not in guide.get_data(as_text=True)
    assert GUIDE_URL not in prompt and CLOSED_TEXT in prompt
    assert GUIDE_MARKER not in view and CLOSED_TEXT in view and "Your private notes" in view
    assert start.status_code == 400 and CLOSED_TEXT in start.get_json()["message"]
    assert surprises == {"quick-prompt-2"}


def assert_open(api, own_interviewer_round):
    guide, prompt, view, start, _ = ways_to_the_guide(api, own_interviewer_round)
    assert guide.status_code == 200 and GUIDE_MARKER in guide.get_data(as_text=True)
    assert GUIDE_URL in prompt and CLOSED_TEXT not in prompt
    assert GUIDE_MARKER in view and CLOSED_TEXT not in view
    assert start.status_code == 201


@pytest.mark.parametrize("mode", ["peer", "solo"])
@pytest.mark.parametrize("status", ["planned", "running", "paused"])
def test_guide_is_closed_to_the_candidate_until_their_round_locks(app, frozen_clock, mode, status):
    ada, bob = signed_up(app, "ada@example.com", "Ada"), signed_up(app, "bob@example.com", "Bob")
    # Ada interviews someone on the prompt (open to her now), then becomes a candidate on it herself.
    interviewing = ada.start(stage="quick", prompt="quick-prompt-1", role="interviewer").get_json()["id"]
    assert GUIDE_MARKER in ada.client.get(f"/rounds/{interviewing}").get_data(as_text=True)
    if mode == "peer":
        made = ada.start(stage="quick", prompt="quick-prompt-1", role="candidate", minutes=2).get_json()
        link = made["invite_url"].replace("http://localhost", "")
        bob.client.post(link, data={"csrf_token": csrf_token(bob.client, link)})
        timer, rid = bob, made["id"]
    else:
        rid = ada.start(stage="quick", prompt="quick-prompt-1", minutes=2).get_json()["id"]
        timer = ada
        if status == "planned":  # a solo round starts at once; a loop's later round waits
            with app.app_context():
                db.session.execute(db.delete(RoundEvent).where(RoundEvent.round_id == rid))
                db.session.execute(db.update(Round).where(Round.id == rid).values(status="planned", deadline_at=None))
                db.session.commit()
    if status != "planned" and mode == "peer":
        assert timer.call("POST", f"/api/rounds/{rid}/start").status_code == 200
    if status == "paused":
        assert timer.call("POST", f"/api/rounds/{rid}/pause").status_code == 200
    assert_closed(ada, interviewing)
    # Bob, her interviewer, keeps his guide throughout.
    if mode == "peer":
        assert GUIDE_MARKER in bob.client.get(f"/rounds/{rid}").get_data(as_text=True)
        assert bob.client.get(GUIDE_URL).status_code == 200

    if status == "paused":
        timer.call("POST", f"/api/rounds/{rid}/resume")
    if status == "planned":
        timer.call("POST", f"/api/rounds/{rid}/end")
    else:
        # The deadline passes: nobody has locked the round yet, but the guide opens all the same.
        frozen_clock.advance(minutes=3)
    assert_open(ada, interviewing)


def test_a_swap_never_makes_the_candidate_interviewer_on_a_prompt_they_are_still_candidate_of(app, frozen_clock):
    ada, bob = signed_up(app, "ada@example.com", "Ada"), signed_up(app, "bob@example.com", "Bob")
    # Ada is also the candidate of a solo round on quick-prompt-2 that keeps running.
    ada.start(stage="quick", prompt="quick-prompt-2", minutes=3)
    made = ada.start(stage="quick", prompt="quick-prompt-1", role="candidate").get_json()
    link = made["invite_url"].replace("http://localhost", "")
    bob.client.post(link, data={"csrf_token": csrf_token(bob.client, link)})
    bob.call("POST", f"/api/rounds/{made['id']}/start")
    bob.call("POST", f"/api/rounds/{made['id']}/end")
    res = bob.client.post(f"/rounds/{made['id']}/swap", data={"csrf_token": bob.token()})
    assert res.status_code == 302 and res.headers["Location"] == f"/rounds/{made['id']}"
    assert "no other prompt" in bob.client.get(res.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Round)).scalar() == 2


def test_an_interviewer_invite_on_the_prompt_says_the_guide_stays_closed(app, frozen_clock):
    ada, bob = signed_up(app, "ada@example.com", "Ada"), signed_up(app, "bob@example.com", "Bob")
    ada.start(stage="quick", prompt="quick-prompt-1", minutes=3)  # Ada's solo round on it keeps running
    made = bob.start(stage="quick", prompt="quick-prompt-1", role="candidate").get_json()
    link = made["invite_url"].replace("http://localhost", "")
    page = ada.client.get(link).get_data(as_text=True)
    assert "not this prompt's interviewer guide" in page and CLOSED_TEXT in page
    ada.client.post(link, data={"csrf_token": csrf_token(ada.client, link)})
    view = ada.client.get(f"/rounds/{made['id']}").get_data(as_text=True)
    assert "Your private notes" in view and GUIDE_MARKER not in view and CLOSED_TEXT in view
    frozen_clock.advance(minutes=4)
    assert GUIDE_MARKER in ada.client.get(f"/rounds/{made['id']}").get_data(as_text=True)
