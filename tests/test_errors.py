"""One error hierarchy, mapped to HTTP in one place: each kind's status, and one JSON shape
(`error` a short code, `message` for a person, details beside them) on every /api error."""

import pytest

from mockloop.core.errors import Conflict, Invalid, NotAllowed, NotFound

RAISED = {
    "invalid": Invalid("Minutes must be a whole number.", field="minutes"),
    "conflict": Conflict("Changed elsewhere.", reason="stale", revision=3),
    "not_allowed": NotAllowed("Only the interviewer can do that."),
    "not_found": NotFound("There is no such thing."),
}


@pytest.fixture
def app(make_app):
    app = make_app()

    def raise_one(kind):
        raise RAISED[kind]

    # Routes that only raise, added before the first request, one under /api/ and one as a page.
    app.add_url_rule("/api/_raise/<kind>", "api_raise", raise_one)
    app.add_url_rule("/_raise/<kind>", "page_raise", raise_one)
    return app


@pytest.mark.parametrize(
    "kind, status, details",
    [
        ("invalid", 400, {"field": "minutes"}),
        ("conflict", 409, {"reason": "stale", "revision": 3}),
        ("not_allowed", 403, {}),
        ("not_found", 404, {}),
    ],
)
def test_each_domain_error_has_its_status_and_the_one_json_shape(client, kind, status, details):
    res = client.get(f"/api/_raise/{kind}")
    assert res.status_code == status
    assert res.get_json() == {"error": kind, "message": RAISED[kind].message, **details}


@pytest.mark.parametrize(
    "kind, status", [("invalid", 400), ("conflict", 409), ("not_allowed", 403), ("not_found", 404)]
)
def test_a_page_shows_the_message_with_the_status(client, kind, status):
    res = client.get(f"/_raise/{kind}")
    assert res.status_code == status and res.mimetype == "text/html"
    assert RAISED[kind].message in res.get_data(as_text=True)


def test_real_api_errors_share_the_shape(app, api, frozen_clock):
    def shape(res, status, code):
        body = res.get_json()
        assert res.status_code == status and body["error"] == code and isinstance(body["message"], str), body
        return body

    assert shape(app.test_client().get("/api/notices"), 401, "unauthorized")["message"] == "Log in first."
    shape(api.client.post("/api/rounds", json={"stage": "systems-design"}), 400, "csrf")  # no X-CSRFToken
    assert shape(api.call("POST", "/api/rounds", {"stage": "nope"}), 400, "invalid")["field"] == "stage"
    shape(api.call("POST", "/api/rounds", [1]), 400, "invalid")  # the view's own 400
    shape(api.call("GET", "/api/rounds/999/state"), 404, "not_found")  # abort(404) in the access check
    rid = api.start(role="candidate").get_json()["id"]
    shape(api.call("GET", f"/api/rounds/{rid}/notes"), 403, "not_allowed")  # the candidate
    solo = api.start().get_json()["id"]
    api.call("PUT", f"/api/rounds/{solo}/scratchpad", {"text": "a", "revision": 0})
    stale = shape(api.call("PUT", f"/api/rounds/{solo}/scratchpad", {"text": "b", "revision": 0}), 409, "conflict")
    assert stale["reason"] == "stale" and stale["revision"] == 1
    ended = shape(api.call("POST", f"/api/rounds/{solo}/resume"), 409, "conflict")
    assert ended["message"] == "Cannot resume a round that is running." and ended["state"]["status"] == "running"
    too_long = {"text": "x" * 200_001, "revision": 1}
    assert shape(api.call("PUT", f"/api/rounds/{solo}/scratchpad", too_long), 400, "invalid")["field"] == "text"


def test_too_large_has_its_code(make_app):
    res = make_app(MAX_CONTENT_LENGTH=1024).test_client().post("/api/rounds", json={"text": "x" * 4096})
    assert res.status_code == 413 and res.get_json()["error"] == "too_large"
