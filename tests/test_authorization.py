"""Authorization matrix: every route x {owner (the candidate who created the round), peer interviewer,
another user, anonymous}, table-driven. A route missing from the table fails the suite, so a new
route cannot ship without a decision about who may use it."""
from datetime import datetime, timezone

import pytest

from mockloop import schedule
from mockloop.extensions import db
from mockloop.models import LoopPlan, Notice, Round, Scorecard
from tests.conftest import Api, csrf_token, signed_up
from tests.test_scoring import answers, form_page

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
    for name in ("live", "done"):
        made = ada.start(stage="quick", prompt="quick-prompt-1", role="candidate").get_json()
        link = made["invite_url"].replace("http://localhost", "")
        bob.client.post(link, data={"csrf_token": csrf_token(bob.client, link)})
        bob.call("POST", f"/api/rounds/{made['id']}/start")
        ids[name] = made["id"]
    bob.call("PUT", f"/api/rounds/{ids['live']}/notes", {"text": NOTES_MARKER, "revision": 0})
    bob.call("POST", f"/api/rounds/{ids['done']}/end")
    _, token, revision = form_page(bob.client, f"/rounds/{ids['done']}/score")
    bob.client.post(f"/rounds/{ids['done']}/score", data=answers(token, revision))
    open_seat = ada.start(stage="talk", role="candidate").get_json()
    with app.app_context():
        schedule.book(db.session.get(Round, ids["live"]), datetime(2026, 5, 6, 9, 0, tzinfo=timezone.utc))
        card = db.session.execute(db.select(Scorecard.id).filter_by(round_id=ids["done"])).scalar()
    ada.client.post("/loops/new", data={"csrf_token": ada.token(), "tz": "UTC", "start": "2026-05-04T12:30",
                                        "break": "5", "stages": ["quick"], "minutes_quick": "1"})
    with app.app_context():
        plan = db.session.execute(db.select(LoopPlan.id)).scalar()
        schedule.fire_due(datetime(2026, 5, 4, 12, 30, tzinfo=timezone.utc))
        notice = db.session.execute(db.select(Notice.id).filter_by(kind="open")).scalar()
    return {"owner": ada, "interviewer": bob, "stranger": eve, "anonymous": anon,
            "values": {"round_id": ids["live"], "done": ids["done"], "card_id": card, "plan_id": plan,
                       "notice_id": notice, "token": open_seat["invite_url"].rsplit("/", 1)[1], "action": "pause",
                       "slug": "quick", "stage_slug": "quick", "prompt": "quick-prompt-1"}}


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
    "api.scratchpad": ("GET", "/api/rounds/{round_id}/scratchpad", None, (200, 200, 404, 401)),
    "api.save_scratchpad": ("PUT", "/api/rounds/{round_id}/scratchpad", {"text": "x", "revision": 0},
                            (200, 403, 404, 401)),
    "api.notes": ("GET", "/api/rounds/{round_id}/notes", None, (403, 200, 404, 401)),
    "api.save_notes": ("PUT", "/api/rounds/{round_id}/notes", {"text": "n", "revision": 1}, (403, 200, 404, 401)),
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
    "review.plan": ("GET", "/practice-plan", None, (200, 200, 200, 302)),
    "review.export_json": ("GET", "/export.json", None, (200, 200, 200, 302)),
    "review.export_csv": ("GET", "/export.csv", None, (200, 200, 200, 302)),
    "review.import_page": ("POST", "/import", {}, (400, 400, 400, 302)),
    "planner.new_loop": ("GET", "/loops/new", None, (200, 200, 200, 302)),
    "planner.loop_page": ("GET", "/loops/{plan_id}", None, (200, 404, 404, 302)),
    "planner.loop_state": ("GET", "/api/loops/{plan_id}", None, (200, 404, 404, 401)),
    "planner.cancel_loop": ("POST", "/loops/{plan_id}/cancel", {}, (302, 404, 404, 302)),
    "planner.reschedule_loop": ("POST", "/loops/{plan_id}/reschedule", {}, (400, 404, 404, 302)),  # no start sent
    "planner.upcoming": ("GET", "/upcoming", None, (200, 200, 200, 302)),
    "planner.calendar": ("GET", "/rounds/{round_id}/calendar.ics", None, (200, 200, 404, 302)),
    "planner.cancel_round": ("POST", "/rounds/{round_id}/cancel", {}, (302, 302, 404, 302)),
    "planner.reschedule_round": ("POST", "/rounds/{round_id}/reschedule", {}, (302, 302, 404, 302)),
    "planner.notices": ("GET", "/api/notices", None, (200, 200, 200, 401)),
    "planner.notice_seen": ("POST", "/api/notices/{notice_id}/seen", {}, (200, 404, 404, 401)),
    "planner.timezone_setting": ("GET", "/settings/timezone", None, (200, 200, 200, 302)),
}
# Routes that serve files, not data.
NOT_IN_MATRIX = {"static"}


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - NOT_IN_MATRIX
    assert endpoints - MATRIX.keys() == set(), "add these routes to MATRIX with who may use them"
    assert MATRIX.keys() - endpoints == set(), "these MATRIX rows name routes that no longer exist"


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
        res = send(world[role], method, url, body)
        want = expected[ROLES.index(role)]
        assert res.status_code == want, f"{role} {method} {url}: {res.status_code}, expected {want}"
        if role == "owner" and res.status_code == 200:  # the candidate never receives interviewer material
            text = res.get_data(as_text=True)
            assert GUIDE_MARKER not in text and NOTES_MARKER not in text, f"{url} leaks to the candidate"
