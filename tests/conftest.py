"""Shared fixtures: an app on a temporary database, a client, and an auth helper."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from mockloop import create_app
from mockloop.extensions import db

REPO = Path(__file__).resolve().parent.parent
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory) -> Path:
    """One database built by running every migration; each test gets a copy of it."""
    import flask_migrate
    instance = tmp_path_factory.mktemp("template")
    app = create_app({"INSTANCE_PATH": str(instance), "SECRET_KEY": "test"})
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    return instance / "mockloop.sqlite"


@pytest.fixture
def make_app(tmp_path, migrated_db):
    """Build an app on a fresh copy of the migrated database; extra config overrides the defaults."""
    def factory(**config):
        instance = tmp_path / "instance"
        instance.mkdir(exist_ok=True)
        if not (instance / "mockloop.sqlite").exists():
            shutil.copy(migrated_db, instance / "mockloop.sqlite")
        base = {"INSTANCE_PATH": str(instance), "SECRET_KEY": "test-secret"}
        app = create_app({**base, **config})
        return app
    return factory


@pytest.fixture
def app(make_app):
    app = make_app()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


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
        return self.client.post("/account/signup", data={
            "csrf_token": token, "email": email, "display_name": name, "password": password,
            "confirm": password})

    def login(self, email="ada@example.com", password="correct horse battery"):
        token = csrf_token(self.client)
        return self.client.post("/account/login", data={"csrf_token": token, "email": email, "password": password})

    def logout(self):
        token = csrf_token(self.client, "/")
        return self.client.post("/account/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return Auth(client)


class FrozenClock:
    """Replaces mockloop.clock.now: time moves only when a test says so."""

    def __init__(self, start):
        self.current = start

    def __call__(self):
        return self.current

    def advance(self, **delta):
        from datetime import timedelta
        self.current += timedelta(**delta)
        return self.current


@pytest.fixture
def frozen_clock(monkeypatch):
    from datetime import datetime, timezone

    from mockloop import clock
    frozen = FrozenClock(datetime(2026, 5, 4, 12, 0, tzinfo=timezone.utc))
    monkeypatch.setattr(clock, "now", frozen)
    return frozen


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


@pytest.fixture
def api(client, auth):
    auth.signup()
    return Api(client)


TEST_PROMPTS = Path(__file__).resolve().parent / "data" / "prompts"


@pytest.fixture
def small_loop_app(make_app):
    """An app on the tiny test loop (stages of one or two minutes)."""
    app = make_app(PROMPTS_DIR=str(TEST_PROMPTS))
    yield app
    with app.app_context():
        db.engine.dispose()
