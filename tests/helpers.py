"""Helpers tests import (fixtures stay in conftest.py): the log-in and API clients, the scoring form,
a frozen clock, and the paths of the repository and its test loop."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEST_PROMPTS = Path(__file__).resolve().parent / "data" / "prompts"  # the tiny test loop
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


def csrf_token(client, url: str = "/account/login") -> str:
    page = client.get(url).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


class Auth:
    def __init__(self, client):
        self.client = client

    def signup(self, email="ada@example.com", name="Ada", password="correct horse battery"):
        token = csrf_token(self.client, "/account/signup")
        return self.client.post(
            "/account/signup",
            data={"csrf_token": token, "email": email, "display_name": name, "password": password, "confirm": password},
        )

    def login(self, email="ada@example.com", password="correct horse battery"):
        token = csrf_token(self.client)
        return self.client.post("/account/login", data={"csrf_token": token, "email": email, "password": password})

    def logout(self):
        token = csrf_token(self.client, "/")
        return self.client.post("/account/logout", data={"csrf_token": token})


class FrozenClock:
    """Replaces mockloop.clock.now: time moves only when a test says so."""

    def __init__(self, start):
        self.current = start

    def __call__(self):
        return self.current

    def advance(self, **delta):
        self.current += timedelta(**delta)
        return self.current


class Api:
    """JSON calls the way the round page makes them: session cookie plus X-CSRFToken header."""

    def __init__(self, client):
        self.client = client
        self._token = None

    def token(self):
        if self._token is None:
            self._token = csrf_token(self.client, "/")
        return self._token

    def call(self, method, url, json=None, **headers):
        return self.client.open(url, method=method, json=json, headers={"X-CSRFToken": self.token(), **headers})

    def start(self, stage="systems-design", prompt="surprise", minutes=None, **extra):
        body = {"stage": stage, "prompt": prompt, **extra}
        if minutes is not None:
            body["minutes"] = minutes
        return self.call("POST", "/api/rounds", body)


def signed_up(app, email="ada@example.com", name="Ada") -> Api:
    """A new user, signed up and logged in in a browser session of their own."""
    api = Api(app.test_client())
    Auth(api.client).signup(email=email, name=name)
    return api


def scorecard_path(res) -> str:
    """The scorecard a rubric submit redirected to, without the ?saved=1 that confirms it."""
    assert res.status_code == 302, res.get_data(as_text=True)[:500]
    path, _, query = res.headers["Location"].partition("?")
    assert query == "saved=1"
    return path


def form_page(client, url):
    """The scoring form at `url`: (page, CSRF token, the revision it was written on)."""
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    revision = re.search(r'name="revision" type="hidden" value="([^"]*)"', page).group(1)
    return page, token, revision


def answers(token, revision, **override):
    """A complete scoring form for the test loop's rubric (clarity and depth); None drops a field."""
    data = {
        "csrf_token": token,
        "revision": revision,
        "level_clarity": "3",
        "evidence_clarity": "Explained the plan.",
        "level_depth": "2",
        "evidence_depth": "Skipped the failure modes.",
        "overall": "yes",
        "keep": "Structure first.",
        "stop": "Rushing the ending.",
        "start": "Name trade-offs.",
    }
    data.update(override)
    return {k: v for k, v in data.items() if v is not None}


def scored_round(api, clock, stage="quick", prompt="quick-prompt-1", clarity="3", depth="2", overall="yes"):
    """A round started, ended and scored through the pages, as its candidate does; the clock moves on."""
    rid = api.start(stage=stage, prompt=prompt).get_json()["id"]
    clock.advance(seconds=20)
    api.call("POST", f"/api/rounds/{rid}/end")
    _, token, revision = form_page(api.client, f"/rounds/{rid}/score")
    fields = answers(token, revision, level_clarity=clarity, overall=overall)
    if stage == "quick":
        fields["level_depth"] = depth
    else:
        fields.pop("level_depth"), fields.pop("evidence_depth")
    res = api.client.post(f"/rounds/{rid}/score", data=fields)
    assert res.status_code == 302, res.get_data(as_text=True)[:500]
    clock.advance(hours=1)
    return rid


@contextmanager
def statements_sent(app) -> Iterator[list[str]]:
    """The statements the app's engine sends while the block runs, as SQLAlchemy's events see them
    (the pool's liveness test before a checkout is not among them)."""
    from sqlalchemy import event

    from mockloop.db import db

    with app.app_context():
        engine = db.engine
    sent: list[str] = []

    def record(conn, cursor, statement, *args):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)
